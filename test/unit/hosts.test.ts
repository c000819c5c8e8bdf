import { describe, expect, it } from "vitest";
import { type HostState, hostState, hostTopic, sameHostState, sameState } from "../../src/bridge/hosts.js";
import type { LanHost } from "../../src/freebox/types.js";
import { createRng } from "../../src/sim/rng.js";

// A LanHost as real boxes send it (shared/reference/freebox-api-lan-browser.md).
const host = (active: boolean, at: number): LanHost => ({
  id: "ether-02:aa:bb:cc:dd:ee",
  primary_name: "iPhone de Marie",
  host_type: "smartphone",
  vendor_name: "Apple, Inc.",
  interface: "pub",
  active,
  reachable: active,
  last_activity: at,
  last_time_reachable: at,
  l2ident: { id: "02:AA:BB:CC:DD:EE", type: "mac_address" },
  names: [
    { name: "iPhone-de-Marie", source: "mdns" },
    { name: "iPhone de Marie", source: "dhcp" },
    { name: "iPhone-de-Marie", source: "upnp" },
  ],
  l3connectivities: [
    { addr: "fe80::1", af: "ipv6", active, last_activity: at },
    { addr: "192.168.1.20", af: "ipv4", active, last_activity: at },
  ],
  access_point: {
    mac: "34:27:92:60:0B:9E",
    connectivity_type: "wifi",
    rx_bytes: at * 3,
    wifi_information: { band: "5g", signal: -40 - (at % 30), phy_rx_rate: at % 1000 },
  },
});

describe("hostState", () => {
  it("keeps the lasting facts only: no activity time, signal or counters", () => {
    const s = hostState(host(true, 1_700_000_000), undefined);
    expect(s).toEqual({
      home: true,
      name: "iPhone de Marie",
      names: ["iPhone de Marie", "iPhone-de-Marie"],
      addresses: ["192.168.1.20", "fe80::1"],
      vendor: "Apple, Inc.",
      host_type: "smartphone",
      interface: "pub",
      connectivity: "wifi",
      access_point: "34:27:92:60:0B:9E",
      wifi_band: "5g",
      last_seen: null,
    } satisfies HostState);
    // Home, seen again later with every moving value moved: the same state, the same text.
    expect(JSON.stringify(hostState(host(true, 1_700_000_777), s))).toBe(JSON.stringify(s));
  });

  it("sets last_seen when the device leaves, and keeps it while it stays away", () => {
    const home = hostState(host(true, 1_700_000_000), undefined);
    const left = hostState(host(false, 1_700_000_100), home);
    expect(left).toMatchObject({ home: false, last_seen: 1_700_000_100 });
    // The box's figure moves (a stray reachability probe): last_seen stays when it was first seen away.
    expect(hostState(host(false, 1_700_000_500), left).last_seen).toBe(1_700_000_100);
    // Back home: no last_seen; away again: the new time.
    const back = hostState(host(true, 1_700_001_000), left);
    expect(back.last_seen).toBeNull();
    expect(hostState(host(false, 1_700_002_000), back).last_seen).toBe(1_700_002_000);
  });

  it("a device already away at the start: last_seen is when the box last saw it", () => {
    expect(hostState(host(false, 1_600_000_000), undefined).last_seen).toBe(1_600_000_000);
    const { last_time_reachable: _, ...noReach } = host(false, 1_600_000_000);
    expect(hostState({ ...noReach, last_activity: 1_500_000_000 }, undefined).last_seen).toBe(1_500_000_000);
  });

  it("a host the box sent as {} or not at all, or with wrong types: home unknown, every field null or empty", () => {
    const empty: HostState = {
      home: null,
      name: null,
      names: [],
      addresses: [],
      vendor: null,
      host_type: null,
      interface: null,
      connectivity: null,
      access_point: null,
      wifi_band: null,
      last_seen: null,
    };
    expect(hostState({}, undefined)).toEqual(empty);
    expect(hostState(undefined, undefined)).toEqual(empty);
    const odd = {
      active: "yes",
      names: "x",
      l3connectivities: [null, 3],
      access_point: [],
    } as unknown as LanHost;
    expect(hostState(odd, undefined)).toEqual(empty);
  });

  it("names its topic by the MAC, lowercase without separators", () => {
    expect(hostTopic("fbx", "02:AA:BB:CC:DD:EE")).toBe("fbx/lan/hosts/02aabbccddee");
    expect(hostTopic("fbx", "nope")).toBeUndefined();
  });
});

describe("sameHostState", () => {
  it("is true for a poll that moved only activity times, false when a field or a list entry changed", () => {
    const home = hostState(host(true, 1000), undefined);
    expect(sameHostState(home, hostState(host(true, 1060), home))).toBe(true);
    expect(sameHostState(home, hostState(host(false, 1060), home))).toBe(false);
    const moved = hostState(
      { ...host(true, 1060), l3connectivities: [{ addr: "192.168.1.99", af: "ipv4" }] },
      home,
    );
    expect(sameHostState(home, moved)).toBe(false);
    expect(sameHostState(home, { ...home, names: [...home.names, "another"] })).toBe(false);
  });
});

describe("sameState (presence's fast path: the state is not built when it says so)", () => {
  const base = host(true, 1000);
  const state = hostState(base, undefined);

  it("is true when only moving values moved, false when any lasting fact changed", () => {
    expect(sameState(base, host(true, 1060), state)).toBe(true);
    const changed: Array<[string, LanHost]> = [
      ["active", host(false, 1060)],
      ["primary_name", { ...base, primary_name: "iPhone" }],
      ["vendor_name", { ...base, vendor_name: "Samsung" }],
      ["host_type", { ...base, host_type: "laptop" }],
      ["interface", { ...base, interface: "wifiguest" }],
      [
        "connectivity_type",
        { ...base, access_point: { ...base.access_point, connectivity_type: "ethernet" } },
      ],
      ["access point", { ...base, access_point: { ...base.access_point, mac: "34:27:92:60:0B:9F" } }],
      ["band", { ...base, access_point: { ...base.access_point, wifi_information: { band: "2d4g" } } }],
      ["a name added", { ...base, names: [...(base.names ?? []), { name: "marie", source: "netbios" }] }],
      ["a name changed", { ...base, names: [{ name: "iPhone", source: "mdns" }] }],
      [
        "an address added",
        {
          ...base,
          l3connectivities: [...(base.l3connectivities ?? []), { addr: "192.168.1.21", af: "ipv4" }],
        },
      ],
      [
        "an address changed",
        {
          ...base,
          l3connectivities: [
            { addr: "192.168.1.21", af: "ipv4" },
            { addr: "fe80::1", af: "ipv6" },
          ],
        },
      ],
    ];
    for (const [what, next] of changed) {
      expect(sameState(base, next, state), what).toBe(false);
      expect(sameHostState(state, hostState(next, state)), what).toBe(false);
    }
  });

  it("is false for a host away with no time yet: last_seen comes from the next answer", () => {
    const { last_time_reachable: _, last_activity: __, ...noTime } = host(false, 1000);
    const away = hostState(noTime, undefined);
    expect(away.last_seen).toBeNull();
    expect(sameState(noTime, host(false, 1060), away)).toBe(false);
    expect(hostState(host(false, 1060), away).last_seen).toBe(1060);
    // Away with a last_seen: it is kept whatever the box's times say.
    const left = hostState(host(false, 1000), state);
    expect(sameState(host(false, 1000), host(false, 1060), left)).toBe(true);
  });

  it("never says the same when hostState would give another state (random hosts)", () => {
    const rng = createRng(11);
    // rng.pick refuses undefined items, which are among the values here.
    const pick = <T>(items: readonly T[]): T => items[rng.int(0, items.length - 1)] as T;
    // Each field's values (undefined and wrong types included); `access_point` is itself drawn.
    const fields: Record<string, () => unknown> = {
      active: () => pick([true, false, undefined, "yes"]),
      primary_name: () => pick(["a", "b", "", undefined]),
      vendor_name: () => pick(["v", undefined]),
      host_type: () => pick(["phone", undefined]),
      interface: () => pick(["pub", "wifiguest"]),
      last_time_reachable: () => pick([1000, 1060, undefined]),
      last_activity: () => pick([900, undefined]),
      names: () =>
        pick([
          undefined,
          [],
          [{ name: "x" }],
          [{ name: "x" }, { name: "y" }],
          [{ name: "y" }, { name: "x" }],
          "x",
        ]),
      l3connectivities: () => pick([undefined, [{ addr: "1" }], [{ addr: "1" }, null], [{ addr: "2" }]]),
      access_point: () =>
        pick([
          undefined,
          [],
          {
            mac: pick(["m", "n", undefined]),
            connectivity_type: pick(["wifi", "ethernet"]),
            wifi_information: pick([undefined, { band: "5g" }, { band: "2d4g" }]),
          },
        ]),
    };
    const randomHost = (): LanHost =>
      Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, value()])) as LanHost;
    let same = 0;
    for (let n = 0; n < 20_000; n++) {
      const first = randomHost();
      const previous = rng.bool() ? undefined : hostState(randomHost(), undefined);
      const state = hostState(first, previous);
      // The next answer: the same host with one or two fields drawn again (often to the same value).
      const next: Record<string, unknown> = { ...first };
      for (const key of [pick(Object.keys(fields)), pick(Object.keys(fields))]) next[key] = fields[key]?.();
      if (!sameState(first, next, state)) continue;
      same++;
      expect(hostState(next, state)).toEqual(state);
    }
    expect(same).toBeGreaterThan(3000);
  });
});
