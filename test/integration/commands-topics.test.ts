// Which publishes under the base get an answer (README "Commands"): every one that
// is not the bridge's own output, an unknown topic naming the nearest valid one; an empty payload is
// never a command; a topic too long to answer is ignored without harm to the connection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { command, readyStack, responseTopic, writes } from "./commands-helpers.js";
import { until } from "./mqtt-helpers.js";
import { BASE, type Stack } from "./stack.js";

let stack: Stack;
/** What a stranger publishes on the bridge's own topics. */
const PROBE = '{"x":1}';

beforeAll(async () => {
  stack = await readyStack();
});

afterAll(async () => {
  await stack?.close();
});

describe("empty payloads", () => {
  it.each([
    "system/reboot",
    "dhcp/static_leases/00:24:D4:7E:00:4C/remove",
    "dhcp/config/set/dns",
    "connection/ddns/ovh/set/hostname",
    "connection/config/set/ping",
  ])("%s: refused with invalid_request, nothing reaches the box", async (relative) => {
    const before = writes(stack).length;
    const answer = await command(stack, relative, "");
    expect(answer).toEqual({
      status: "error",
      code: "invalid_request",
      error: "the payload is empty: an empty message only clears a retained one, it is never a command",
    });
    expect(writes(stack).slice(before)).toEqual([]);
  });

  it("clearing a retained command (`-r -n`) reaches nothing either", async () => {
    const before = writes(stack).length;
    await stack.publish(`${BASE}/system/reboot`, "", { retain: true });
    await stack.publish(`${BASE}/dhcp/config/set/dns`, "", { retain: true });
    // Commands run in arrival order per resource: once this one is answered, the others were seen.
    expect((await command(stack, "bridge/request/refresh", "PRESS")).status).toBe("ok");
    expect(writes(stack).slice(before)).toEqual([]);
  });
});

describe("unknown topics under the base", () => {
  it.each([
    ["system/foo", "freebox2mqtt/system/reboot"],
    ["dhcp/static_leases/set", "freebox2mqtt/dhcp/static_leases/<mac>/set"],
    ["connection/config/SET", "freebox2mqtt/connection/config/set"],
  ])("%s: unknown_command, did you mean %s?", async (relative, nearest) => {
    const before = writes(stack).length;
    const answer = await command(stack, relative, '{"ping":true}');
    expect(answer).toEqual({
      status: "error",
      code: "unknown_command",
      error: `unknown command topic ${JSON.stringify(relative)}: did you mean ${JSON.stringify(nearest)}?`,
    });
    expect(writes(stack).slice(before)).toEqual([]);
  });

  it("the bridge's own outputs are never answered, whoever publishes them (no loop)", async () => {
    const own = [
      "connection",
      "connection/config",
      "dhcp/static_leases",
      "dhcp/static_leases/0024d47e004c",
      "bridge/state",
      "bridge/info",
      "box/availability",
      "bridge/response/system/foo",
    ];
    const from = stack.watch.messages.length;
    for (const relative of own) await stack.publish(`${BASE}/${relative}`, PROBE);
    // One answered command after them: the bridge has handled everything published before it.
    await command(stack, "system/fooo", "x");
    // Only that one answer, once: a response is itself never answered.
    const answers = stack.watch.messages
      .slice(from)
      .filter((m) => m.topic.startsWith(`${BASE}/bridge/response/`) && m.payload !== PROBE);
    expect(answers.map((m) => m.topic)).toEqual([responseTopic("system/fooo")]);
  });
});

describe("topics near MQTT's 65,535-byte limit", () => {
  it("a command whose response topic would be too long is ignored; the bridge keeps answering", async () => {
    let stopped = false;
    void stack.app.done.then(() => {
      stopped = true;
    });
    const before = writes(stack).length;
    // `freebox2mqtt/system/reboot/<x…>` fits in 65,535 bytes, its response topic (16 bytes more) does not.
    const relative = `system/reboot/${"x".repeat(65_535 - BASE.length - 1 - "system/reboot/".length - 4)}`;
    const topic = `${BASE}/${relative}`;
    expect(Buffer.byteLength(topic)).toBe(65_531);
    await stack.publish(topic, "PRESS");
    await until(() => stack.logs.matching("would exceed MQTT's limit").length > 0, 5000, "the log line");
    // Later publishes still get through, on the same connection.
    expect(await command(stack, "connection/config/set/ping", "ON")).toMatchObject({ status: "ok" });
    expect(stopped).toBe(false);
    expect(
      writes(stack)
        .slice(before)
        .map((r) => r.path),
    ).toEqual(["connection/config/"]);
  });
});
