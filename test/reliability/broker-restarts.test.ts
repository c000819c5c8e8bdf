// mosquitto restarted ten times while commands stream in at QoS 1, bridge and sender on
// persistent sessions: every command runs exactly once on the box and is answered, and after each
// restart the bridge is back online with its discovery and states.
import type { MqttClient } from "mqtt";
import { connect } from "mqtt";
import { describe, it, type TestContext } from "vitest";
import { sleep, until } from "../integration/mqtt-helpers.js";
import { BASE, type Stack, startStack } from "../integration/stack.js";
import {
  eventually,
  leaseComment,
  persistentClient,
  responsesByTransaction,
  responseTopicOf,
  untilLatest,
  writesPerComment,
} from "./helpers.js";
import { MOSQUITTO, type Mosquitto, NO_MOSQUITTO, startMosquitto } from "./mosquitto.js";

/** A persistent mosquitto and a bridge with a fixed client id (persistent session), closed at the end. */
async function restartableStack(
  ctx: TestContext,
  env: Record<string, string>,
): Promise<{ s: Stack; b: Mosquitto }> {
  const b = await startMosquitto();
  const s = await startStack({ broker: b, env });
  ctx.onTestFinished(async () => {
    await s.close();
    await b.close();
  });
  return { s, b };
}

/** A client closed when the test ends. */
function closing<T extends { close(): Promise<void> } | MqttClient>(ctx: TestContext, client: T): T {
  ctx.onTestFinished(async () => {
    if ("endAsync" in client) await client.endAsync(true);
    else await client.close();
  });
  return client;
}

const nonEmpty = (messages: { topic: string; payload: string }[]) =>
  new Set(messages.filter((m) => m.payload !== "").map((m) => m.topic));

// Each case has its own broker and bridge: they run concurrently, most of the time is waiting.
describe.skipIf(!MOSQUITTO)(`mosquitto restarts${NO_MOSQUITTO}`, { timeout: 60_000 }, () => {
  it.concurrent("executes every QoS 1 command exactly once across ten restarts and comes back each time", async (ctx) => {
    const { expect } = ctx;
    const { s, b } = await restartableStack(ctx, { MQTT_CLIENT_ID: "freebox2mqtt-reliability" });
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "online");
    await s.waitFor(`${BASE}/dhcp/static_leases`);
    await s.waitFor(`${BASE}/system`);
    // What a user sees once the bridge runs: every config and state, retained.
    await until(() => s.watch.messages.filter((m) => m.topic.startsWith("homeassistant/")).length > 40);
    await sleep(300);
    const discovery = nonEmpty(await s.retained("homeassistant/#"));
    const states = nonEmpty(await s.retained(`${BASE}/#`));
    expect(discovery.size).toBeGreaterThan(40);
    expect(states.has(`${BASE}/connection`)).toBe(true);

    const mac = s.sim.state.staticLeases[0]?.mac ?? "";
    const command = leaseComment(mac, 0);
    const responses = await persistentClient(b.url, "reliability-watcher", [
      `${BASE}/bridge/response/#`,
      `${BASE}/bridge/state`,
      `${BASE}/box/availability`,
      `${BASE}/#`,
      "homeassistant/#",
    ]);
    closing(ctx, responses);
    const client = closing(
      ctx,
      connect(b.url, {
        protocolVersion: 4,
        clientId: "reliability-sender",
        clean: false,
        reconnectPeriod: 100,
        connectTimeout: 2000,
      }),
    );
    client.on("error", () => undefined);
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));

    // Commands keep coming while the broker goes away and back; mqtt.js keeps the unacknowledged
    // ones and sends them again (at least once), the broker queues them for the bridge's session.
    let sent = 0;
    let streaming = true;
    const stream = (async () => {
      while (streaming) {
        const { topic, payload } = leaseComment(mac, sent++);
        client.publish(topic, payload, { qos: 1 });
        // A client may also send a command again itself (no answer seen yet): same transaction.
        if (sent % 10 === 0) client.publish(topic, payload, { qos: 1 });
        await sleep(25);
      }
    })();

    for (let restart = 0; restart < 10; restart++) {
      await sleep(150);
      const mark = responses.messages.length;
      await b.restart();
      // The bridge says `online` again and re-sends every config and state (a broker may come
      // back without its retained messages; here it kept them, the bridge cannot know).
      await until(
        () => responses.since(mark, `${BASE}/bridge/state`).some((m) => m.payload === "online"),
        8000,
        `bridge/state online after restart ${restart + 1}`,
      );
      await until(
        () => {
          const seen = new Set(responses.messages.slice(mark).map((m) => m.topic));
          return [...discovery, ...states].every((t) => seen.has(t));
        },
        8000,
        `discovery and states after restart ${restart + 1}`,
      );
    }
    streaming = false;
    await stream;

    // Every command answered (its response may come twice: a redelivery is answered from cache).
    const responseTopic = responseTopicOf(command.topic);
    await until(
      () => responsesByTransaction(responses.messages, responseTopic).size >= sent,
      15_000,
      `responses to ${sent} commands`,
    );
    const answered = responsesByTransaction(responses.messages, responseTopic);
    for (let n = 0; n < sent; n++) {
      const copies = answered.get(`c-${n}`) ?? [];
      expect(copies.length, `response to c-${n}`).toBeGreaterThan(0);
      for (const body of copies) expect(body).toMatchObject({ status: "ok" });
    }
    // Exactly one write per command on the box.
    const perComment = writesPerComment(s.sim);
    const counts = Array.from({ length: sent }, (_, n) => perComment.get(`c-${n}`) ?? 0);
    expect(counts.filter((c) => c !== 1)).toEqual([]);
    expect(sent).toBeGreaterThan(100);

    // A fresh subscriber sees the bridge online and everything it published.
    const retained = await s.retained("#");
    const byTopic = new Map(retained.map((m) => [m.topic, m.payload]));
    expect(byTopic.get(`${BASE}/bridge/state`)).toBe("online");
    expect(byTopic.get(`${BASE}/box/availability`)).toBe("online");
    for (const t of [...discovery, ...states]) expect(byTopic.has(t), t).toBe(true);
  });

  it.concurrent("republishes discovery and states to a broker that lost everything", async (ctx) => {
    const { expect } = ctx;
    const { s, b } = await restartableStack(ctx, { MQTT_CLIENT_ID: "freebox2mqtt-reliability-wipe" });
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "online");
    await s.waitFor(`${BASE}/dhcp/static_leases`);
    await until(() => s.watch.messages.filter((m) => m.topic.startsWith("homeassistant/")).length > 40);
    await sleep(300);
    const before = await s.retained("#");
    await b.restart({ wipe: true });
    // A new subscriber (Home Assistant restarting too) must find everything again.
    let after = new Map<string, string>();
    await eventually(async () => {
      after = new Map((await s.retained("#")).map((m) => [m.topic, m.payload]));
      return before.every((m) => after.has(m.topic));
    }, 10_000);
    expect(before.filter((m) => after.get(m.topic) !== m.payload).map((m) => m.topic)).toEqual([]);
    expect(after.get(`${BASE}/bridge/state`)).toBe("online");
  });

  it.concurrent("corrects what a crashed broker brings back from an old database", async (ctx) => {
    const { expect } = ctx;
    const { s, b } = await restartableStack(ctx, {
      MQTT_CLIENT_ID: "freebox2mqtt-reliability-crash",
      POLL_STATUS_INTERVAL: "2",
      // A lease's tracker goes with the lease (with "all", its host would keep one).
      PRESENCE_TRACKERS: "static",
    });
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "online");
    await s.waitFor(`${BASE}/dhcp/static_leases`);
    const watcher = await persistentClient(b.url, "reliability-crash-watcher", [
      `${BASE}/#`,
      "homeassistant/#",
    ]);
    closing(ctx, watcher);
    // Every lease's tracker is out before the save (trackers follow the leases' read).
    for (const lease of s.sim.state.staticLeases) {
      await s.waitFor(
        `homeassistant/device_tracker/freebox_${boxId(s)}/host_${lease.mac.replace(/:/g, "").toLowerCase()}/config`,
      );
    }
    // The database saved by this stop holds the box as it is now.
    await b.restart();
    await untilLatest(watcher.messages, `${BASE}/bridge/state`, "online");
    await sleep(300);
    // The box changes after the save: one lease goes, one comes, one is renamed.
    const leases = s.sim.state.staticLeases;
    const [gone, renamed] = [leases[0], leases[1]];
    if (!gone || !renamed) throw new Error("the simulator has no leases");
    leases.splice(0, 1);
    renamed.comment = "renamed after the save";
    leases.push({ mac: "02:00:00:00:00:99", ip: "192.168.1.250", comment: "new after the save" });
    await s.app.bridge?.refreshAll();
    const key = (mac: string) => mac.replace(/:/g, "").toLowerCase();
    const tracker = (mac: string) =>
      `homeassistant/device_tracker/freebox_${boxId(s)}/host_${key(mac)}/config`;
    await untilLatest(watcher.messages, tracker(gone.mac), "");
    // A crash: the broker comes back with the database of before the change (ghost tracker,
    // no tracker for the new lease, the old comment), as a broker restored from a backup would.
    await b.restart({ kill: true });
    // (Read before the bridge's reconnect delay has passed: the scenario did happen.)
    const restored = await s.retained("homeassistant/#");
    expect(restored.some((m) => m.topic === tracker(gone.mac) && m.payload !== "")).toBe(true);
    let after = new Map<string, string>();
    await eventually(
      async () => {
        after = new Map((await s.retained("#")).map((m) => [m.topic, m.payload]));
        return (
          !after.has(tracker(gone.mac)) &&
          !after.has(`${BASE}/dhcp/static_leases/${key(gone.mac)}`) &&
          after.has(tracker("02:00:00:00:00:99")) &&
          (after.get(`${BASE}/dhcp/static_leases/${key(renamed.mac)}`) ?? "").includes(
            "renamed after the save",
          )
        );
      },
      10_000,
      "current leases after the crash",
    );
    expect(after.get(`${BASE}/bridge/state`)).toBe("online");
    expect(after.get(`${BASE}/box/availability`)).toBe("online");
  });
});

/** The box id (MAC without separators) as the discovery topics use it. */
function boxId(s: Stack): string {
  return s.sim.state.system.mac.replace(/:/g, "").toLowerCase();
}
