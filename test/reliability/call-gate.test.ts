// The gate in front of the box's single connection (src/freebox/call-gate.ts): one call on the
// wire at a time, in order; a stop drops the waiting calls unsent but lets the one on the wire and
// the logout through; a timeout while waiting leaves the queue intact.
import { describe, expect, it } from "vitest";
import { CallGate, isStoppedError } from "../../src/freebox/call-gate.js";

/** A call whose answer the test releases by hand. */
function deferred(): { promise: Promise<string>; resolve: (v: string) => void } {
  let resolve: (v: string) => void = () => {};
  const promise = new Promise<string>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A call that records that it was sent, then answers `answer`. */
const call =
  (sent: string[], name: string, answer: Promise<string> | string = name) =>
  (): Promise<string> => {
    sent.push(name);
    return Promise.resolve(answer);
  };

describe("CallGate", () => {
  it("sends one call at a time, in arrival order", async () => {
    const gate = new CallGate();
    const order: string[] = [];
    const first = deferred();
    const a = gate.run(call(order, "a", first.promise), null, false);
    const b = gate.run(call(order, "b", "b"), null, false);
    const c = gate.run(call(order, "c", "c"), null, false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(["a"]);
    first.resolve("a");
    expect(await Promise.all([a, b, c])).toEqual(["a", "b", "c"]);
    expect(order).toEqual(["a", "b", "c"]);
  });

  it("on stop: the call on the wire finishes, waiting ones fail unsent, the logout still goes", async () => {
    const gate = new CallGate();
    const sent: string[] = [];
    const wire = deferred();
    const onWire = gate.run(call(sent, "wire", wire.promise), null, false);
    const waiting = gate.run(call(sent, "waiting", "x"), null, false);
    const logout = gate.run(call(sent, "logout", "bye"), null, true);
    gate.stop();
    const later = gate.run(call(sent, "later", "x"), null, false);
    await expect(waiting).rejects.toSatisfy(isStoppedError);
    await expect(later).rejects.toSatisfy(isStoppedError);
    wire.resolve("done");
    expect(await onWire).toBe("done");
    expect(await logout).toBe("bye");
    expect(sent).toEqual(["wire", "logout"]);
  });

  it("a call that times out while waiting leaves and is never sent", async () => {
    const gate = new CallGate();
    const sent: string[] = [];
    const wire = deferred();
    const first = gate.run(() => wire.promise, null, false);
    const timeout = new AbortController();
    const slow = gate.run(call(sent, "slow", "x"), timeout.signal, false);
    const next = gate.run(call(sent, "next", "n"), null, false);
    timeout.abort(new Error("timeout"));
    await expect(slow).rejects.toThrow("timeout");
    wire.resolve("ok");
    expect(await first).toBe("ok");
    expect(await next).toBe("n");
    expect(sent).toEqual(["next"]);
  });
});
