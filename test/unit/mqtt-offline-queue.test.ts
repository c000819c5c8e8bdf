import { describe, expect, it } from "vitest";
import { backoffDelay, describeMqttError, displayUrl } from "../../src/mqtt/diagnostics.js";
import { OfflineQueue } from "../../src/mqtt/offline-queue.js";

describe("OfflineQueue", () => {
  it("keeps the latest retained payload per topic and the last N others, in publish order", () => {
    const q = new OfflineQueue(3);
    q.push({ topic: "s/a", payload: "1", retain: true, qos: 1 });
    for (let i = 0; i < 5; i++) q.push({ topic: "e", payload: `e${i}`, retain: false, qos: 0 });
    q.push({ topic: "s/b", payload: "x", retain: true, qos: 0 });
    q.push({ topic: "s/a", payload: "2", retain: true, qos: 1 });
    expect(q.size).toBe(5);
    expect(q.dropped).toBe(2);
    expect(q.drain().map((m) => `${m.topic}=${m.payload}`)).toEqual([
      "e=e2",
      "e=e3",
      "e=e4",
      "s/b=x",
      "s/a=2",
    ]);
    expect(q.size).toBe(0);
    expect(q.dropped).toBe(0);
  });

  it("reports a drop only when one happens, and keeps empty retained payloads (HA removals)", () => {
    const q = new OfflineQueue(1);
    expect(q.push({ topic: "e", payload: "1", retain: false, qos: 0 })).toBe(false);
    expect(q.push({ topic: "e", payload: "2", retain: false, qos: 0 })).toBe(true);
    expect(q.push({ topic: "homeassistant/sensor/x/config", payload: "", retain: true, qos: 1 })).toBe(false);
    expect(q.drain()).toEqual([
      { topic: "e", payload: "2", retain: false, qos: 0 },
      { topic: "homeassistant/sensor/x/config", payload: "", retain: true, qos: 1 },
    ]);
  });

  it("holds 5000 publishes to at most the limit", () => {
    const q = new OfflineQueue(100);
    for (let i = 0; i < 5000; i++) q.push({ topic: "e", payload: String(i), retain: false, qos: 0 });
    const out = q.drain();
    expect(out).toHaveLength(100);
    expect(out[0]?.payload).toBe("4900");
  });
});

describe("diagnostics", () => {
  it("doubles the reconnect delay up to the maximum", () => {
    const r = { initialMs: 1000, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 100].map((n) => backoffDelay(n, r))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it("strips credentials from a URL shown in logs", () => {
    expect(displayUrl("mqtt://user:s3cret@broker.lan:1883")).toBe("mqtt://broker.lan:1883");
    expect(displayUrl("wss://u:p@broker.lan/mqtt")).toBe("wss://broker.lan/mqtt");
    expect(displayUrl("not a url")).toBe("(invalid MQTT URL)");
  });

  it("turns mqtt.js refusals into actionable sentences", () => {
    const err = (message: string, code: unknown) => Object.assign(new Error(message), { code });
    expect(describeMqttError(err("Connection refused: Bad username or password", 4), 1)).toMatch(
      /refused the user name or password: check MQTT_USERNAME and MQTT_PASSWORD/,
    );
    expect(describeMqttError(err("Connection refused: Not authorized", 5), 1)).toMatch(/not authorized/);
    expect(describeMqttError(err("connect ECONNREFUSED 127.0.0.1:1883", "ECONNREFUSED"), 1)).toMatch(
      /connection refused/,
    );
    expect(describeMqttError(new Error("connack timeout"), 10_000)).toBe(
      "no answer to CONNECT within 10s (is it an MQTT broker?)",
    );
    expect(describeMqttError(err("self-signed certificate", "DEPTH_ZERO_SELF_SIGNED_CERT"), 1)).toBe(
      "TLS: self-signed certificate (check MQTT_CA and the broker's certificate)",
    );
  });
});
