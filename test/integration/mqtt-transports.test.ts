// The bridge's MQTT client builds plain mqtt:// and mqtts:// connections itself (src/mqtt/connect.ts)
// and leaves every other URL to mqtt.js's connect(). Over TLS: an aedes broker behind node:tls with
// the test CA's certificate for 127.0.0.1 (test/fixtures/tls).
import { readFileSync } from "node:fs";
import { createServer as createTcpServer, type Server } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { fileURLToPath } from "node:url";
import { Aedes } from "aedes";
import { afterEach, describe, expect, it } from "vitest";
import { plainTarget } from "../../src/mqtt/connect.js";
import { MqttConnection } from "../../src/mqtt/connection.js";
import { captureLogs, retainedOn, until } from "./mqtt-helpers.js";

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url));
const STATE = "f2m/bridge/state";
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

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

function connection(url: string, ca?: string) {
  const logs = captureLogs();
  const c = new MqttConnection({
    url,
    clientId: `tls_${Math.random().toString(16).slice(2)}`,
    stateTopic: STATE,
    logger: logs.logger,
    reconnect: { initialMs: 50, maxMs: 200 },
    ...(ca ? { ca } : {}),
  });
  cleanups.push(() => c.stop());
  return { c, logs };
}

describe("plainTarget: the URLs the bridge connects by itself", () => {
  it("reads host and port of plain mqtt:// and mqtts:// URLs, with their default ports", () => {
    expect(plainTarget("mqtt://Broker.lan", {}, {})).toEqual({
      protocol: "mqtt",
      host: "broker.lan",
      port: 1883,
    });
    expect(plainTarget("mqtts://broker.lan/", {}, {})).toEqual({
      protocol: "mqtts",
      host: "broker.lan",
      port: 8883,
    });
    expect(plainTarget("mqtt://127.0.0.1:1884", {}, {})).toEqual({
      protocol: "mqtt",
      host: "127.0.0.1",
      port: 1884,
    });
    expect(plainTarget("mqtt://[::1]:1885", {}, {})).toEqual({ protocol: "mqtt", host: "::1", port: 1885 });
  });

  it("like mqtt.js, turns mqtt:// into TLS when a client certificate and key are given", () => {
    const pair = { cert: "CERT", key: "KEY" };
    expect(plainTarget("mqtt://broker.lan", pair, {})).toEqual({
      protocol: "mqtts",
      host: "broker.lan",
      port: 8883,
    });
    expect(plainTarget("mqtt://broker.lan:1883", pair, {})).toMatchObject({ protocol: "mqtts", port: 1883 });
    expect(plainTarget("mqtt://broker.lan", { cert: "CERT" }, {})).toMatchObject({ protocol: "mqtt" });
  });

  it("leaves WebSockets, credentials or a query in the URL, and a SOCKS proxy to mqtt.js", () => {
    for (const url of [
      "ws://broker.lan:9001/mqtt",
      "wss://broker.lan",
      "mqtt://user:secret@broker.lan",
      "mqtt://broker.lan?clientId=x",
      "mqtt://broker.lan/path",
      "not a url",
    ]) {
      expect(plainTarget(url, {}, {}), url).toBeUndefined();
    }
    expect(
      plainTarget("mqtt://broker.lan", {}, { MQTTJS_SOCKS_PROXY: "socks5://127.0.0.1:1080" }),
    ).toBeUndefined();
  });
});

describe("mqtts:// built by the bridge", () => {
  it("connects when the broker's certificate chains to MQTT_CA and names the host", async () => {
    const broker = await tlsBroker();
    const { c } = connection(broker.tlsUrl, fixturePath("ca.pem"));
    await c.start();
    expect(c.connected).toBe(true);
    await c.publish("f2m/over-tls", "hello", { retain: true, qos: 1 });
    expect(await retainedOn(broker.plainUrl, "f2m/over-tls")).toBe("hello");
    expect(await retainedOn(broker.plainUrl, STATE)).toBe("online");
  });

  it("refuses a certificate it cannot verify, and one issued for another name, and says why", async () => {
    for (const [leaf, ca, reason] of [
      ["leaf", undefined, /TLS: .*(self-signed|unable to verify|issuer)/i],
      ["wrong-name", fixturePath("ca.pem"), /TLS: .*(altnames|does not match|IP: 127\.0\.0\.1)/i],
    ] as const) {
      const broker = await tlsBroker(leaf);
      const { c, logs } = connection(broker.tlsUrl, ca);
      void c.start().catch(() => undefined);
      await until(() => logs.lines.some((line) => reason.test(line)), 5000, `the TLS failure for ${leaf}`);
      expect(c.connected).toBe(false);
      expect(await retainedOn(broker.plainUrl, STATE)).toBeNull();
      await c.stop();
    }
  });
});
