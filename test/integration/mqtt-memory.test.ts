// mqtt-packet pre-builds 65,536 two-byte Buffers (6 MB of heap) at the first packet it writes unless
// told not to (clientOptions: writeCache false). A file of its own: a fresh process, whose first
// MQTT packets are the bridge's, as in the app (the embedded broker writes only once a client is in).
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/logger.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/mqtt/broker.js";
import { MqttConnection } from "../../src/mqtt/connection.js";
import { retainedOn } from "./mqtt-helpers.js";

// mqtt-packet as mqtt.js resolves it (one copy, shared with aedes: `npm ls mqtt-packet`).
const numbers = createRequire(createRequire(import.meta.url).resolve("mqtt"))("mqtt-packet/numbers.js") as {
  cache: Record<number, Buffer>;
};

let broker: EmbeddedBroker | undefined;
let connection: MqttConnection | undefined;
afterEach(async () => {
  await connection?.stop();
  await broker?.close();
});

/** The embedded broker and the bridge's connection to it, started as the app starts them. */
async function bridgeClient(clientId: string): Promise<{ client: MqttConnection; brokerUrl: string }> {
  broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: silentLogger });
  connection = new MqttConnection({
    url: broker.url,
    clientId,
    stateTopic: "f2m/bridge/state",
    logger: silentLogger,
  });
  await connection.start();
  return { client: connection, brokerUrl: broker.url };
}

/** Whether a package's code was loaded in this process (CommonJS: mqtt.js and its transports). */
const loaded = (pkg: string) =>
  Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(`/node_modules/${pkg}/`));

describe("MQTT memory", () => {
  // Before any other test of this file connects with mqtt.js's connect(), which loads them all.
  it("a plain mqtt:// connection loads neither the WebSocket nor the SOCKS transport", async () => {
    const { client } = await bridgeClient("transport_test");
    await client.publish("f2m/t", "x", { retain: true, qos: 1 });
    expect(loaded("mqtt")).toBe(true);
    expect(loaded("ws")).toBe(false);
    expect(loaded("socks")).toBe(false);
  });

  it("no packet-number cache is built, by the bridge's client or by the embedded broker", async () => {
    const { client, brokerUrl } = await bridgeClient("memory_test");
    for (let i = 0; i < 20; i++)
      await client.publish(`f2m/t/${i}`, "x".repeat(300), { retain: true, qos: 1 });
    expect(await retainedOn(brokerUrl, "f2m/t/19")).toBe("x".repeat(300));
    expect(Object.keys(numbers.cache)).toHaveLength(0);
  });
});
