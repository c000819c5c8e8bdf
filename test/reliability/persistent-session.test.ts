// A persistent session (MQTT_CLIENT_ID set): QoS 1 commands sent while the bridge was stopped are
// queued by mosquitto and delivered right after CONNACK, before the bridge exists (the app connects
// to MQTT, then pairs, then builds the bridge). They must run once the bridge is up, and be answered.
import { describe, it } from "vitest";
import { until } from "../integration/mqtt-helpers.js";
import { BASE, startStack } from "../integration/stack.js";
import { command, leaseComment, responseTopicOf, writesPerComment } from "./helpers.js";
import { MOSQUITTO, NO_MOSQUITTO, startMosquitto } from "./mosquitto.js";

describe.skipIf(!MOSQUITTO)(`persistent session${NO_MOSQUITTO}`, { timeout: 30_000 }, () => {
  it("commands queued while the bridge was stopped run once it is back, and are answered", async (ctx) => {
    const { expect } = ctx;
    const broker = await startMosquitto();
    const s = await startStack({ broker, env: { MQTT_CLIENT_ID: "freebox2mqtt-persistent" } });
    ctx.onTestFinished(async () => {
      await s.close();
      await broker.close();
    });
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "online");
    const mac = s.sim.state.staticLeases[0]?.mac;
    if (!mac) throw new Error("the simulator needs a static lease");

    await s.app.stop();
    // The broker keeps the bridge's session and subscription: these are queued for it.
    const queued = [1, 2, 3].map((n) => leaseComment(mac, n, "away"));
    for (const c of queued) await s.publish(c.topic, c.payload);
    await s.publish(`${BASE}/system/foo`, "x");

    await s.restartApp();
    const topic = responseTopicOf(queued[0]?.topic ?? "");
    await until(() => s.watch.on(topic).length >= 3, 10_000, "the answers to the queued commands");
    const answers = s.watch.on(topic).map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    expect(answers).toEqual(
      [1, 2, 3].map((n) => ({ status: "ok", data: expect.anything(), transaction: `away-${n}` })),
    );
    // Written to the box once each, in the order they were sent.
    expect([...writesPerComment(s.sim)].filter(([c]) => c.startsWith("away-"))).toEqual([
      ["away-1", 1],
      ["away-2", 1],
      ["away-3", 1],
    ]);
    await until(() => s.watch.on(`${BASE}/bridge/response/system/foo`).length > 0, 5000, "unknown_command");
    // And the bridge goes on answering live commands.
    const live = await command(s, `${BASE}/dhcp/static_leases/${mac}/set`, {
      comment: "live",
      transaction: "l",
    });
    expect(live).toMatchObject({ status: "ok", transaction: "l" });
  });
});
