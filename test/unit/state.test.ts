import { describe, expect, it } from "vitest";
import type { ResourceId } from "../../src/bridge/resources.js";
import { snapshotStates } from "../../src/bridge/snapshot.js";
import {
  buildState,
  messagePayload,
  StateCache,
  stateMessages,
  statePayload,
  staticLeaseTopic,
} from "../../src/bridge/state.js";
import { ftthBox } from "../fixtures/box-ftth.js";
import { xdslBox } from "../fixtures/box-xdsl.js";

// Documented fields, read again from freebox-api-connection, freebox-api-dhcp and
// freebox-os-essentials §7/§8 (independently of the lists in src/bridge/state.ts).
const DOC: Record<string, string[]> = {
  connection:
    "state type media ipv4 ipv6 rate_up rate_down bandwidth_up bandwidth_down bytes_up bytes_down ipv4_port_range".split(
      " ",
    ),
  connection_config:
    "ping is_secure_pass remote_access remote_access_port remote_access_ip api_remote_access wol adblock adblock_not_set allow_token_request remote_access_min_port remote_access_max_port sip_alg".split(
      " ",
    ),
  ipv6: "ipv6_enabled ipv6ll delegations ipv6_prefix_firewall ipv6_firewall".split(" "),
  ftth: "sfp_present sfp_alim_ok sfp_has_power_report sfp_has_signal sfp_serial sfp_model sfp_vendor sfp_pwr_tx sfp_pwr_rx link has_sfp".split(
    " ",
  ),
  ddns: "enabled hostname user status next_refresh last_refresh next_retry last_error".split(" "),
  dhcp_config:
    "enabled sticky_assign gateway netmask ip_range_start ip_range_end always_broadcast dns ignore_out_of_range_hint boot_server boot_file options".split(
      " ",
    ),
  system:
    "firmware_version mac serial uptime uptime_val board_name disk_status sensors fans expansions model_info".split(
      " ",
    ),
};
const XDSL_STATUS = ["status", "protocol", "modulation", "uptime"];
const XDSL_STATS =
  "maxrate rate snr attn snr_10 attn_10 fec crc hec es ses phyr ginp nitro rxmt rxmt_corr rxmt_uncorr rtx_tx rtx_c rtx_uc".split(
    " ",
  );
// README "State topics": lasting fields only, in this order.
const STATIC_LEASE = "id mac ip comment hostname name vendor host_type".split(" ");
const DYNAMIC_LEASE = "mac ip hostname is_static assign_time name vendor host_type".split(" ");

const allNull = (fields: string[]) => Object.fromEntries(fields.map((f) => [f, null]));

describe("buildState", () => {
  it.each([
    ["connection", DOC.connection],
    ["connection_config", DOC.connection_config],
    ["ipv6", DOC.ipv6],
    ["ftth", DOC.ftth],
    ["ddns_ovh", DOC.ddns],
    ["dhcp_config", DOC.dhcp_config],
    ["system", DOC.system],
  ] as Array<[ResourceId, string[]]>)(
    "%s: every documented field, null when the box did not send it",
    (r, fields) => {
      expect(buildState(r, {})).toEqual(allNull(fields ?? []));
      expect(buildState(r, undefined)).toEqual(allNull(fields ?? []));
    },
  );

  it("xdsl: nested status/down/up, each with all its fields", () => {
    expect(buildState("xdsl", { status: { status: "down" } })).toEqual({
      status: { ...allNull(XDSL_STATUS), status: "down" },
      down: allNull(XDSL_STATS),
      up: allNull(XDSL_STATS),
    });
    const s = buildState("xdsl", xdslBox.xdsl) as Record<string, Record<string, unknown>>;
    expect(s.down).toMatchObject({ snr: 7, snr_10: 71, ginp: null, rtx_tx: null, rxmt: 0 });
    expect(s.up).toMatchObject({ snr_10: null, attn: 23 });
  });

  it("keeps the box's values, units and unknown keys", () => {
    const c = buildState("connection", { ...ftthBox.connection, new_field: { a: 1 } });
    expect(c).toMatchObject({
      bandwidth_down: 8000000000,
      rate_down: 61,
      ipv4_port_range: [0, 65535],
      new_field: { a: 1 },
    });
    const down = buildState("connection", { state: "down", media: "xdsl" });
    expect(down).toMatchObject({ state: "down", ipv4: null, ipv6: null });
    expect(buildState("system", ftthBox.system)).toMatchObject({
      user_main_storage: "Disque 1",
      uptime_val: 274326,
    });
    expect(buildState("connection_config", xdslBox.connectionConfig)).toMatchObject({
      adblock: null,
      sip_alg: null,
    });
  });

  it("normalizes nested lists: sensors without value, IPv6 delegations", () => {
    const s = buildState("system", ftthBox.system) as { sensors: unknown[]; fans: unknown[] };
    expect(s.sensors).toContainEqual({ id: "temp_hdd0", name: "Disque dur 1", value: null });
    expect(s.fans).toEqual([{ id: "fan0_speed", name: "Ventilateur 1", value: 1794 }]);
    const v6 = buildState("ipv6", { delegations: [{ prefix: "2a01::/64" }] });
    expect(v6).toMatchObject({ ipv6ll: null, delegations: [{ prefix: "2a01::/64", next_hop: null }] });
  });

  it("DynDNS: config merged with its status, flat, never the password", () => {
    const d = ftthBox.ddns.dyndns;
    const s = buildState("ddns_dyndns", { ...d?.config, password: "s3cret" }, { ddnsStatus: d?.status });
    expect(s).toEqual({
      enabled: true,
      hostname: "test",
      user: "test",
      status: "hostinval",
      next_refresh: 0,
      last_refresh: 0,
      next_retry: 0,
      last_error: 1354127350,
    });
    expect(
      JSON.stringify(buildState("ddns_ovh", { password: "x" }, { ddnsStatus: { password: "y" } })),
    ).not.toMatch(/password|"x"|"y"/);
    expect(buildState("ddns_noip", xdslBox.ddns.noip?.config)).toMatchObject({
      status: null,
      enabled: false,
    });
  });

  it("leases: exactly the lasting fields, the host's name, vendor and type, null when absent", () => {
    const st = buildState("static_leases", ftthBox.staticLeases) as Array<Record<string, unknown>>;
    expect(st).toHaveLength(3);
    for (const l of st) expect(Object.keys(l)).toEqual(STATIC_LEASE);
    expect(st.find((l) => l.mac === "00:DE:AD:B0:0B:55")).toEqual({
      id: "00:DE:AD:B0:0B:55",
      mac: "00:DE:AD:B0:0B:55",
      ip: "192.168.1.1",
      comment: "",
      hostname: "Pc de r0ro",
      name: "Pc de r0ro",
      vendor: "",
      host_type: "workstation",
    });
    expect(st.find((l) => l.mac === "00:DE:AD:B0:0B:69")).toMatchObject({ name: null, host_type: null });
    const dy = buildState("dynamic_leases", xdslBox.dynamicLeases) as Array<Record<string, unknown>>;
    for (const l of dy) expect(Object.keys(l)).toEqual(DYNAMIC_LEASE);
    expect(buildState("static_leases", undefined)).toEqual([]);
    expect(buildState("dynamic_leases", [{}])).toEqual([allNull(DYNAMIC_LEASE)]);
  });

  it("leases: the same text whatever the box's order and however its timestamps move", () => {
    const moved = ftthBox.dynamicLeases.map((l) => ({
      ...l,
      lease_remaining: l.lease_remaining - 30,
      refresh_time: l.refresh_time + 30,
      host: { ...l.host, last_activity: 1_900_000_000, last_time_reachable: 1_900_000_000 },
    }));
    const before = statePayload(buildState("dynamic_leases", ftthBox.dynamicLeases));
    expect(statePayload(buildState("dynamic_leases", moved.reverse()))).toBe(before);
    expect(before).not.toMatch(/lease_remaining|refresh_time|last_activity|"host"/);
    const macs = (buildState("dynamic_leases", ftthBox.dynamicLeases) as Array<{ mac: string }>).map(
      (l) => l.mac,
    );
    expect(macs).toEqual([...macs].sort());
  });

  it("treats a key named __proto__ as a plain key", () => {
    const raw = JSON.parse('{"state":"up","__proto__":{"polluted":true}}') as unknown;
    const s = buildState("connection", raw);
    expect(Object.getPrototypeOf(s)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(statePayload(s)).toContain('"__proto__":{"polluted":true}');
  });
});

describe("per-lease state topics", () => {
  it("publishes each static lease on its own topic (its host is presence.ts's), MAC lowercase without separators", () => {
    const msgs = stateMessages("fbx", "static_leases", ftthBox.staticLeases);
    expect(msgs.map((m) => m.topic)).toEqual([
      "fbx/dhcp/static_leases",
      "fbx/dhcp/static_leases/000000111111",
      "fbx/dhcp/static_leases/00deadb00b55",
      "fbx/dhcp/static_leases/00deadb00b69",
    ]);
    const byTopic = new Map(msgs.map((m) => [m.topic, m.value]));
    expect(byTopic.get("fbx/dhcp/static_leases/00deadb00b55")).toMatchObject({ ip: "192.168.1.1" });
    expect(staticLeaseTopic("fbx", "not a mac")).toBeUndefined();
    expect(stateMessages("fbx", "dynamic_leases", ftthBox.dynamicLeases)).toHaveLength(1);
  });

  it("gives the list and each lease the payload text of their value (the list's built from the leases')", () => {
    const msgs = stateMessages("fbx", "static_leases", ftthBox.staticLeases);
    for (const m of msgs) expect(messagePayload(m)).toBe(statePayload(m.value));
  });
});

describe("snapshotStates", () => {
  it("publishes xDSL on a DSL line only, FTTH on a fibre line only", () => {
    const f = snapshotStates(ftthBox, "fbx").map((m) => m.topic);
    const x = snapshotStates(xdslBox, "fbx").map((m) => m.topic);
    expect(f).toContain("fbx/connection/ftth");
    expect(f).not.toContain("fbx/connection/xdsl");
    expect(x).toContain("fbx/connection/xdsl");
    expect(x).not.toContain("fbx/connection/ftth");
    expect(f).toEqual(
      expect.arrayContaining(["fbx/connection/ddns/ovh", "fbx/connection/ddns/noip", "fbx/system"]),
    );
    expect(JSON.stringify(snapshotStates(ftthBox, "fbx"))).not.toContain("password");
  });
});

describe("StateCache", () => {
  it("says whether the payload text differs from the last one sent on the topic", () => {
    const cache = new StateCache();
    expect(cache.changed("t", '{"a":1}')).toBe(true);
    expect(cache.changed("t", '{"a":1}')).toBe(false);
    expect(cache.changed("t", '{"a":2}')).toBe(true);
    expect(cache.changed("u", '{"a":2}')).toBe(true);
    expect(cache.get("t")).toBe('{"a":2}');
    cache.delete("t");
    expect(cache.changed("t", '{"a":2}')).toBe(true);
    expect(cache.entries().map(([t]) => t)).toEqual(["u", "t"]);
  });

  it("finds the per-lease topics of deleted leases", () => {
    const cache = new StateCache();
    for (const m of stateMessages("fbx", "static_leases", ftthBox.staticLeases))
      cache.changed(m.topic, statePayload(m.value));
    const now = stateMessages("fbx", "static_leases", ftthBox.staticLeases.slice(1));
    cache.changed("fbx/lan/hosts/00deadb00b55", "{}");
    expect(cache.staleLeaseTopics("fbx", now)).toEqual(["fbx/dhcp/static_leases/00deadb00b55"]);
  });
});
