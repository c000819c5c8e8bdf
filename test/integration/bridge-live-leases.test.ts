// Issue 18: a live box moves every lease's `lease_remaining` / `refresh_time` and every active
// host's activity times and Wi-Fi signal at every poll; the lease topics and the hosts' topics
// carry none of them, so a box on which no lease changed publishes nothing there, and a change
// publishes each affected topic once. The simulator in live mode, its clock driven by the test
// (src/sim/live.ts tick: no waiting), the real app and the embedded broker on loopback.
import { afterEach, describe, expect, it } from "vitest";
import type { LanHost } from "../../src/freebox/types.js";
import { tick } from "../../src/sim/live.js";
import { createRng } from "../../src/sim/rng.js";
import { hostStateTopic, leaseStateTopic, parse, since, startBridge } from "./bridge-helpers.js";
import { BASE, type Stack } from "./stack.js";

// Trackers for static leases only (PRESENCE_TRACKERS=static): a lease removed takes its host's
// tracker and topic with it, which is what these tests follow.
const STATIC_TRACKERS = { PRESENCE_TRACKERS: "static" };

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The lease lists, the per-lease topics and the hosts' topics. */
const onLeaseTopics = (topic: string) =>
  [`${BASE}/dhcp/static_leases`, `${BASE}/dhcp/dynamic_leases`, `${BASE}/lan/hosts/`].some((t) =>
    topic.startsWith(t),
  );

/** The box's clock, moved by the test: 30 s of a living box (one default lease poll interval). */
function liveBox(s: Stack) {
  const rng = createRng(18);
  let now = Math.floor(Date.now() / 1000);
  return {
    async poll(): Promise<void> {
      for (let second = 0; second < 30; second++) tick(s.sim.state, rng, ++now);
      // Real boxes also move the Wi-Fi signal and rates of every connected host.
      for (const host of Object.values(s.sim.state.hosts)) moveRadio(host, now);
      // A leases poll: the lease lists, then the LAN browser that feeds the hosts' topics (issue 15).
      await s.app.bridge?.refreshAll();
    },
    get now() {
      return now;
    },
  };
}

function moveRadio(host: LanHost, now: number): void {
  const ap = host.access_point as { rx_bytes?: number; wifi_information?: { signal?: number } } | undefined;
  if (!ap || host.active !== true) return;
  ap.rx_bytes = now * 7;
  if (ap.wifi_information) ap.wifi_information.signal = -40 - (now % 37);
}

/**
 * Everything the bridge published before this call has reached the observer once this returns:
 * one more publication of the bridge (connection/config after a change on the box) arrives after
 * them (MQTT 3.1.1 §4.6: a client's messages reach a subscriber in order). No waiting on a clock.
 */
async function barrier(s: Stack): Promise<void> {
  const ping = !s.sim.state.config.ping;
  s.sim.state.config.ping = ping;
  await s.app.bridge?.refresh("connection_config");
  await s.waitFor(`${BASE}/connection/config`, (p) => parse(p).ping === ping);
}

const leaseMessages = (s: Stack, from: number) => since(s, from).filter((m) => onLeaseTopics(m.topic));

describe("bridge on a live box: lease and host topics publish only what changed", () => {
  it("30 lease polls with moving timestamps publish nothing on lease and host topics", async () => {
    stack = await startBridge({
      env: STATIC_TRACKERS,
      sim: { live: true, staticLeases: 5, dynamicLeases: 20 },
    });
    const box = liveBox(stack);
    // One lease runs out during the run: the box renews it (new refresh_time, lease_remaining).
    const renewed = stack.sim.state.dynamicLeases[0];
    if (!renewed) throw new Error("the simulator has no dynamic lease");
    renewed.lease_remaining = 100;
    const refreshed = renewed.refresh_time;
    const home = Object.values(stack.sim.state.hosts).find((h) => h.active === true);
    const activity = home?.last_activity;
    await barrier(stack);
    const from = stack.watch.messages.length;
    const requests = stack.sim.requests.length;

    for (let poll = 0; poll < 30; poll++) await box.poll();
    await barrier(stack);

    // The box did move, and was read each time...
    expect(renewed.refresh_time).not.toBe(refreshed);
    expect(home?.last_activity).not.toBe(activity);
    const reads = stack.sim.requests
      .slice(requests)
      .filter((r) => /^dhcp\/(static|dynamic)_lease\/$/.test(r.path));
    expect(reads.length).toBeGreaterThanOrEqual(60);
    // ...and nothing was published on the lease topics, the per-lease topics or the hosts' topics.
    expect(leaseMessages(stack, from)).toEqual([]);
  });

  it("adding, renaming or removing a lease publishes each affected topic once", async () => {
    stack = await startBridge({ env: STATIC_TRACKERS, sim: { live: true } });
    const s = stack;
    const box = liveBox(s);
    const state = s.sim.state;
    const published = async (change: () => void): Promise<string[]> => {
      await barrier(s);
      const from = s.watch.messages.length;
      change();
      for (let poll = 0; poll < 3; poll++) await box.poll();
      await barrier(s);
      return leaseMessages(s, from)
        .map((m) => `${m.topic}${m.payload === "" ? " (cleared)" : ""}`)
        .sort();
    };

    // A new device takes a dynamic lease.
    const first = state.dynamicLeases[0];
    if (!first) throw new Error("the simulator has no dynamic lease");
    expect(
      await published(() =>
        state.dynamicLeases.push({ ...first, mac: "02:00:00:00:00:99", ip: "192.168.1.49", hostname: "new" }),
      ),
    ).toEqual([`${BASE}/dhcp/dynamic_leases`]);
    expect(parse<unknown[]>(s.last(`${BASE}/dhcp/dynamic_leases`))).toContainEqual(
      expect.objectContaining({ mac: "02:00:00:00:00:99", hostname: "new" }),
    );

    // A device with a dynamic lease is renamed on the box.
    const renamed = state.hosts[first.mac];
    if (!renamed) throw new Error("the lease has no host");
    expect(await published(() => Object.assign(renamed, { primary_name: "Renamed" }))).toEqual([
      `${BASE}/dhcp/dynamic_leases`,
    ]);

    // A static lease's comment changes: the list and the lease's own topic; not its host.
    const [lease, other] = state.staticLeases;
    if (!lease || !other) throw new Error("the simulator needs two static leases");
    expect(await published(() => Object.assign(lease, { comment: "Bureau de Léa" }))).toEqual(
      [`${BASE}/dhcp/static_leases`, leaseStateTopic(lease.mac)].sort(),
    );
    expect(parse(s.last(leaseStateTopic(lease.mac))).comment).toBe("Bureau de Léa");

    // Its device is renamed: the list, its own topic (`name`) and its host's topic.
    const host = state.hosts[lease.mac];
    if (!host) throw new Error("the static lease has no host");
    expect(await published(() => Object.assign(host, { primary_name: "Poste de Léa" }))).toEqual(
      [`${BASE}/dhcp/static_leases`, leaseStateTopic(lease.mac), hostStateTopic(lease.mac)].sort(),
    );
    expect(parse(s.last(hostStateTopic(lease.mac))).name).toBe("Poste de Léa");

    // The other static lease is removed: the list, and both of its topics cleared.
    expect(await published(() => state.staticLeases.splice(state.staticLeases.indexOf(other), 1))).toEqual(
      [
        `${BASE}/dhcp/static_leases`,
        `${leaseStateTopic(other.mac)} (cleared)`,
        `${hostStateTopic(other.mac)} (cleared)`,
      ].sort(),
    );
  });

  it("a tracker's host topic publishes nothing while its device stays home; last_seen is set when it leaves", async () => {
    stack = await startBridge({ env: STATIC_TRACKERS, sim: { live: true } });
    const s = stack;
    const box = liveBox(s);
    const lease = s.sim.state.staticLeases.find((l) => s.sim.state.hosts[l.mac]?.active === true);
    const host = lease && s.sim.state.hosts[lease.mac];
    if (!lease || !host) throw new Error("the simulator has no static lease whose device is home");
    const topic = hostStateTopic(lease.mac);
    expect(parse(s.last(topic))).toMatchObject({ home: true, last_seen: null });
    await barrier(s);
    let from = s.watch.messages.length;

    for (let poll = 0; poll < 10; poll++) await box.poll();
    await barrier(s);
    expect(since(s, from).filter((m) => m.topic === topic)).toEqual([]);

    // It leaves: the box stops seeing it (no more activity), then marks it inactive.
    const left = box.now;
    Object.assign(host, { active: false, reachable: false });
    for (let poll = 0; poll < 5; poll++) await box.poll();
    await barrier(s);
    const updates = since(s, from).filter((m) => m.topic === topic);
    expect(updates).toHaveLength(1);
    expect(parse(updates[0]?.payload)).toMatchObject({
      home: false,
      last_seen: left,
      name: host.primary_name,
    });

    // Back home: published once, last_seen cleared.
    from = s.watch.messages.length;
    Object.assign(host, { active: true, reachable: true });
    for (let poll = 0; poll < 5; poll++) await box.poll();
    await barrier(s);
    const back = since(s, from).filter((m) => m.topic === topic);
    expect(back.map((m) => parse(m.payload))).toEqual([
      expect.objectContaining({ home: true, last_seen: null }),
    ]);
  });
});
