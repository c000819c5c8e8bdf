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
import type { LanHost } from "../../src/freebox/types.js";
import { silentLogger } from "../../src/logger.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const NOW = 1_800_000_000;
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
  const events: Array<Record<string, unknown>> = [];
  let modes = 0;
  const presence = new Presence({
    api: box.api,
    baseTopic: "b",
    settings: { trackers: "all", exclude: new Set(), removeAfterDays: 30, ...settings },
    known,
    logger: silentLogger,
    publishState: (topic, value) => states.set(topic, value as Record<string, unknown>),
    clearState: (topic) => states.delete(topic),
    publishEvent: (payload) => events.push(JSON.parse(payload) as Record<string, unknown>),
    onTrackedChange: () => undefined,
    onModeChange: () => {
      modes++;
    },
    now: () => NOW,
  });
  presence.restore();
  return { presence, states, events, known, dataDir, modes: () => modes };
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
});
