// MqttConnection against a real embedded aedes broker and real mqtt.js clients on loopback; over
// TLS, an aedes broker behind node:tls with the test CA's certificate for 127.0.0.1 (test/fixtures/tls).
import { readFileSync } from "node:fs";
import { createServer as createTcpServer, type Server } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { fileURLToPath } from "node:url";
import { Aedes } from "aedes";
import { connectAsync } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/logger.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/mqtt/broker.js";
import { MqttConnection, type MqttConnectionOptions } from "../../src/mqtt/connection.js";
import {
  captureLogs,
  freePort,
  type LogCapture,
  observe,
  retainedOn,
  sleep,
  TcpProxy,
  until,
} from "./mqtt-helpers.js";

const STATE = "f2m/bridge/state";
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function broker(port = 0): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker({ host: "127.0.0.1", port, logger: silentLogger });
  cleanups.push(() => b.close());
  return b;
}

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url));

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );

/** One aedes broker behind a TLS listener and a plain one (to read what the TLS client left). */
async function tlsBroker(leaf: "leaf" | "wrong-name" = "leaf") {
  const aedes = await Aedes.createBroker();
  const secure = createTlsServer(
    { key: readFileSync(fixturePath(`${leaf}.key`)), cert: readFileSync(fixturePath(`${leaf}.pem`)) },
    (socket) => aedes.handle(socket),
  );
  const plain = createTcpServer((socket) => aedes.handle(socket));
  const [tlsPort, plainPort] = [await listen(secure), await listen(plain)];
  cleanups.push(async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    for (const server of [secure, plain]) await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { tlsUrl: `mqtts://127.0.0.1:${tlsPort}`, plainUrl: `mqtt://127.0.0.1:${plainPort}` };
}

function connection(url: string, logs: LogCapture, extra: Partial<MqttConnectionOptions> = {}) {
  const c = new MqttConnection({
    url,
    clientId: `test_${Math.random().toString(16).slice(2)}`,
    stateTopic: STATE,
    logger: logs.logger,
    reconnect: { initialMs: 50, maxMs: 200 },
    ...extra,
  });
  cleanups.push(() => c.stop());
  return c;
}

describe("MqttConnection", () => {
  it("publishes a retained `online` on connect, subscribes at QoS 1 and delivers messages", async () => {
    const b = await broker();
    const logs = captureLogs();
    const c = connection(b.url, logs);
    let connects = 0;
    c.onConnect(() => connects++);
    const received: string[] = [];
    c.onMessage((topic, payload) => received.push(`${topic}=${payload.toString()}`));
    await c.subscribe(["f2m/cmd/#"]);
    await c.start();
    expect(c.connected).toBe(true);
    expect(connects).toBe(1);
    expect(await retainedOn(b.url, STATE)).toBe("online");

    const o = await observe(b.url, []);
    cleanups.push(() => o.close());
    await o.client.publishAsync("f2m/cmd/x", "hello", { qos: 1 });
    await until(() => received.length === 1, 5000, "the command");
    expect(received).toEqual(["f2m/cmd/x=hello"]);

    await c.publish("f2m/state", '{"a":1}', { retain: true, qos: 1 });
    expect(await retainedOn(b.url, "f2m/state")).toBe('{"a":1}');
  });

  it("holds messages that arrive before any handler (bounded), and gives them to the first one in order", async () => {
    const b = await broker();
    const logs = captureLogs();
    const c = connection(b.url, logs, { queueLimit: 3 });
    await c.subscribe(["f2m/cmd/#"]);
    await c.start();
    const o = await observe(b.url, []);
    cleanups.push(() => o.close());
    // One publisher: the broker delivers them to us in this order (MQTT 3.1.1 §4.6).
    const sent = ["1", "2", "3", "4", "5", "sync"];
    for (const n of sent) await o.client.publishAsync(`f2m/cmd/${n}`, n, { qos: 1 });
    await until(() => logs.matching("dropping the oldest").length > 0, 5000, "the drop warning");
    const received: string[] = [];
    c.onMessage((_topic, payload) => received.push(payload.toString()));
    await until(() => received.includes("sync"), 5000, "the last message");
    // What was held comes first, in order, then the rest: a contiguous run ending with the last
    // one, without the oldest (dropped once more than 3 were held).
    expect(received.at(-1)).toBe("sync");
    expect(sent.join(",").endsWith(received.join(","))).toBe(true);
    expect(received).not.toContain("1");
    expect(logs.matching("dropping the oldest")).toHaveLength(1);
  });

  it("leaves `offline` (last will, retained) when the connection dies", async () => {
    const b = await broker();
    const proxy = new TcpProxy(b.port);
    await proxy.listen();
    cleanups.push(() => proxy.cut());
    const c = connection(`mqtt://127.0.0.1:${proxy.port}`, captureLogs());
    await c.start();
    const o = await observe(b.url, [STATE]);
    cleanups.push(() => o.close());
    await until(() => o.on(STATE).length === 1, 5000, "retained online");

    await proxy.cut(); // the socket dies without DISCONNECT: the broker sends the will (§3.1.2.5)
    await until(() => o.on(STATE).some((m) => m.payload === "offline"), 5000, "the will");
    expect(await retainedOn(b.url, STATE)).toBe("offline");
  });

  it("says `online` again when another client leaves something else on bridge/state (a late will, a stray publish)", async () => {
    const b = await broker();
    const logs = captureLogs();
    const c = connection(b.url, logs);
    c.onMessage(() => {});
    await c.subscribe(["f2m/#"]); // the bridge's own subscription covers its state topic
    await c.start();
    const o = await observe(b.url, [STATE]);
    cleanups.push(() => o.close());
    await until(() => o.on(STATE).length === 1, 5000, "retained online");

    // An earlier connection of this bridge whose death the broker notices only now: its will lands
    // on the state topic after our birth.
    const proxy = new TcpProxy(b.port);
    await proxy.listen();
    cleanups.push(() => proxy.cut());
    const stale = await connectAsync(`mqtt://127.0.0.1:${proxy.port}`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: { topic: STATE, payload: Buffer.from("offline"), qos: 1, retain: true },
    });
    stale.on("error", () => {});
    cleanups.push(() => stale.endAsync(true));
    await proxy.cut();
    await until(() => o.on(STATE).some((m) => m.payload === "offline"), 5000, "the stale will");
    await until(() => o.on(STATE).at(-1)?.payload === "online", 5000, "online again");
    expect(await retainedOn(b.url, STATE)).toBe("online");

    await o.client.publishAsync(STATE, "garbage", { qos: 1, retain: true });
    await until(() => o.on(STATE).at(-1)?.payload === "online", 5000, "online after a stray publish");
    expect(await retainedOn(b.url, STATE)).toBe("online");
    expect(logs.matching("a late last will, or a second bridge")).toHaveLength(2);

    // Our own stop's `offline` stays.
    await c.stop();
    await until(() => o.on(STATE).at(-1)?.payload === "offline", 5000, "offline at stop");
    await sleep(200);
    expect(await retainedOn(b.url, STATE)).toBe("offline");
  });

  it("start() keeps retrying, one log line per attempt, until a broker appears", async () => {
    const port = await freePort();
    const logs = captureLogs();
    const c = connection(`mqtt://127.0.0.1:${port}`, logs);
    let started = false;
    const starting = c.start().then(() => {
      started = true;
    });
    await until(() => logs.matching("cannot connect").length >= 3, 5000, "three attempts");
    expect(started).toBe(false);
    for (const line of logs.matching("cannot connect")) {
      expect(line).toMatch(/connection refused .*retrying in \d+ ms/);
    }
    const b = await broker(port);
    await starting;
    expect(c.connected).toBe(true);
    expect(await retainedOn(b.url, STATE)).toBe("online");
  });

  it("reconnects after the broker restarts: `online` again, subscriptions renewed, onConnect again", async () => {
    const first = await broker();
    const port = first.port;
    const logs = captureLogs();
    const c = connection(first.url, logs);
    let connects = 0;
    c.onConnect(() => connects++);
    const received: string[] = [];
    c.onMessage((topic) => received.push(topic));
    await c.start();
    await c.subscribe(["f2m/cmd/+"]);

    await first.close();
    await until(() => !c.connected, 5000, "the loss");
    await until(() => logs.matching("cannot connect").length >= 1, 5000, "a failed attempt");
    expect(logs.matching("lost the MQTT connection")).toHaveLength(1);

    const second = await broker(port);
    await until(() => connects === 2, 5000, "the second onConnect");
    expect(await retainedOn(second.url, STATE)).toBe("online");
    const o = await observe(second.url, []);
    cleanups.push(() => o.close());
    await o.client.publishAsync("f2m/cmd/reboot", "PRESS", { qos: 1 });
    await until(() => received.includes("f2m/cmd/reboot"), 5000, "the command after reconnect");
  });

  it("keeps a bounded queue while offline: latest retained per topic, the last N others, in order", async () => {
    const b = await broker();
    const proxy = new TcpProxy(b.port);
    await proxy.listen();
    cleanups.push(() => proxy.cut());
    const logs = captureLogs();
    const c = connection(`mqtt://127.0.0.1:${proxy.port}`, logs, { queueLimit: 100 });
    await c.start();
    const o = await observe(b.url, [STATE, "q/#"]);
    cleanups.push(() => o.close());

    await proxy.cut();
    await until(() => !c.connected, 5000, "the loss");
    const publishes: Promise<void>[] = [];
    for (let i = 0; i < 5000; i++) {
      publishes.push(c.publish("q/event", String(i)));
      if (i % 100 === 0) publishes.push(c.publish("q/state", `s${i}`, { retain: true, qos: 1 }));
    }
    await Promise.all(publishes); // queued messages resolve at once: a long outage blocks nobody
    expect(logs.matching("dropping older ones")).toHaveLength(1);

    await proxy.listen();
    await until(() => o.on("q/event").some((m) => m.payload === "4999"), 10_000, "the flush");
    await sleep(200);
    const events = o.on("q/event").map((m) => Number(m.payload));
    expect(events.length).toBeLessThanOrEqual(100);
    expect(events).toEqual(Array.from({ length: 100 }, (_, i) => 4900 + i));
    expect(o.on("q/state").map((m) => m.payload)).toEqual(["s4900"]);
    expect(o.on(STATE).map((m) => m.payload)).toEqual(["online", "offline", "online"]);
    // On the wire, `online` goes out before the flushed messages. (aedes may deliver across topics
    // in another order, which MQTT 3.1.1 §4.6 allows: only per-topic order is guaranteed.)
    const wire = Buffer.concat(proxy.sent);
    expect(wire.indexOf("online")).toBeGreaterThan(0);
    expect(wire.indexOf("online")).toBeLessThan(wire.indexOf("q/event"));
    expect(wire.indexOf("online")).toBeLessThan(wire.indexOf("q/state"));
  });

  it("stop() publishes `offline`, disconnects, and is idempotent", async () => {
    const b = await broker();
    const c = connection(b.url, captureLogs());
    await c.start();
    const o = await observe(b.url, [STATE]);
    cleanups.push(() => o.close());
    await until(() => o.on(STATE).length === 1, 5000, "online");
    await Promise.all([c.stop(), c.stop()]);
    await c.stop();
    expect(c.connected).toBe(false);
    await until(() => o.on(STATE).some((m) => m.payload === "offline"), 5000, "offline");
    expect(await retainedOn(b.url, STATE)).toBe("offline");
    await c.publish("f2m/late", "x"); // after stop: dropped, never rejects nor hangs
  });

  it("names an unreadable TLS file", async () => {
    const c = connection("mqtts://127.0.0.1:8883", captureLogs(), { ca: "/nonexistent/ca.pem" });
    await expect(c.start()).rejects.toThrow(
      /cannot read the MQTT CA file "\/nonexistent\/ca.pem" \(ENOENT\)/,
    );
  });

  it("never logs the password, even when the broker refuses it or the URL carries it", async () => {
    const password = "Sup3r-Secret-Pa55";
    const b = await startEmbeddedBroker({
      host: "127.0.0.1",
      port: 0,
      username: "bridge",
      password: "the-right-one",
      logger: silentLogger,
    });
    cleanups.push(() => b.close());
    const logs = captureLogs();
    const url = `mqtt://bridge:${password}@127.0.0.1:${b.port}`;
    const c = connection(url, logs, { username: "bridge", password });
    const starting = c.start().catch(() => undefined);
    await until(() => logs.matching("cannot connect").length >= 2, 5000, "two refusals");
    expect(logs.matching("cannot connect")[0]).toContain(
      "the broker refused the user name or password: check MQTT_USERNAME and MQTT_PASSWORD",
    );
    await c.stop();
    await starting;
    expect(logs.lines.length).toBeGreaterThan(2);
    for (const line of logs.lines) expect(line).not.toContain(password);
  });
});

describe("mqtts:// built by the bridge", () => {
  it("connects when the broker's certificate chains to MQTT_CA and names the host", async () => {
    const secure = await tlsBroker();
    const c = connection(secure.tlsUrl, captureLogs(), { ca: fixturePath("ca.pem") });
    await c.start();
    expect(c.connected).toBe(true);
    await c.publish("f2m/over-tls", "hello", { retain: true, qos: 1 });
    expect(await retainedOn(secure.plainUrl, "f2m/over-tls")).toBe("hello");
    expect(await retainedOn(secure.plainUrl, STATE)).toBe("online");
  });

  it("refuses a certificate it cannot verify, and one issued for another name, and says why", async () => {
    for (const [leaf, ca, reason] of [
      ["leaf", undefined, /TLS: .*(self-signed|unable to verify|issuer)/i],
      ["wrong-name", fixturePath("ca.pem"), /TLS: .*(altnames|does not match|IP: 127\.0\.0\.1)/i],
    ] as const) {
      const secure = await tlsBroker(leaf);
      const logs = captureLogs();
      const c = connection(secure.tlsUrl, logs, ca ? { ca } : {});
      void c.start().catch(() => undefined);
      await until(() => logs.lines.some((line) => reason.test(line)), 5000, `the TLS failure for ${leaf}`);
      expect(c.connected).toBe(false);
      expect(await retainedOn(secure.plainUrl, STATE)).toBeNull();
      await c.stop();
    }
  });
});
