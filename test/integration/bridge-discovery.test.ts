// Home Assistant discovery over time: a media change, HA's birth message, a lease deleted on the
// box, and the ghosts an earlier run left on the broker (reconciliation after a restart).
import { afterEach, describe, expect, it } from "vitest";
import {
  boxIdOf,
  configTopics,
  hostStateTopic,
  leaseConfigTopic,
  leaseStateTopic,
  PREFIX,
  quiet,
  retainedMap,
  settled,
  since,
  startBridge,
  untilRetained,
} from "./bridge-helpers.js";
import { sleep, until } from "./mqtt-helpers.js";
import { BASE, type Stack } from "./stack.js";

// Lease tests: trackers for static leases only (PRESENCE_TRACKERS=static), so that a lease's tracker
// comes and goes with the lease (with "all", its host keeps one while the box lists it).
const STATIC_TRACKERS = { PRESENCE_TRACKERS: "static" };

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const isLine = (line: "xdsl" | "ftth") => (topic: string) =>
  line === "xdsl" ? /\/xdsl_[a-z_]+\/config$/.test(topic) : /\/(ftth_link|sfp_[a-z_]+)\/config$/.test(topic);

/** A state topic (not a bridge topic nor the box availability). */
const isState = (topic: string) =>
  topic.startsWith(`${BASE}/`) &&
  !topic.startsWith(`${BASE}/bridge/`) &&
  topic !== `${BASE}/box/availability`;

describe("bridge: line media change", () => {
  it("fibre → xDSL clears connection/ftth and every FTTH config, publishes the xDSL ones; and back", async () => {
    stack = await startBridge();
    let retained = await retainedMap(stack);
    const ftthConfigs = configTopics(retained).filter(isLine("ftth"));
    expect(ftthConfigs.length).toBeGreaterThanOrEqual(4);
    expect(configTopics(retained).filter(isLine("xdsl"))).toEqual([]);
    expect(retained.has(`${BASE}/connection/ftth`)).toBe(true);

    const from = stack.watch.messages.length;
    stack.sim.setMedia("xdsl");
    await stack.app.bridge?.refreshAll();
    await quiet(stack);
    // Each FTTH config and the FTTH state removed with an EMPTY RETAINED payload.
    const cleared = since(stack, from)
      .filter((m) => m.payload === "")
      .map((m) => m.topic);
    expect(cleared.sort()).toEqual([...ftthConfigs, `${BASE}/connection/ftth`].sort());
    retained = await retainedMap(stack);
    expect(configTopics(retained).filter(isLine("ftth"))).toEqual([]);
    expect(retained.has(`${BASE}/connection/ftth`)).toBe(false);
    const xdslConfigs = configTopics(retained).filter(isLine("xdsl"));
    expect(xdslConfigs.length).toBeGreaterThan(20);
    expect(JSON.parse(retained.get(`${BASE}/connection/xdsl`) ?? "{}")).toHaveProperty("status");
    expect(JSON.parse(retained.get(`${BASE}/connection`) ?? "{}").media).toBe("xdsl");

    stack.sim.setMedia("ftth");
    await stack.app.bridge?.refreshAll();
    await quiet(stack);
    retained = await retainedMap(stack);
    expect(configTopics(retained).filter(isLine("xdsl"))).toEqual([]);
    expect(retained.has(`${BASE}/connection/xdsl`)).toBe(false);
    expect(configTopics(retained).filter(isLine("ftth")).sort()).toEqual(ftthConfigs.sort());
    expect(retained.has(`${BASE}/connection/ftth`)).toBe(true);
  });
});

describe("bridge: Home Assistant birth", () => {
  it("after `online` on homeassistant/status and a short delay: every config, then every state", async () => {
    stack = await startBridge();
    const retained = await retainedMap(stack);
    const configs = configTopics(retained);
    const from = stack.watch.messages.length;
    await stack.publish(`${PREFIX}/status`, "online");
    const s = stack;
    await until(() => since(s, from).some((m) => m.topic === `${BASE}/system`), 5000, "states re-sent");
    await quiet(stack);
    const after = since(stack, from).filter((m) => m.topic !== `${PREFIX}/status`);
    const lastConfig = after.map((m) => m.topic.startsWith(`${PREFIX}/`)).lastIndexOf(true);
    const firstState = after.findIndex((m) => isState(m.topic));
    expect(lastConfig).toBeGreaterThanOrEqual(0);
    expect(firstState).toBeGreaterThan(lastConfig);
    // Everything re-sent: each config, each state (same payloads: nothing changed on the box).
    const resent = new Map(after.map((m) => [m.topic, m.payload]));
    for (const topic of configs) expect(resent.get(topic), topic).toBe(retained.get(topic));
    for (const topic of [...retained.keys()].filter(isState)) {
      expect(resent.get(topic), topic).toBe(retained.get(topic));
    }
  });

  it("births within the delay share one republish", async () => {
    stack = await startBridge({
      app: { bridge: { birthDelayMs: { min: 2500, max: 2500 }, heartbeatMs: 60_000 } },
    });
    const from = stack.watch.messages.length;
    for (let i = 0; i < 30; i++) await stack.publish(`${PREFIX}/status`, "online");
    const s = stack;
    await until(() => since(s, from).some((m) => m.topic === `${BASE}/system`), 8000, "states re-sent");
    await quiet(stack);
    const resent = since(stack, from).filter((m) => m.topic !== `${PREFIX}/status`);
    expect(resent.filter((m) => m.topic === `${BASE}/bridge/info`)).toHaveLength(1);
    expect(resent.filter((m) => m.topic === `${BASE}/system`)).toHaveLength(1);
    // A birth after that republish gets its own.
    const next = stack.watch.messages.length;
    await stack.publish(`${PREFIX}/status`, "online");
    await until(() => since(s, next).some((m) => m.topic === `${BASE}/system`), 5000, "states re-sent again");
  });

  it("waits before answering, and ignores other payloads", async () => {
    stack = await startBridge({
      app: { bridge: { birthDelayMs: { min: 400, max: 400 }, heartbeatMs: 60_000 } },
    });
    const from = stack.watch.messages.length;
    await stack.publish(`${PREFIX}/status`, "offline");
    await stack.publish(`${PREFIX}/status`, "online");
    await sleep(200);
    expect(since(stack, from).map((m) => m.topic)).toEqual([`${PREFIX}/status`, `${PREFIX}/status`]);
    const s = stack;
    await until(() => since(s, from).length > 2, 3000, "the answer to the birth");
  });
});

describe("bridge: entities that no longer exist", () => {
  it("a static lease deleted on the box: its tracker config, its per-lease state and its host state are cleared", async () => {
    stack = await startBridge({ env: STATIC_TRACKERS });
    const [gone, kept] = stack.sim.state.staticLeases;
    if (!gone || !kept) throw new Error("the simulator needs two static leases");
    const from = stack.watch.messages.length;
    stack.sim.state.staticLeases.splice(0, 1);
    await stack.app.bridge?.refreshAll();
    await quiet(stack);
    const cleared = since(stack, from)
      .filter((m) => m.payload === "")
      .map((m) => m.topic);
    expect(cleared.sort()).toEqual(
      [leaseConfigTopic(stack, gone.mac), leaseStateTopic(gone.mac), hostStateTopic(gone.mac)].sort(),
    );
    const retained = await retainedMap(stack);
    expect(retained.has(leaseConfigTopic(stack, gone.mac))).toBe(false);
    expect(retained.has(leaseStateTopic(gone.mac))).toBe(false);
    expect(retained.has(hostStateTopic(gone.mac))).toBe(false);
    expect(retained.has(leaseConfigTopic(stack, kept.mac))).toBe(true);
    expect(retained.has(leaseStateTopic(kept.mac))).toBe(true);
    expect(retained.has(hostStateTopic(kept.mac))).toBe(true);
  });

  it("a lease deleted through the bridge's own command: cleared at once", async () => {
    stack = await startBridge({ env: STATIC_TRACKERS });
    const gone = stack.sim.state.staticLeases[0];
    if (!gone) throw new Error("the simulator has no static lease");
    await stack.publish(`${BASE}/dhcp/static_leases/${gone.mac}/remove`, "PRESS");
    await stack.waitFor(`${BASE}/bridge/response/dhcp/static_leases/${gone.mac}/remove`);
    const configTopic = leaseConfigTopic(stack, gone.mac);
    await untilRetained(
      stack,
      (r) => !r.has(configTopic) && !r.has(leaseStateTopic(gone.mac)) && !r.has(hostStateTopic(gone.mac)),
      "no config nor state for the removed lease",
    );
  });

  it("after a restart: the ghost config (and state) an earlier run left for a lease deleted meanwhile is cleared, nothing valid is", async () => {
    stack = await startBridge({ env: STATIC_TRACKERS });
    const before = await retainedMap(stack);
    const [gone] = stack.sim.state.staticLeases;
    if (!gone) throw new Error("the simulator has no static lease");
    await stack.app.stop();
    stack.sim.state.staticLeases.splice(0, 1);
    const from = stack.watch.messages.length;
    await stack.restartApp();
    const s = stack;
    await settled(stack);
    // Promptly: well before the next status poll (10 s), let alone the next leases poll (30 s).
    const after = await untilRetained(
      stack,
      (r) => !r.has(leaseConfigTopic(s, gone.mac)),
      "the ghost cleared",
      6000,
    );
    expect(after.has(leaseStateTopic(gone.mac))).toBe(false);
    expect(after.has(hostStateTopic(gone.mac))).toBe(false);
    // Everything else is still there, and no other config was ever cleared.
    for (const topic of configTopics(before).filter((t) => t !== leaseConfigTopic(s, gone.mac))) {
      expect(after.get(topic), topic).toBeDefined();
    }
    const emptied = since(stack, from).filter((m) => m.payload === "" && m.topic.startsWith(`${PREFIX}/`));
    expect(emptied.map((m) => m.topic)).toEqual([leaseConfigTopic(stack, gone.mac)]);
  });

  it("after a restart, a box whose line is on its 4G backup keeps its line entities", async () => {
    stack = await startBridge();
    const before = configTopics(await retainedMap(stack));
    const ftth = before.filter(isLine("ftth"));
    await stack.app.stop();
    // The 4G backup: media says neither ftth nor xdsl (freebox-os-essentials §8).
    (stack.sim.state.connection as { media: string }).media = "backup_4g";
    await stack.restartApp();
    await settled(stack);
    // Later polls (each one syncs discovery) do not clear them either.
    await stack.app.bridge?.refreshAll();
    await stack.app.bridge?.refreshAll();
    await sleep(500);
    const after = await retainedMap(stack);
    for (const topic of ftth) expect(after.has(topic), topic).toBe(true);
    expect(after.has(`${BASE}/connection/ftth`)).toBe(true);
    expect(stack.watch.messages.filter((m) => m.payload === "" && m.topic.startsWith(`${PREFIX}/`))).toEqual(
      [],
    );
  });

  it("after a restart: a line media changed meanwhile clears the old line's configs and state", async () => {
    stack = await startBridge();
    const ftth = configTopics(await retainedMap(stack)).filter(isLine("ftth"));
    await stack.app.stop();
    stack.sim.setMedia("xdsl");
    await stack.restartApp();
    await settled(stack);
    const s = stack;
    const after = await untilRetained(
      stack,
      (r) => configTopics(r).filter(isLine("ftth")).length === 0 && !r.has(`${BASE}/connection/ftth`),
      "no FTTH config nor state",
      6000,
    );
    expect(configTopics(after).filter(isLine("xdsl")).length).toBeGreaterThan(20);
    expect(after.has(`${BASE}/connection/xdsl`)).toBe(true);
    expect(ftth.length).toBeGreaterThan(0);
    expect(s.watch.messages.filter((m) => m.payload === "" && m.topic.startsWith(`${PREFIX}/`)).length).toBe(
      ftth.length,
    );
  });

  it("after a lease removal, further polls publish nothing (no echo brings the config back)", async () => {
    stack = await startBridge();
    stack.sim.state.staticLeases.splice(0, 1);
    await stack.app.bridge?.refreshAll();
    await quiet(stack);
    const from = stack.watch.messages.length;
    await stack.app.bridge?.refreshAll();
    await stack.app.bridge?.refreshAll();
    await sleep(300);
    expect(since(stack, from)).toEqual([]);
    expect(boxIdOf(stack)).toMatch(/^[0-9a-f]{12}$/);
  });
});
