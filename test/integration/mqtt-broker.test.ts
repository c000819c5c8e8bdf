// The embedded aedes broker: authentication, a clear error for a taken port, a bounded close().
import { connect as netConnect } from "node:net";
import { connect, type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/logger.js";
import { EmbeddedBrokerError, startEmbeddedBroker } from "../../src/mqtt/broker.js";
import { captureLogs, observe, until } from "./mqtt-helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const PASSWORD = "Br0ker-Pa55word-xyz";

/** Connects once; resolves with the CONNACK return code (0 = accepted), MQTT 3.1.1 §3.2.2.3. */
function connackCode(url: string, auth: { username?: string; password?: string }): Promise<number> {
  const client: MqttClient = connect(url, { protocolVersion: 4, reconnectPeriod: 0, ...auth });
  return new Promise<number>((resolve) => {
    client.once("connect", () => resolve(0));
    client.once("error", (error) => resolve(Number((error as { code?: unknown }).code)));
  }).finally(() => client.end(true));
}

describe("embedded broker", () => {
  it("requires the configured credentials: anonymous gets 5, a wrong password 4", async () => {
    const logs = captureLogs();
    const b = await startEmbeddedBroker({
      host: "127.0.0.1",
      port: 0,
      username: "bridge",
      password: PASSWORD,
      logger: logs.logger,
    });
    cleanups.push(() => b.close());
    expect(b.url).toBe(`mqtt://127.0.0.1:${b.port}`);
    expect(await connackCode(b.url, {})).toBe(5);
    expect(await connackCode(b.url, { username: "bridge", password: "wrong" })).toBe(4);
    expect(await connackCode(b.url, { username: "other", password: PASSWORD })).toBe(4);
    expect(await connackCode(b.url, { username: "bridge" })).toBe(4);
    expect(await connackCode(b.url, { username: "bridge", password: PASSWORD })).toBe(0);
    await until(() => logs.matching("connected").length > 0, 2000, "the debug line");
    expect(logs.matching("bad user name or password").length).toBeGreaterThan(0);
    for (const line of logs.lines) expect(line).not.toContain(PASSWORD);
  });

  it("accepts anonymous clients when no credentials are configured", async () => {
    const b = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: silentLogger });
    cleanups.push(() => b.close());
    expect(await connackCode(b.url, {})).toBe(0);
  });

  it("refuses a user name without a password (it would let in anyone who knows the name)", async () => {
    for (const auth of [
      { username: "bridge" },
      { username: "bridge", password: "" },
      { password: PASSWORD },
    ]) {
      const start = startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: silentLogger, ...auth });
      await expect(start).rejects.toThrow(
        "the embedded MQTT broker needs both MQTT_USERNAME and MQTT_PASSWORD, or neither",
      );
    }
  });

  it("warns when it would listen beyond loopback without credentials", async () => {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: the listen fails, nothing is exposed,
    // and the warning has been said before it.
    const open = captureLogs();
    await expect(startEmbeddedBroker({ host: "192.0.2.1", port: 0, logger: open.logger })).rejects.toThrow(
      "not an address of this machine",
    );
    expect(open.matching("listens on 192.0.2.1 without credentials")).toHaveLength(1);
    expect(open.matching('"level":"warn"')).toHaveLength(1);
    const guarded = captureLogs();
    await expect(
      startEmbeddedBroker({
        host: "192.0.2.1",
        port: 0,
        logger: guarded.logger,
        username: "u",
        password: PASSWORD,
      }),
    ).rejects.toThrow();
    const local = captureLogs();
    const b = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: local.logger });
    cleanups.push(() => b.close());
    expect([...guarded.matching("without credentials"), ...local.matching("without credentials")]).toEqual(
      [],
    );
  });

  it("says in one sentence that the port is taken", async () => {
    const first = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: silentLogger });
    cleanups.push(() => first.close());
    const second = startEmbeddedBroker({ host: "127.0.0.1", port: first.port, logger: silentLogger });
    await expect(second).rejects.toBeInstanceOf(EmbeddedBrokerError);
    await expect(second).rejects.toThrow(
      new RegExp(
        `^MQTT port ${first.port} on 127\\.0\\.0\\.1 is already in use \\(another broker\\?\\): set MQTT_EMBEDDED_PORT to a free port, or MQTT_URL to use that broker$`,
      ),
    );
  });

  it("close() ends clients, silent sockets and the listener within its bound", async () => {
    const b = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: silentLogger });
    const o = await observe(b.url, ["#"]);
    const silent = netConnect(b.port, "127.0.0.1"); // never sends CONNECT
    silent.on("error", () => undefined);
    await new Promise<void>((resolve) => silent.once("connect", () => resolve()));
    let closedByBroker = false;
    silent.once("close", () => {
      closedByBroker = true;
    });

    const t0 = performance.now();
    await Promise.all([b.close(), b.close()]);
    expect(performance.now() - t0).toBeLessThan(5000);
    await until(() => closedByBroker && !o.client.connected, 2000, "the clients to be closed");
    expect(await connackCode(b.url, {}).catch(() => -1)).not.toBe(0);
    await o.close();
  });
});
