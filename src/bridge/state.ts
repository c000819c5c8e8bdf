// Retained JSON state payloads (README "State topics"): the API's field names and units, every
// documented field present (`null` when the box did not send it), unknown keys kept (leases
// excepted: their lasting fields only), the write-only DynDNS `password` never present. Documented fields come from
// freebox-api-connection (v3), freebox-api-dhcp (v4) and freebox-os-essentials §7/§8 (fields real
// boxes send beyond the pages). Pure: the scheduler feeds API results in and publishes what changed.

import { isRecord, type Json } from "../json.js";
import { macKey } from "./entities/ids.js";
import { LeaseRows, topicOf } from "./lease-rows.js";
import { type ResourceId, resourceDef } from "./resources.js";

const CONNECTION = [
  "state",
  "type",
  "media",
  "ipv4", // only while `state` is up
  "ipv6",
  "ipv4_port_range", // essentials §8: current firmware, [first, last]
  "rate_up",
  "rate_down",
  "bandwidth_up",
  "bandwidth_down",
  "bytes_up",
  "bytes_down",
];
const CONNECTION_CONFIG = [
  "ping",
  "is_secure_pass",
  "remote_access",
  "remote_access_port",
  "remote_access_min_port", // essentials §8: newer firmware
  "remote_access_max_port",
  "remote_access_ip", // missing while the line is down
  "api_remote_access",
  "wol",
  "adblock", // missing on old firmware
  "adblock_not_set",
  "allow_token_request",
  "sip_alg", // essentials §8: newer firmware
];
const IPV6 = ["ipv6_enabled", "ipv6ll", "ipv6_prefix_firewall", "ipv6_firewall", "delegations"];
const IPV6_DELEGATION = ["prefix", "next_hop"];
const XDSL_STATUS = ["status", "protocol", "modulation", "uptime"];
const XDSL_STATS = [
  "maxrate",
  "rate",
  "snr",
  "attn",
  "snr_10",
  "attn_10",
  "fec",
  "crc",
  "hec",
  "es",
  "ses",
  "phyr",
  "ginp",
  "nitro",
  "rxmt", // rxmt*: only when phyr is on
  "rxmt_corr",
  "rxmt_uncorr",
  "rtx_tx", // rtx_*: only when ginp is on
  "rtx_c",
  "rtx_uc",
];
const FTTH = [
  "sfp_present",
  "sfp_alim_ok",
  "sfp_has_power_report",
  "sfp_has_signal",
  "sfp_serial",
  "sfp_model",
  "sfp_vendor",
  "sfp_pwr_tx", // dBm × 100, absent without a power report
  "sfp_pwr_rx",
  "link", // essentials §8: sent though the page does not list it
  "has_sfp",
];
// DynDNS config (enabled, hostname, user; `password` is write-only) merged with its status/.
const DDNS = [
  "enabled",
  "hostname",
  "user",
  "status",
  "next_refresh",
  "last_refresh",
  "next_retry",
  "last_error",
];
const DHCP_CONFIG = [
  "enabled",
  "sticky_assign",
  "gateway",
  "netmask",
  "ip_range_start",
  "ip_range_end",
  "always_broadcast",
  "dns", // padded with empty strings by the box
  "ignore_out_of_range_hint", // essentials §8: newer firmware
  "boot_server",
  "boot_file",
  "options",
];
// Leases carry their lasting fields only (README "State topics"): no
// `lease_remaining`, `refresh_time`, nor the `host` object, whose activity times and Wi-Fi signal
// move at every poll on a real box. Of the host, its name, vendor and type stay; presence is on
// `<base>/lan/hosts/<mac12>` (hosts.ts).
const STATIC_LEASE = ["id", "mac", "ip", "comment", "hostname"];
const DYNAMIC_LEASE = ["mac", "ip", "hostname", "is_static", "assign_time"];
// essentials §7, `GET system/` v6+; v5 flat fields (temp_*, fan_rpm, box_flavor) stay as extra keys.
const SYSTEM = [
  "firmware_version",
  "mac",
  "serial",
  "uptime",
  "uptime_val",
  "board_name",
  "disk_status",
  "sensors",
  "fans",
  "expansions",
  "model_info",
];
const SYSTEM_SENSOR = ["id", "name", "value"]; // a sensor may have no value

/** Fields that must never be published (freebox-api-connection: DDNSConfig `password` Write-only). */
const WRITE_ONLY = new Set(["password"]);

export interface StateContext {
  /** DynDNS resources: the `connection/ddns/<provider>/status/` answer, merged into the config. */
  ddnsStatus?: unknown;
}

// defineProperty rather than `o[k] = v` for `__proto__`: a key of that name from the box stays a
// plain key. Only for it: defineProperty on every key was the largest cost of a poll (npm run bench).
function put(o: Json, k: string, v: unknown): void {
  if (k === "__proto__") {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  } else {
    o[k] = v;
  }
}

/** Documented fields first (null when missing), then the box's unknown keys, minus write-only ones. */
export function shape(
  raw: unknown,
  fields: readonly string[],
  nested: Record<string, (v: unknown) => unknown> = {},
) {
  const src = isRecord(raw) ? raw : {};
  const out: Json = {};
  for (const f of fields) {
    const v = src[f];
    const fix = nested[f];
    put(out, f, fix ? fix(v) : (v ?? null));
  }
  for (const [k, v] of Object.entries(src)) {
    if (!Object.hasOwn(out, k) && !WRITE_ONLY.has(k) && v !== undefined) put(out, k, v);
  }
  return out;
}

export const listOf =
  (fields: readonly string[]) =>
  (v: unknown): unknown[] | null =>
    Array.isArray(v) ? v.map((item) => (isRecord(item) ? shape(item, fields) : item)) : null;

const objectOrNull = (v: unknown): Json | null => (isRecord(v) ? v : null);

/** The state payload of a resource, from the raw API result. Leases give arrays, others objects. */
export function buildState(resource: ResourceId, raw: unknown, ctx: StateContext = {}): Json | unknown[] {
  return resourceDef(resource).state(raw, ctx);
}

// The payload builders of the box's own resources, each the `state` of its entry in ./resources/.

export function connectionState(raw: unknown): Json {
  return shape(raw, CONNECTION);
}

export function connectionConfigState(raw: unknown): Json {
  return shape(raw, CONNECTION_CONFIG);
}

export function ipv6State(raw: unknown): Json {
  return shape(raw, IPV6, { delegations: listOf(IPV6_DELEGATION) });
}

export function xdslState(raw: unknown): Json {
  // Nested objects are always there (fields null), so `value_json.down.rate` is never undefined.
  const stats = (v: unknown) => shape(v, XDSL_STATS);
  return shape(raw, ["status", "down", "up"], {
    status: (v) => shape(v, XDSL_STATUS),
    down: stats,
    up: stats,
  });
}

export function ftthState(raw: unknown): Json {
  return shape(raw, FTTH);
}

export function dhcpConfigState(raw: unknown): Json {
  return shape(raw, DHCP_CONFIG);
}

export function staticLeasesState(raw: unknown): Json[] {
  return leases(raw, STATIC_LEASE);
}

export function dynamicLeasesState(raw: unknown): Json[] {
  return leases(raw, DYNAMIC_LEASE);
}

export function systemState(raw: unknown): Json {
  const sensors = listOf(SYSTEM_SENSOR);
  return shape(raw, SYSTEM, { sensors, fans: sensors, model_info: objectOrNull });
}

/** A DynDNS provider: status first so that a config key wins if both ever carry the same name. */
export function ddnsState(raw: unknown, ctx: StateContext): Json {
  const status = isRecord(ctx.ddnsStatus) ? ctx.ddnsStatus : {};
  return shape({ ...status, ...(isRecord(raw) ? raw : {}) }, DDNS);
}

/** The leases' rows, built afresh (lease-rows.ts: fields, order). */
const leases = (raw: unknown, fields: readonly string[]): Json[] => [
  ...new LeaseRows().read(raw, fields).rows,
];

/**
 * Each static lease also has its own retained topic, read by its device_tracker, so that one lease
 * changing does not wake every tracker: `<base>/dhcp/static_leases/<mac lowercase, no separators>`.
 */
export function staticLeaseTopic(baseTopic: string, mac: string): string | undefined {
  const key = macKey(mac);
  return key ? `${baseTopic}/${resourceDef("static_leases").topic}/${key}` : undefined;
}

export interface StateMessage {
  topic: string;
  value: unknown;
  /** statePayload(value), when it was built already. */
  payload?: string;
}

/** The payload text of a state: what is published, and what change detection compares. */
export const statePayload = (value: unknown): string => JSON.stringify(value) ?? "null";

/** A message's payload text. */
export const messagePayload = (m: StateMessage): string => m.payload ?? statePayload(m.value);

/**
 * The messages of a `static_leases` answer: the list and each lease on its own topic. The lease's
 * host is on `<base>/lan/hosts/<mac12>`, published by presence.ts with every LAN host. `rows`: the
 * rows of the previous answer, to reuse (the publisher's); without it, built afresh.
 */
export function staticLeaseStates(baseTopic: string, raw: unknown, rows = new LeaseRows()): StateMessage[] {
  const list = rows.read(raw, STATIC_LEASE);
  if (list.messages?.base === baseTopic) return [...list.messages.messages];
  const out: StateMessage[] = [
    { topic: `${baseTopic}/${resourceDef("static_leases").topic}`, value: list.rows, payload: list.text },
  ];
  const topic = (lease: Json) => staticLeaseTopic(baseTopic, String(lease.mac ?? lease.id));
  for (const entry of list.entries) {
    const leaseTopic = topicOf(entry, baseTopic, topic);
    if (leaseTopic) out.push({ topic: leaseTopic, value: entry.row, payload: entry.text });
  }
  // Kept with the list: the next answer with the very same rows gets them without a loop.
  list.messages = { base: baseTopic, messages: out };
  return [...out];
}

/** The message of a `dynamic_leases` answer, its rows reused as staticLeaseStates's. */
export function dynamicLeaseStates(baseTopic: string, raw: unknown, rows = new LeaseRows()): StateMessage[] {
  const list = rows.read(raw, DYNAMIC_LEASE);
  return [
    { topic: `${baseTopic}/${resourceDef("dynamic_leases").topic}`, value: list.rows, payload: list.text },
  ];
}

/**
 * Every state message of a resource's answer: its state topic, or what its entry says (per-lease
 * topics). `rows`: the resource's rows of its previous answer, for a lease list (lease-rows.ts).
 */
export function stateMessages(
  baseTopic: string,
  resource: ResourceId,
  raw: unknown,
  ctx: StateContext = {},
  rows?: LeaseRows,
): StateMessage[] {
  const def = resourceDef(resource);
  if (def.messages) return def.messages(baseTopic, raw, ctx, rows);
  return [{ topic: `${baseTopic}/${def.topic}`, value: def.state(raw, ctx) }];
}

/**
 * The payload text last published per state topic, to publish only what changed: the text about
 * to be sent against the last one sent there (README "State topics"). Payloads are
 * built with a fixed key order (documented fields first), so an unchanged state gives the same text.
 */
export class StateCache {
  private readonly last = new Map<string, string>();

  /** Whether `payload` differs from the last one for `topic` (then remembered). */
  changed(topic: string, payload: string): boolean {
    if (this.last.get(topic) === payload) return false;
    this.last.set(topic, payload);
    return true;
  }

  get(topic: string): string | undefined {
    return this.last.get(topic);
  }

  /** Forget a topic (after clearing it on the broker, or to force its next publication). */
  delete(topic: string): boolean {
    return this.last.delete(topic);
  }

  /** Everything published, e.g. to re-send all states after Home Assistant's birth message. */
  entries(): Array<[string, string]> {
    return [...this.last.entries()];
  }

  /**
   * Per-lease topics still cached but absent from `current` (a static lease was deleted): clear
   * each with an empty retained payload, then `delete` it here. (Host topics are presence.ts's.)
   */
  staleLeaseTopics(baseTopic: string, current: readonly StateMessage[]): string[] {
    const prefix = `${baseTopic}/${resourceDef("static_leases").topic}/`;
    const keep = new Set(current.map((m) => m.topic));
    return [...this.last.keys()].filter((t) => t.startsWith(prefix) && !keep.has(t));
  }
}
