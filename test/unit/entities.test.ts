import { describe, expect, it } from "vitest";
import {
  buildEntityContext,
  deviceInfo,
  type EntityContext,
  entitiesFor,
  idKey,
  lineMedia,
  macColon,
  macKey,
} from "../../src/bridge/entities.js";
import { deviceName, hostState } from "../../src/bridge/hosts.js";
import type { BoxData } from "../../src/bridge/snapshot.js";
import type { EntityDescriptor } from "../../src/mqtt/discovery.js";
import { FTTH_BOX_ID, ftthBox } from "../fixtures/box-ftth.js";
import { XDSL_BOX_ID, xdslBox } from "../fixtures/box-xdsl.js";

type Spec = Partial<
  Pick<EntityDescriptor, "device_class" | "unit_of_measurement" | "state_class" | "entity_category">
> & { component: EntityDescriptor["component"]; disabled?: true };

const diag = "diagnostic" as const;
const config = "config" as const;

// README "Home Assistant entities", key by key. `state_class: measurement` where the
// table names a measurement without a state class (and the lease counts), and `diagnostic` for box temperatures and fans,
// are the bridge's choices where the contract is silent.
function contract(
  d: "xdsl" | "ftth",
  providers: string[],
  extra: Record<string, Spec>,
): Record<string, Spec> {
  const spec: Record<string, Spec> = {
    connectivity: { component: "binary_sensor", device_class: "connectivity" },
    connection_state: { component: "sensor" },
    media: { component: "sensor", entity_category: diag },
    connection_type: { component: "sensor", entity_category: diag },
    ipv4: { component: "sensor", entity_category: diag },
    ipv6: { component: "sensor", entity_category: diag },
    ping: { component: "switch", entity_category: config },
    wol: { component: "switch", entity_category: config },
    adblock: { component: "switch", entity_category: config },
    remote_access: { component: "switch", entity_category: config },
    allow_token_request: { component: "switch", entity_category: config },
    remote_access_port: { component: "number", entity_category: config },
    is_secure_pass: { component: "binary_sensor", entity_category: diag },
    api_remote_access: { component: "binary_sensor", entity_category: diag },
    remote_access_ip: { component: "sensor", entity_category: diag },
    ipv6_enabled: { component: "switch", entity_category: config },
    dhcp_enabled: { component: "switch", entity_category: config },
    dhcp_sticky_assign: { component: "switch", entity_category: config },
    dhcp_always_broadcast: { component: "switch", entity_category: config },
    dhcp_ip_range_start: { component: "text", entity_category: config },
    dhcp_ip_range_end: { component: "text", entity_category: config },
    dhcp_dns: { component: "text", entity_category: config },
    dhcp_gateway: { component: "sensor", entity_category: diag },
    dhcp_netmask: { component: "sensor", entity_category: diag },
    dhcp_dynamic_leases: { component: "sensor", state_class: "measurement" },
    dhcp_static_leases: { component: "sensor", state_class: "measurement" },
    uptime: {
      component: "sensor",
      device_class: "duration",
      unit_of_measurement: "s",
      entity_category: diag,
    },
    reboot: { component: "button", device_class: "restart", entity_category: config },
    refresh: { component: "button", entity_category: diag },
    ...extra,
  };
  for (const dir of ["down", "up"]) {
    const rate = { device_class: "data_rate", state_class: "measurement" } as const;
    spec[`rate_${dir}`] = { component: "sensor", ...rate, unit_of_measurement: "B/s" };
    spec[`bandwidth_${dir}`] = {
      component: "sensor",
      ...rate,
      unit_of_measurement: "bit/s",
      entity_category: diag,
    };
    spec[`bytes_${dir}`] = {
      component: "sensor",
      device_class: "data_size",
      unit_of_measurement: "B",
      state_class: "total_increasing",
    };
    if (d !== "xdsl") continue;
    for (const f of ["rate", "maxrate"])
      spec[`xdsl_${dir}_${f}`] = { component: "sensor", ...rate, unit_of_measurement: "kbit/s" };
    for (const f of ["snr", "attn"])
      spec[`xdsl_${dir}_${f}`] = {
        component: "sensor",
        device_class: "signal_strength",
        unit_of_measurement: "dB",
        state_class: "measurement",
      };
    for (const f of ["crc", "fec", "hec", "es", "ses"])
      spec[`xdsl_${dir}_${f}`] = {
        component: "sensor",
        state_class: "total_increasing",
        entity_category: diag,
        disabled: true,
      };
    for (const f of ["phyr", "ginp", "nitro"])
      spec[`xdsl_${dir}_${f}`] = { component: "binary_sensor", entity_category: diag };
  }
  if (d === "xdsl") {
    for (const f of ["status", "protocol", "modulation"])
      spec[`xdsl_${f}`] = { component: "sensor", entity_category: diag };
    spec.xdsl_uptime = { component: "sensor", device_class: "duration", unit_of_measurement: "s" };
  } else {
    for (const f of ["ftth_link", "sfp_present", "sfp_alim_ok", "sfp_has_signal"])
      spec[f] = { component: "binary_sensor", entity_category: diag };
    for (const f of ["sfp_pwr_rx", "sfp_pwr_tx"])
      spec[f] = {
        component: "sensor",
        device_class: "signal_strength",
        unit_of_measurement: "dBm",
        state_class: "measurement",
      };
  }
  for (const p of providers) {
    spec[`ddns_${p}_status`] = { component: "sensor", entity_category: diag };
    spec[`ddns_${p}_enabled`] = { component: "switch", entity_category: config };
    for (const f of ["hostname", "user", "password"])
      spec[`ddns_${p}_${f}`] = { component: "text", entity_category: config };
  }
  return spec;
}

const temperature = {
  component: "sensor",
  device_class: "temperature",
  unit_of_measurement: "°C",
  state_class: "measurement",
  entity_category: diag,
} as const;
const fan = {
  component: "sensor",
  unit_of_measurement: "rpm",
  state_class: "measurement",
  entity_category: diag,
} as const;
const lease = { component: "device_tracker" } as const;
const lanEvent = { component: "event" } as const;

const ctxOf = (box: BoxData): EntityContext =>
  buildEntityContext({
    baseTopic: "freebox2mqtt",
    system: box.system,
    connection: box.connection,
    ftth: box.ftth,
    staticLeases: box.staticLeases,
    // What presence.ts tracks for these leases (no LAN browser in the fixtures).
    hosts: box.staticLeases.map((l) => {
      const mac = macKey(l.mac) ?? "";
      return { mac, name: deviceName(mac, l, hostState(l.host, undefined)) };
    }),
    ddnsProviders: Object.keys(box.ddns),
  });

const byKey = (list: EntityDescriptor[]) => new Map(list.map((e) => [e.key, e]));

describe.each([
  [
    "fibre",
    ftthBox,
    contract("ftth", ["ovh", "dyndns", "noip"], {
      temperature_temp_cpu_ap: temperature,
      temperature_temp_cpu_cp_master: temperature,
      temperature_temp_t1: temperature,
      temperature_temp_hdd0: temperature,
      fan_fan0_speed: fan,
      lan_event: lanEvent,
      host_00deadb00b55: lease,
      host_00deadb00b69: lease,
      host_000000111111: lease,
    }),
  ],
  [
    "xDSL",
    xdslBox,
    contract("xdsl", ["dyndns", "noip"], {
      temperature_temp_cpum: temperature,
      temperature_temp_cpub: temperature,
      temperature_temp_sw: temperature,
      fan_fan_rpm: fan,
      lan_event: lanEvent,
      host_b827eb123456: lease,
    }),
  ],
] as const)("entitiesFor on a %s box", (_name, box, spec) => {
  const entities = entitiesFor(ctxOf(box));
  const map = byKey(entities);

  it("produces exactly the contract's keys for this box", () => {
    expect([...map.keys()].sort()).toEqual(Object.keys(spec).sort());
    expect(map.size).toBe(entities.length);
  });

  it.each(Object.entries(spec))("%s has the contract's component and classes", (key, s) => {
    const e = map.get(key);
    expect(e?.component).toBe(s.component);
    expect(e?.device_class).toBe(s.device_class);
    expect(e?.unit_of_measurement).toBe(s.unit_of_measurement);
    expect(e?.state_class).toBe(s.state_class);
    expect(e?.entity_category).toBe(s.entity_category);
    expect(e?.enabled_by_default).toBe(s.disabled ? false : undefined);
  });

  it("gives every state-reading entity a value template that handles missing values", () => {
    for (const e of entities) {
      // An event entity reads `event_type` from its JSON message itself: no template.
      if (e.state_topic === undefined || e.key.endsWith("_password") || e.component === "event") continue;
      expect(e.value_template, e.key).toMatch(/^\{[{%].*[}%]\}$/s);
      expect(e.value_template, e.key).toMatch(/else (None|''|\[\])/);
      expect(e.state_topic.startsWith("freebox2mqtt/"), e.key).toBe(true);
    }
  });

  it("reads and writes the contract's topics", () => {
    expect(map.get("ping")).toMatchObject({
      state_topic: "freebox2mqtt/connection/config",
      command_topic: "freebox2mqtt/connection/config/set/ping",
    });
    expect(map.get("ipv6_enabled")?.command_topic).toBe("freebox2mqtt/connection/ipv6/set/ipv6_enabled");
    expect(map.get("dhcp_enabled")?.command_topic).toBe("freebox2mqtt/dhcp/config/set/enabled");
    expect(map.get("dhcp_dns")?.command_topic).toBe("freebox2mqtt/dhcp/config/set/dns");
    expect(map.get("remote_access_port")).toMatchObject({ min: 1, max: 65535, step: 1 });
    expect(map.get("reboot")).toMatchObject({
      command_topic: "freebox2mqtt/system/reboot",
      payload_press: "PRESS",
    });
    expect(map.get("refresh")?.command_topic).toBe("freebox2mqtt/bridge/request/refresh");
    expect(map.get("ddns_dyndns_hostname")?.command_topic).toBe(
      "freebox2mqtt/connection/ddns/dyndns/set/hostname",
    );
  });

  it("uses short names that never repeat the device name", () => {
    for (const e of entities) {
      if (e.component === "device_tracker") expect(e.name).toBeNull();
      else expect(e.name, e.key).toMatch(/^(?!Freebox)\S.{0,40}$/);
    }
    expect(map.get("rate_down")?.name).toBe("Download rate");
    expect(map.get("ping")?.name).toBe("Ping response");
  });

  it("never gives the DynDNS password a readable state", () => {
    for (const e of entities.filter((x) => x.key.endsWith("_password"))) {
      expect(e).toMatchObject({ component: "text", mode: "password", value_template: "{{ '' }}" });
    }
  });

  it("bounds the lease attributes and makes them a dict", () => {
    const t = map.get("dhcp_dynamic_leases")?.json_attributes_template ?? "";
    expect(t).toContain("rows[:50]");
    expect(t).toMatch(/\{\{ \{'leases': .*\} \| tojson \}\}$/);
    expect(map.get("dhcp_dynamic_leases")?.json_attributes_topic).toBe("freebox2mqtt/dhcp/dynamic_leases");
  });
});

describe("entity details", () => {
  const ftth = byKey(entitiesFor(ctxOf(ftthBox)));
  const xdsl = byKey(entitiesFor(ctxOf(xdslBox)));

  it("prefers the xDSL _10 fields, and FTTH power ÷ 100", () => {
    expect(xdsl.get("xdsl_down_snr")?.value_template).toMatch(
      /value_json\.down\.snr_10 \/ 10\).*value_json\.down\.snr /,
    );
    expect(xdsl.get("xdsl_up_attn")?.value_template).toContain("value_json.up.attn_10 / 10");
    expect(ftth.get("sfp_pwr_rx")?.value_template).toContain("(value_json.sfp_pwr_rx / 100)");
  });

  it("drops the SFP power sensors without a power report", () => {
    const ctx = buildEntityContext({
      baseTopic: "freebox2mqtt",
      system: ftthBox.system,
      connection: ftthBox.connection,
      ftth: { ...ftthBox.ftth, sfp_has_power_report: false },
    });
    const keys = entitiesFor(ctx).map((e) => e.key);
    expect(keys).toContain("sfp_present");
    expect(keys).not.toContain("sfp_pwr_rx");
    expect(keys).not.toContain("sfp_pwr_tx");
  });

  it("gives each tracked host its own device behind the Freebox, reading its host's topic", () => {
    expect(ftth.get("host_00deadb00b55")).toMatchObject({
      source_type: "router",
      state_topic: "freebox2mqtt/lan/hosts/00deadb00b55",
      json_attributes_topic: "freebox2mqtt/lan/hosts/00deadb00b55",
      device: {
        identifiers: [`freebox_${FTTH_BOX_ID}_host_00deadb00b55`],
        connections: [["mac", "00:de:ad:b0:0b:55"]],
        name: "Pc de r0ro",
        via_device: `freebox_${FTTH_BOX_ID}`,
      },
    });
    expect(ftth.get("host_00deadb00b69")?.device?.name).toBe("Imprimante bureau"); // comment first
    expect(ftth.get("host_00deadb00b55")?.value_template).toContain("value_json.home");
    expect(ftth.get("host_00deadb00b55")?.json_attributes_template).toContain("'mac': '00:de:ad:b0:0b:55'");
  });

  it("names a device by its lease, else its names, else its vendor and the end of its MAC", () => {
    const state = (host: Record<string, unknown>) => hostState(host, undefined);
    const mac = "000000111111";
    expect(deviceName(mac, { comment: " Salon ", hostname: "tv" }, undefined)).toBe("Salon");
    // The box makes the hostname the MAC when it knows none.
    expect(deviceName(mac, { comment: "", hostname: "00:00:00:11:11:11" }, state({}))).toBe(
      "Device 11:11:11",
    );
    expect(
      deviceName(mac, undefined, state({ primary_name: "", names: [{ name: "Pixel-7", source: "mdns" }] })),
    ).toBe("Pixel-7");
    expect(deviceName(mac, undefined, state({ primary_name: "", vendor_name: "Apple, Inc." }))).toBe(
      "Apple, Inc. 11:11:11",
    );
    expect(deviceName(mac, undefined, state({}), "Known")).toBe("Known");
  });

  it("keeps the line's entities during a 4G backup", () => {
    expect(lineMedia("backup_4g", "ftth")).toBe("ftth");
    expect(lineMedia("xdsl", "ftth")).toBe("xdsl");
    expect(lineMedia("backup_4g")).toBeUndefined();
    const ctx = buildEntityContext({
      baseTopic: "b",
      system: xdslBox.system,
      connection: { media: "backup_4g" },
      previousMedia: "xdsl",
    });
    expect(entitiesFor(ctx).some((e) => e.key === "xdsl_down_rate")).toBe(true);
  });

  it("skips box sensor ids that cannot be keys or template literals", () => {
    const ctx = {
      ...ctxOf(xdslBox),
      sensors: [{ id: "it's" }, { id: "--" }, { id: "Temp CPU" }, { id: "temp_cpum" }, { id: "TEMP-CPUM" }],
    };
    const keys = entitiesFor(ctx)
      .filter((e) => e.key.startsWith("temperature_"))
      .map((e) => e.key);
    expect(keys).toEqual(["temperature_temp_cpum"]);
  });

  it("builds the Freebox device block", () => {
    expect(deviceInfo(ftthBox.system, ftthBox.apiVersion, "https://mafreebox.freebox.fr")).toEqual({
      identifiers: [`freebox_${FTTH_BOX_ID}`],
      connections: [["mac", "34:27:92:60:0b:9e"]],
      name: "Freebox Server",
      manufacturer: "Free",
      model: "Freebox v7 (r1)",
      model_id: "fbxgw7-r1/full",
      sw_version: "4.8.14",
      hw_version: "fbxgw7r",
      serial_number: "837400F124300118",
      configuration_url: "https://mafreebox.freebox.fr",
    });
    const bare = deviceInfo({ ...xdslBox.system, board_name: undefined }, undefined, "http://192.168.0.254");
    expect(bare.identifiers).toEqual([`freebox_${XDSL_BOX_ID}`]);
    expect(bare.model).toBe("Freebox v6 (r2)"); // from model_info when /api_version is unknown
    expect(bare.hw_version).toBeUndefined();
    expect(() => deviceInfo({ ...xdslBox.system, mac: "nope" }, undefined, "http://x")).toThrow(/MAC/);
  });

  it("derives ids from MACs", () => {
    expect(macKey("34:27:92:60:0B:9E")).toBe("342792600b9e");
    expect(macKey("34-27-92-60-0b-9e")).toBe("342792600b9e");
    expect(macKey("34:27:92:60:0B")).toBeUndefined();
    expect(macColon("342792600b9e")).toBe("34:27:92:60:0b:9e");
    expect(idKey("Temp__CPU-M")).toBe("temp_cpu_m");
  });
});
