// Presence's own rules, without the network: a notification wins over a list read already under
// way, events only on transitions, no `new_device` on the first run, the removal delay, and the
// known-hosts file across restarts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KnownHosts } from "../../src/bridge/known-hosts.js";
import { Presence, type PresenceSettings } from "../../src/bridge/presence.js";
import type { FreeboxApi } from "../../src/freebox/api.js";
import { FreeboxError } from "../../src/freebox/errors.js";
import type { LanHost, StaticLease } from "../../src/freebox/types.js";
import { silentLogger } from "../../src/logger.js";

const dirs: string[] = [];
const NOW = 1_800_000_000;
/** Presence's clock (Unix seconds); a test may move it. */
const clock = { now: NOW };
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  clock.now = NOW;
});

const host = (mac: string, active: boolean, extra: Partial<LanHost> = {}): LanHost => ({
  id: `ether-${mac.toLowerCase()}`,
  l2ident: { id: mac, type: "mac_address" },
  primary_name: `dev-${mac.slice(-2)}`,
  interface: "pub",
  active,
  last_time_reachable: NOW - 60,
  ...extra,
});

/** A box whose LAN browser answers `hosts`; `hold()` keeps the next answer until released. */
function fakeBox(hosts: LanHost[]) {
  let gate: Promise<void> | undefined;
  let release = () => {};
  let error: FreeboxError | undefined;
  const api = {
    listLanInterfaces: async () => {
      if (error) throw error;
      return [{ name: "pub" }];
    },
    listLanHosts: async () => {
      const answer = structuredClone(hosts);
      if (gate !== undefined) await gate;
      return answer;
    },
  } as unknown as FreeboxApi;
  return {
    api,
    hosts,
    hold() {
      gate = new Promise((r) => {
        release = () => {
          gate = undefined;
          r();
        };
      });
    },
    release: () => release(),
    fail(code: string) {
      error = new FreeboxError(code, code);
    },
  };
}

async function setup(
  box: ReturnType<typeof fakeBox>,
  settings: Partial<PresenceSettings> = {},
  dir?: string,
) {
  const dataDir = dir ?? mkdtempSync(join(tmpdir(), "presence-"));
  if (!dir) dirs.push(dataDir);
  const known = new KnownHosts(dataDir, silentLogger);
  await known.load();
  const states = new Map<string, Record<string, unknown>>();
  /** Every topic handed to publishState, in order. */
  const published: string[] = [];
  const events: Array<Record<string, unknown>> = [];
  let modes = 0;
  const presence = new Presence({
    api: box.api,
    baseTopic: "b",
    settings: { trackers: "all", exclude: new Set(), removeAfterDays: 30, ...settings },
    known,
    logger: silentLogger,
    publishState: (topic, value) => {
      published.push(topic);
      states.set(topic, value as Record<string, unknown>);
    },
    clearState: (topic) => states.delete(topic),
    publishEvent: (payload) => events.push(JSON.parse(payload) as Record<string, unknown>),
    onTrackedChange: () => undefined,
    onModeChange: () => {
      modes++;
    },
    now: () => clock.now,
  });
  presence.restore();
  return { presence, states, published, events, known, dataDir, modes: () => modes };
}

describe("presence", () => {
  it("a notification applied during a list read wins over that read's older answer", async () => {
    const box = fakeBox([host("AA:00:00:00:00:01", true)]);
    const { presence, states } = await setup(box);
    await presence.poll();
    expect(states.get("b/lan/hosts/aa0000000001")?.home).toBe(true);
    box.hold();
    const reading = presence.poll(); // answers "home" once released
    presence.applyEvent(host("AA:00:00:00:00:01", false));
    expect(states.get("b/lan/hosts/aa0000000001")?.home).toBe(false);
    box.release();
    await reading;
    expect(states.get("b/lan/hosts/aa0000000001")?.home).toBe(false);
  });

  it("a MAC listed twice in one read (two interfaces, two cases): the first listing wins", async () => {
    const box = fakeBox([
      host("AA:00:00:00:00:01", true),
      host("aa:00:00:00:00:01", false, { interface: "wifiguest" }),
    ]);
    const { presence, states, events } = await setup(box);
    await presence.poll();
    await presence.poll();
    expect(states.get("b/lan/hosts/aa0000000001")).toMatchObject({ home: true, interface: "pub" });
    expect(events).toEqual([]);
  });

  it("events on transitions only; no new_device for what the first run finds; a stranger is new", async () => {
    const box = fakeBox([host("aa:00:00:00:00:01", true), host("AA:00:00:00:00:02", false)]);
    const { presence, events } = await setup(box);
    await presence.poll();
    await presence.poll();
    expect(events).toEqual([]);
    presence.applyEvent(host("AA:00:00:00:00:02", true));
    presence.applyEvent(host("AA:00:00:00:00:02", true));
    presence.applyEvent(host("AA:00:00:00:00:01", false));
    presence.applyEvent(host("AA:00:00:00:00:03", true, { interface: "wifiguest" }));
    expect(events.map((e) => [e.event_type, e.mac])).toEqual([
      ["arrived", "aa:00:00:00:00:02"],
      ["left", "aa:00:00:00:00:01"],
      ["new_device", "aa:00:00:00:00:03"],
    ]);
    expect(events[2]).toMatchObject({ interface: "wifiguest", name: "dev-03" });
  });

  it("a host unseen past the delay has no tracker; the list no longer naming a host makes it not_home", async () => {
    const box = fakeBox([
      host("AA:00:00:00:00:01", false, { last_time_reachable: NOW - 31 * 86_400 }),
      host("AA:00:00:00:00:02", true),
    ]);
    const { presence, states } = await setup(box);
    await presence.poll();
    expect(states.has("b/lan/hosts/aa0000000001")).toBe(false);
    box.hosts.splice(1, 1);
    await presence.poll();
    expect(states.get("b/lan/hosts/aa0000000002")).toMatchObject({ home: false, last_seen: NOW - 60 });
  });

  it("bridge mode: off once, static leases feed the trackers; back when the LAN browser answers", async () => {
    const box = fakeBox([host("AA:00:00:00:00:01", true)]);
    const { presence, states, modes } = await setup(box);
    presence.setStaticLeases([
      {
        id: "AA:00:00:00:00:09",
        mac: "AA:00:00:00:00:09",
        ip: "",
        comment: "NAS",
        hostname: "",
        host: host("AA:00:00:00:00:09", true),
      },
    ]);
    box.fail("nodev");
    await presence.poll();
    await presence.poll();
    expect(presence.mode).toBe("off");
    expect(modes()).toBe(1);
    expect(states.get("b/lan/hosts/aa0000000009")?.home).toBe(true);
    expect(presence.tracked.map((t) => t.name)).toEqual(["NAS"]);
  });

  it("remembers the hosts met across restarts: one unlisted since keeps its tracker, away", async () => {
    const box = fakeBox([host("AA:00:00:00:00:01", true)]);
    const first = await setup(box);
    await first.presence.poll();
    // It left long ago once, and came back: home when this run stops.
    first.presence.applyEvent(host("AA:00:00:00:00:01", false, { last_time_reachable: NOW - 40 * 86_400 }));
    first.presence.applyEvent(host("AA:00:00:00:00:01", true));
    await first.known.flush();
    const saved = JSON.parse(readFileSync(join(first.dataDir, "lan-hosts.json"), "utf8"));
    expect(saved.hosts).toEqual({ aa0000000001: { name: "dev-01", last_seen: null } });
    const again = await setup(fakeBox([]), {}, first.dataDir);
    expect(again.states.get("b/lan/hosts/aa0000000001")).toMatchObject({ home: false, last_seen: NOW });
    await again.presence.poll();
    expect(again.presence.tracked.map((t) => t.mac)).toEqual(["aa0000000001"]);
  });

  it("an unreadable known-hosts file is set aside and started afresh", async () => {
    const dir = mkdtempSync(join(tmpdir(), "presence-"));
    dirs.push(dir);
    writeFileSync(join(dir, "lan-hosts.json"), "{not json");
    const known = new KnownHosts(dir, silentLogger);
    await known.load();
    expect(known.existed).toBe(false);
    expect(readFileSync(join(dir, "lan-hosts.json.bad"), "utf8")).toBe("{not json");
  });

  // Presence keeps a host's state without building it when the box's lasting facts are the same,
  // and skips its walk of the hosts when nothing changed: neither may hide a change.
  describe("polls of a steady LAN publish nothing, and still every change", () => {
    const lease = (mac: string, comment: string): StaticLease => ({
      id: mac,
      mac,
      ip: "",
      comment,
      hostname: "",
    });

    it("a host whose one lasting fact changed is published again, the others not", async () => {
      const box = fakeBox([host("AA:00:00:00:00:01", true), host("AA:00:00:00:00:02", true)]);
      const { presence, states, published } = await setup(box);
      await presence.poll();
      expect(published.splice(0)).toHaveLength(2);
      const changes: Array<[string, Partial<LanHost>]> = [
        ["an address", { l3connectivities: [{ addr: "192.168.1.9", af: "ipv4" }] }],
        [
          "a second address",
          {
            l3connectivities: [
              { addr: "192.168.1.9", af: "ipv4" },
              { addr: "fe80::9", af: "ipv6" },
            ],
          },
        ],
        ["a name", { names: [{ name: "laptop", source: "dhcp" }] }],
        ["its primary name", { primary_name: "renamed" }],
        ["its band", { access_point: { mac: "34:27:92:60:0B:9E", wifi_information: { band: "6g" } } }],
      ];
      let extra: Partial<LanHost> = {};
      for (const [what, change] of changes) {
        box.hosts[1] = host("AA:00:00:00:00:02", true, { last_time_reachable: NOW, ...extra, ...change });
        extra = { ...extra, ...change };
        await presence.poll();
        expect(published.splice(0), what).toEqual(["b/lan/hosts/aa0000000002"]);
        // Only moving values moved: nothing.
        box.hosts[1] = host("AA:00:00:00:00:02", true, { last_time_reachable: NOW + 1, ...extra });
        await presence.poll();
        expect(published.splice(0), what).toEqual([]);
      }
      expect(states.get("b/lan/hosts/aa0000000002")).toMatchObject({
        name: "renamed",
        names: ["laptop"],
        addresses: ["192.168.1.9", "fe80::9"],
        wifi_band: "6g",
      });
    });

    it("a box listing its hosts in another order, or others at the same places", async () => {
      const mac = (n: number) => `AA:00:00:00:00:0${n}`;
      const box = fakeBox([host(mac(1), true), host(mac(2), true), host(mac(3), false)]);
      const { presence, states } = await setup(box);
      const seen = () =>
        Object.fromEntries([...states].map(([topic, s]) => [topic.slice(-2), `${s.name} ${s.home}`]));
      await presence.poll();
      expect(seen()).toEqual({ "01": "dev-01 true", "02": "dev-02 true", "03": "dev-03 false" });
      // Shuffled, and the first one left: each answer goes to its own host.
      box.hosts.splice(0, 3, host(mac(3), true), host(mac(1), false), host(mac(2), true));
      await presence.poll();
      expect(seen()).toEqual({ "01": "dev-01 false", "02": "dev-02 true", "03": "dev-03 true" });
      // Another host where one was, a shorter list, a longer one.
      box.hosts.splice(0, 3, host(mac(4), true));
      await presence.poll();
      expect(seen()).toMatchObject({ "02": "dev-02 false", "03": "dev-03 false", "04": "dev-04 true" });
      box.hosts.splice(0, 1, host(mac(4), true), host(mac(2), true), host(mac(3), true));
      await presence.poll();
      expect(seen()).toMatchObject({ "02": "dev-02 true", "03": "dev-03 true", "04": "dev-04 true" });
      // An l2ident that is no MAC: the MAC comes from the host's id, at the same place or not.
      const odd = (n: number) => host(mac(n), false, { l2ident: { id: "unknown", type: "mac_address" } });
      box.hosts.splice(0, 3, odd(5));
      await presence.poll();
      box.hosts.splice(0, 1, odd(6));
      await presence.poll();
      expect(seen()).toMatchObject({ "05": "dev-05 false", "06": "dev-06 false" });
    });

    it("a static lease renamed renames its tracker; one added gets a tracker", async () => {
      const box = fakeBox([host("AA:00:00:00:00:01", true)]);
      const { presence } = await setup(box);
      presence.setStaticLeases([lease("AA:00:00:00:00:01", "NAS")]);
      await presence.poll();
      expect(presence.tracked).toEqual([{ mac: "aa0000000001", name: "NAS" }]);
      presence.setStaticLeases([lease("AA:00:00:00:00:01", "Backup")]);
      await presence.poll();
      expect(presence.tracked).toEqual([{ mac: "aa0000000001", name: "Backup" }]);
      presence.setStaticLeases([lease("AA:00:00:00:00:01", "Backup"), lease("AA:00:00:00:00:05", "TV")]);
      await presence.poll();
      expect(presence.tracked.map((t) => t.name)).toEqual(["Backup", "TV"]);
    });

    it("the known-hosts record follows a lease renamed, and is written again when it differs", async () => {
      const box = fakeBox([host("AA:00:00:00:00:01", true)]);
      const { presence, known } = await setup(box);
      presence.setStaticLeases([lease("AA:00:00:00:00:01", "NAS")]);
      await presence.poll();
      await presence.poll();
      expect(known.get("aa0000000001")).toEqual({ name: "NAS", last_seen: null });
      presence.setStaticLeases([lease("AA:00:00:00:00:01", "Backup")]);
      await presence.poll();
      expect(known.get("aa0000000001")).toEqual({ name: "Backup", last_seen: null });
      // Changed behind presence's back (nothing else does it, but the record must not go stale).
      known.set("aa0000000001", { name: "other", last_seen: 5 });
      await presence.poll();
      expect(known.get("aa0000000001")).toEqual({ name: "Backup", last_seen: null });
    });

    it("bridge mode: the same leases read again feed their hosts' new answers", async () => {
      const box = fakeBox([]);
      box.fail("nodev");
      const { presence, states } = await setup(box);
      const nas = (active: boolean) => ({
        ...lease("AA:00:00:00:00:09", "NAS"),
        host: host("AA:00:00:00:00:09", active),
      });
      presence.setStaticLeases([nas(true)]);
      await presence.poll();
      expect(states.get("b/lan/hosts/aa0000000009")?.home).toBe(true);
      presence.setStaticLeases([nas(false)]);
      expect(states.get("b/lan/hosts/aa0000000009")?.home).toBe(false);
      // Renamed in the same list: the tracker's name follows.
      presence.setStaticLeases([{ ...nas(false), comment: "Backup" }]);
      expect(presence.tracked.map((t) => t.name)).toEqual(["Backup"]);
    });

    it("an away host's tracker goes when its days are over, with nothing else changing", async () => {
      const box = fakeBox([host("AA:00:00:00:00:01", false, { last_time_reachable: NOW - 29 * 86_400 })]);
      const { presence, states } = await setup(box);
      await presence.poll();
      expect(states.has("b/lan/hosts/aa0000000001")).toBe(true);
      clock.now = NOW + 86_400 - 1;
      await presence.poll();
      expect(presence.tracked).toHaveLength(1);
      clock.now = NOW + 86_400 + 1;
      await presence.poll();
      expect(states.has("b/lan/hosts/aa0000000001")).toBe(false);
      expect(presence.tracked).toEqual([]);
    });

    it("a host away with no time yet gets its last_seen from the next answer that has one", async () => {
      const { last_time_reachable: _, ...noTime } = host("AA:00:00:00:00:01", false);
      const box = fakeBox([noTime]);
      const { presence, states } = await setup(box);
      presence.setStaticLeases([lease("AA:00:00:00:00:01", "NAS")]);
      await presence.poll();
      expect(states.get("b/lan/hosts/aa0000000001")).toMatchObject({ home: false, last_seen: null });
      box.hosts[0] = host("AA:00:00:00:00:01", false, { last_time_reachable: NOW - 5 });
      await presence.poll();
      expect(states.get("b/lan/hosts/aa0000000001")).toMatchObject({ home: false, last_seen: NOW - 5 });
    });
  });
});
