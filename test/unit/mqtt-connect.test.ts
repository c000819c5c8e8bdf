// Which MQTT_URLs the bridge connects by itself (src/mqtt/connect.ts: plain mqtt:// and mqtts://)
// and which it leaves to mqtt.js's connect(); the connections themselves: mqtt-connection.test.ts.
import { describe, expect, it } from "vitest";
import { plainTarget } from "../../src/mqtt/connect.js";

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
