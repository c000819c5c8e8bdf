// Durations of MqttConnection (backoff, connect timeout, stop bound) with fake timers, so that the
// assertions are about the schedule and not about the speed of the machine. Sockets stay real.
import { afterEach, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../src/logger.js";
import { startEmbeddedBroker } from "../../src/mqtt/broker.js";
import { MqttConnection, type MqttConnectionOptions } from "../../src/mqtt/connection.js";
import {
  captureLogs,
  freePort,
  type LogCapture,
  silentServer,
  sleep,
  TcpProxy,
  until,
} from "./mqtt-helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) await c();
});

function connection(port: number, logs: LogCapture, extra: Partial<MqttConnectionOptions> = {}) {
  const c = new MqttConnection({
    url: `mqtt://127.0.0.1:${port}`,
    clientId: "timing",
    stateTopic: "f2m/bridge/state",
    logger: logs.logger,
    ...extra,
  });
  cleanups.push(() => c.stop());
  return c;
}

const fakeTimeouts = () => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });

describe("MqttConnection timing", () => {
  it("backs off exponentially up to the maximum, one log line per attempt", async () => {
    fakeTimeouts();
    const logs = captureLogs();
    const c = connection(await freePort(), logs, { reconnect: { initialMs: 1000, maxMs: 4000 } });
    const starting = c.start();
    const attempts = () => logs.matching("cannot connect");
    await until(() => attempts().length === 1, 5000, "the first attempt");
    expect(attempts()[0]).toContain("retrying in 1s");

    await vi.advanceTimersByTimeAsync(999);
    await sleep(100);
    expect(attempts()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => attempts().length === 2, 5000, "the second attempt");
    expect(attempts()[1]).toContain("retrying in 2s");

    await vi.advanceTimersByTimeAsync(2000);
    await until(() => attempts().length === 3, 5000, "the third attempt");
    expect(attempts()[2]).toContain("retrying in 4s");
    await vi.advanceTimersByTimeAsync(4000);
    await until(() => attempts().length === 4, 5000, "the fourth attempt");
    expect(attempts()[3]).toContain("retrying in 4s"); // capped

    await c.stop();
    await expect(starting).rejects.toMatchObject({ code: "stopped" });
  });

  it("gives up an attempt when a server accepts TCP but never answers CONNECT", async () => {
    const server = await silentServer();
    cleanups.push(() => server.close());
    fakeTimeouts();
    const logs = captureLogs();
    const c = connection(server.port, logs, { connectTimeoutMs: 5000 });
    const starting = c.start().catch((e: unknown) => e);
    await sleep(100);
    expect(logs.matching("cannot connect")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(5000);
    await until(() => logs.matching("cannot connect").length === 1, 5000, "the timeout");
    expect(logs.matching("cannot connect")[0]).toContain("no answer to CONNECT within 5s");

    vi.useRealTimers();
    const t0 = performance.now();
    await c.stop(); // aborts start(); nothing to wait for
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(await starting).toMatchObject({ code: "stopped" });
  });

  it("stop() ends within its bound when the broker hangs after connecting", async () => {
    const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: silentLogger });
    cleanups.push(() => broker.close());
    const proxy = new TcpProxy(broker.port);
    await proxy.listen();
    cleanups.push(() => proxy.cut());
    const logs = captureLogs();
    const c = connection(proxy.port, logs); // default stopTimeoutMs: 2000
    await c.start();

    proxy.freeze();
    fakeTimeouts();
    let stopped = false;
    const stopping = c.stop().then(() => {
      stopped = true;
    });
    // `offline` is never acknowledged: up to half the budget for it, then end() gets the rest.
    await vi.advanceTimersByTimeAsync(1999);
    await sleep(50);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => stopped, 5000, "stop()");
    await stopping;
    expect(logs.matching("did not close the connection in time")).toHaveLength(1);
    expect(c.connected).toBe(false);
  });
});
