// Issue 15, presence: a device tracker for every LAN host on every interface, moved in real time by
// the box's event stream, against the simulator's LAN browser and event WebSocket, the embedded
// broker and the real app. Leases are polled once an hour here: whatever moves without a poll came
// from the stream.
import { afterEach, describe, expect, it } from "vitest";
import type { LanHost } from "../../src/freebox/types.js";
import {
  boxIdOf,
  configTopics,
  hostStateTopic,
  macKey,
  PREFIX,
  parse,
  quiet,
  requestsSince,
  retainedMap,
  startBridge,
  untilRetained,
} from "./bridge-helpers.js";
import { until } from "./mqtt-helpers.js";
import { BASE, type Stack, type StackOptions } from "./stack.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const HOURLY = { POLL_LEASES_INTERVAL: "3600", POLL_CONFIG_INTERVAL: "3600", POLL_STATUS_INTERVAL: "3600" };

async function start(options: StackOptions = {}): Promise<Stack> {
  stack = await startBridge({
    ...options,
    env: { ...HOURLY, ...options.env },
    sim: { lanHosts: 8, ...options.sim },
    app: { bridge: { eventBackoffMs: { baseMs: 20, maxMs: 200 } } },
  });
  return stack;
}

const trackerConfig = (s: Stack, mac: string) =>
  `${PREFIX}/device_tracker/freebox_${boxIdOf(s)}/host_${macKey(mac)}/config`;

/** Every host the simulated box lists, by MAC (uppercase), with its interface. */
function listedHosts(s: Stack): Array<{ mac: string; host: LanHost }> {
  return Object.entries(s.sim.state.hosts)
    .filter(([, host]) => typeof host.id === "string")
    .map(([mac, host]) => ({ mac, host }));
}

/** Listed hosts that have no lease (a static lease is always tracked). */
function leaseless(s: Stack): Array<{ mac: string; host: LanHost }> {
  const leased = new Set([...s.sim.state.staticLeases, ...s.sim.state.dynamicLeases].map((l) => l.mac));
  return listedHosts(s).filter(({ mac }) => !leased.has(mac));
}

const streamUp = (s: Stack) => until(() => s.sim.eventSubscribers === 1, 8000, "the event stream");

/** The non-retained `<base>/lan/event` messages seen so far. */
const lanEvents = (s: Stack) =>
  s.watch.on(`${BASE}/lan/event`).map((m) => JSON.parse(m.payload) as Record<string, unknown>);

describe("a tracker for every LAN host", () => {
  it("one device_tracker per MAC on every interface, static leases included, none left under lease_", async () => {
    const s = await start();
    await streamUp(s);
    const retained = await untilRetained(
      s,
      (r) => listedHosts(s).every(({ mac }) => r.has(trackerConfig(s, mac))),
      "a tracker per listed host",
    );
    const trackers = configTopics(retained, "device_tracker");
    // 3 static + 4 dynamic-lease hosts + 8 LAN-only (4 on pub, 4 on wifiguest), one each.
    expect(trackers).toHaveLength(15);
    expect(trackers.some((t) => t.includes("/lease_"))).toBe(false);
    const guests = listedHosts(s).filter(({ host }) => host.interface === "wifiguest");
    expect(guests).toHaveLength(4);
    for (const { mac, host } of guests) {
      const config = parse<{ source_type: string; device: Record<string, unknown>; unique_id: string }>(
        retained.get(trackerConfig(s, mac)),
      );
      expect(config.source_type).toBe("router");
      expect(config.unique_id).toBe(`freebox_${boxIdOf(s)}_host_${macKey(mac)}`);
      expect(config.device).toMatchObject({
        connections: [["mac", mac.toLowerCase()]],
        via_device: `freebox_${boxIdOf(s)}`,
      });
      // A host with no name gets a readable one: its mDNS name, else vendor and the end of its MAC.
      const name = String(config.device.name);
      expect(name).not.toBe("");
      if (!host.primary_name && !host.names?.length) expect(name).toContain(mac.slice(9));
      const state = parse<Record<string, unknown>>(retained.get(hostStateTopic(mac)));
      expect(state).toMatchObject({ home: host.active, interface: "wifiguest" });
    }
    // A static lease's device is named by its comment (else its hostname) and keeps one tracker.
    const lease = s.sim.state.staticLeases.find((l) => l.comment !== "");
    if (lease) {
      const config = parse<{ device: { name: string } }>(retained.get(trackerConfig(s, lease.mac)));
      expect(config.device.name).toBe(lease.comment);
    }
    expect(parse(retained.get(`${BASE}/bridge/info`))).toMatchObject({
      presence: { mode: "events", trackers: "all" },
    });
  });

  it("a MAC the box lists twice (two interfaces, two cases) is one tracker", async () => {
    const s = await start({ sim: { lanHosts: 2 } });
    const [one] = leaseless(s);
    if (!one) throw new Error("no LAN-only host");
    // The same device seen on the guest Wi-Fi too, its MAC in the other case.
    s.sim.state.hosts.twin = {
      ...structuredClone(one.host),
      interface: "wifiguest",
      l2ident: { id: one.mac.toLowerCase(), type: "mac_address" },
    };
    await s.publish(`${BASE}/bridge/request/refresh`, "PRESS");
    await quiet(s);
    const retained = await retainedMap(s);
    const trackers = configTopics(retained, "device_tracker");
    expect(trackers.filter((t) => t.includes(macKey(one.mac)))).toHaveLength(1);
    expect(trackers).toHaveLength(listedHosts(s).length - 1);
  });

  it("an event entity lan_event on the box device", async () => {
    const s = await start();
    const retained = await untilRetained(s, (r) => configTopics(r, "event").length === 1, "the event entity");
    const config = parse<Record<string, unknown>>(retained.get(configTopics(retained, "event")[0] ?? ""));
    expect(config).toMatchObject({
      unique_id: `freebox_${boxIdOf(s)}_lan_event`,
      state_topic: `${BASE}/lan/event`,
      event_types: ["arrived", "left", "new_device"],
      device: { identifiers: [`freebox_${boxIdOf(s)}`] },
    });
  });
});

describe("in real time", () => {
  it("a leave and a join reach MQTT without a poll, with their events", async () => {
    const s = await start();
    await streamUp(s);
    await quiet(s);
    const mac = s.sim.state.staticLeases[0]?.mac ?? "";
    s.sim.hostArrives(mac); // home to start with, whatever the generated data said
    await s.waitFor(hostStateTopic(mac), (p) => parse(p).home === true);
    const from = s.sim.requests.length;
    s.sim.hostLeaves(mac);
    const left = parse(await s.waitFor(hostStateTopic(mac), (p) => parse(p).home === false));
    expect(left.last_seen).toEqual(expect.any(Number));
    s.sim.hostArrives(mac);
    await s.waitFor(hostStateTopic(mac), (p) => parse(p).home === true);
    // No LAN browser read in between: the stream did it.
    expect(requestsSince(s, from, /^lan\/browser/)).toHaveLength(0);
    const events = lanEvents(s).filter((e) => e.mac === mac.toLowerCase());
    expect(events.slice(-2)).toEqual([
      expect.objectContaining({ event_type: "left", interface: "pub", name: expect.any(String) }),
      expect.objectContaining({ event_type: "arrived", interface: "pub" }),
    ]);
    // Events are not retained; states are.
    const retained = await retainedMap(s);
    expect(retained.has(`${BASE}/lan/event`)).toBe(false);
    expect(parse(retained.get(hostStateTopic(mac))).home).toBe(true);
  });

  it("a device never seen before gets its tracker and a new_device event", async () => {
    const s = await start();
    await streamUp(s);
    const fresh = s.sim.hostArrives();
    const mac = String(fresh.l2ident?.id).toUpperCase();
    await untilRetained(s, (r) => r.has(trackerConfig(s, mac)), "the new device's tracker");
    await s.waitFor(hostStateTopic(mac), (p) => parse(p).home === true);
    await until(() => lanEvents(s).some((e) => e.event_type === "new_device"), 5000, "new_device");
    const event = lanEvents(s).find((e) => e.event_type === "new_device");
    expect(event).toMatchObject({ mac: mac.toLowerCase(), interface: fresh.interface });
    // Hosts the first run met are not "new": only this one was announced.
    expect(lanEvents(s).filter((e) => e.event_type === "new_device")).toHaveLength(1);
  });

  it("reconnects after a drop and after a session expiry, and reads the lists again each time", async () => {
    const s = await start();
    await streamUp(s);
    const mac = s.sim.state.staticLeases[1]?.mac ?? "";
    s.sim.hostArrives(mac);
    await s.waitFor(hostStateTopic(mac), (p) => parse(p).home === true);

    let from = s.sim.requests.length;
    s.sim.dropEventStreams();
    await until(() => s.sim.eventSubscribers === 0, 5000, "the drop");
    await streamUp(s);
    await until(() => requestsSince(s, from, /^lan\/browser\/pub/).length > 0, 5000, "a LAN read");
    s.sim.hostLeaves(mac);
    await s.waitFor(hostStateTopic(mac), (p) => parse(p).home === false);

    from = s.sim.requests.length;
    s.sim.expireSessions();
    s.sim.dropEventStreams();
    await until(() => s.sim.eventSubscribers === 0, 5000, "the drop");
    await streamUp(s);
    expect(requestsSince(s, from, /^login\/session\/$/)).toHaveLength(1);
    s.sim.hostArrives(mac);
    await s.waitFor(hostStateTopic(mac), (p) => parse(p).home === true);
  });

  it("a host that left while the stream was down is seen by the read after the reconnect", async () => {
    const s = await start();
    await streamUp(s);
    const mac = s.sim.state.staticLeases[2]?.mac ?? "";
    s.sim.hostArrives(mac);
    await s.waitFor(hostStateTopic(mac), (p) => parse(p).home === true);
    s.sim.faults.unreachable = true; // cuts the stream, as a box reboot does
    await until(() => s.sim.eventSubscribers === 0, 5000, "the drop");
    s.sim.hostLeaves(mac); // nobody listening
    s.sim.faults.unreachable = false;
    await s.waitFor(hostStateTopic(mac), (p) => parse(p).home === false);
  });
});

describe("without the stream", () => {
  it("a box that refuses it (404) is polled: said once, shown in bridge/info, and polls move trackers", async () => {
    const s = await start({ env: { POLL_LEASES_INTERVAL: "1" }, sim: { lanHosts: 2 } });
    s.sim.faults.refuseEventStream = true;
    s.sim.dropEventStreams();
    await until(() => s.logs.matching("polled only").length === 1, 8000, "the info line");
    await s.waitFor(
      `${BASE}/bridge/info`,
      (p) => parse<{ presence: { mode: string } }>(p).presence.mode === "polled",
    );
    const mac = s.sim.state.staticLeases[0]?.mac ?? "";
    const home = s.sim.state.hosts[mac]?.active === true;
    if (home) s.sim.hostLeaves(mac);
    else s.sim.hostArrives(mac);
    await s.waitFor(hostStateTopic(mac), (p) => parse(p).home === !home);
    expect(s.logs.matching("polled only")).toHaveLength(1);
    expect(s.logs.matching("polled only")[0]).toContain('"level":"info"');
  });

  it("bridge mode: presence off, said once, in bridge/info; static leases keep their trackers", async () => {
    const s = await start({ sim: { lanHosts: 4 } });
    await streamUp(s);
    s.sim.faults.bridgeMode = true;
    await s.publish(`${BASE}/bridge/request/refresh`, "PRESS");
    await s.waitFor(
      `${BASE}/bridge/info`,
      (p) => parse<{ presence: { mode: string } }>(p).presence.mode === "off",
    );
    await s.publish(`${BASE}/bridge/request/refresh`, "PRESS");
    await quiet(s);
    expect(s.logs.matching("bridge mode")).toHaveLength(1);
    const retained = await retainedMap(s);
    for (const lease of s.sim.state.staticLeases)
      expect(retained.has(trackerConfig(s, lease.mac))).toBe(true);
    // Everything else is as it was: the box's own entities are still there.
    expect(configTopics(retained).length).toBeGreaterThan(20);
  });
});

describe("settings", () => {
  it("PRESENCE_TRACKERS=static: static leases only; none: no tracker at all", async () => {
    let s = await start({ env: { PRESENCE_TRACKERS: "static" } });
    let retained = await untilRetained(
      s,
      (r) => configTopics(r, "device_tracker").length === 3,
      "3 trackers",
    );
    for (const lease of s.sim.state.staticLeases)
      expect(retained.has(trackerConfig(s, lease.mac))).toBe(true);
    await s.close();
    s = await start({ env: { PRESENCE_TRACKERS: "none" } });
    await quiet(s);
    retained = await retainedMap(s);
    expect(configTopics(retained, "device_tracker")).toHaveLength(0);
    expect([...retained.keys()].filter((t) => t.startsWith(`${BASE}/lan/hosts/`))).toHaveLength(0);
  });

  it("PRESENCE_EXCLUDE: no tracker and no event for those MACs", async () => {
    const probe = await start();
    const guest = listedHosts(probe).find(({ host }) => host.interface === "wifiguest");
    const lease = probe.sim.state.staticLeases[0]?.mac ?? "";
    await probe.close();
    const excluded = guest?.mac ?? "";
    // Same seed, same box: the MACs are the same in the next stack.
    const s = await start({ env: { PRESENCE_EXCLUDE: `${excluded.toLowerCase()}, ${macKey(lease)}` } });
    await streamUp(s);
    const retained = await retainedMap(s);
    expect(retained.has(trackerConfig(s, excluded))).toBe(false);
    expect(retained.has(trackerConfig(s, lease))).toBe(false);
    expect(retained.has(hostStateTopic(excluded))).toBe(false);
    s.sim.hostLeaves(excluded);
    s.sim.hostArrives(excluded);
    const other = leaseless(s).find(({ host }) => host.interface === "pub");
    s.sim.hostArrives(other?.mac ?? "");
    s.sim.hostLeaves(other?.mac ?? "");
    await until(() => lanEvents(s).length > 0, 5000, "an event of another host");
    expect(lanEvents(s).every((e) => e.mac !== excluded.toLowerCase())).toBe(true);
  });

  it("a host unseen for more than PRESENCE_REMOVE_AFTER_DAYS has no tracker; a host the box no longer lists reads not_home", async () => {
    const s = await start({ env: { PRESENCE_REMOVE_AFTER_DAYS: "2" } });
    await streamUp(s);
    const [stale, gone] = leaseless(s).filter(({ host }) => host.interface === "pub");
    if (!stale || !gone) throw new Error("not enough hosts");
    const now = Math.floor(Date.now() / 1000);
    // Left three days ago (the box keeps listing it): past the two days.
    stale.host.last_time_reachable = now - 3 * 86_400;
    s.sim.hostLeaves(stale.mac);
    // The box stops listing this one while it is home: not_home, its tracker kept.
    s.sim.hostArrives(gone.mac);
    await s.waitFor(hostStateTopic(gone.mac), (p) => parse(p).home === true);
    delete s.sim.state.hosts[gone.mac];
    await s.publish(`${BASE}/bridge/request/refresh`, "PRESS");
    await untilRetained(s, (r) => !r.has(trackerConfig(s, stale.mac)), "the stale host's tracker removed");
    await s.waitFor(hostStateTopic(gone.mac), (p) => parse(p).home === false);
    const retained = await retainedMap(s);
    expect(retained.has(trackerConfig(s, gone.mac))).toBe(true);
    expect(retained.has(hostStateTopic(stale.mac))).toBe(false);
  });
});

describe("migration", () => {
  it("a static lease's old lease_<mac12> tracker config is removed at start", async () => {
    const s = await start();
    const mac = s.sim.state.staticLeases[0]?.mac ?? "";
    const old = `${PREFIX}/device_tracker/freebox_${boxIdOf(s)}/lease_${macKey(mac)}/config`;
    await s.publish(old, JSON.stringify({ unique_id: `freebox_${boxIdOf(s)}_lease_${macKey(mac)}` }), {
      retain: true,
    });
    await s.restartApp(HOURLY);
    await untilRetained(s, (r) => !r.has(old), "the old config cleared");
    const retained = await retainedMap(s);
    expect(retained.has(trackerConfig(s, mac))).toBe(true);
  });
});
