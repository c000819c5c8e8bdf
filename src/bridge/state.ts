// Retained JSON state payloads (README "State topics"): the API's field names and
// units, every documented field present (`null` when the box did not send it), unknown keys kept,
// the write-only DynDNS `password` never present. Documented fields come from
// freebox-api-connection (v3), freebox-api-dhcp (v4) and freebox-os-essentials §7/§8 (fields real
// boxes send beyond the pages). Pure: the scheduler feeds API results in and publishes what changed.
import { createHash } from "node:crypto";
import { macKey } from "./entities/ids.js";
import { type ResourceId, resourceInfo } from "./resources.js";

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
// `host` (LAN browser host) is kept whole: many undocumented keys, may be `{}` or absent.
const STATIC_LEASE = ["id", "mac", "comment", "hostname", "ip", "host"];
const DYNAMIC_LEASE = [
  "mac",
  "hostname",
  "ip",
  "lease_remaining",
  "assign_time",
  "refresh_time",
  "is_static",
  "host",
];
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

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

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
function shape(
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

const listOf =
  (fields: readonly string[]) =>
  (v: unknown): unknown[] | null =>
    Array.isArray(v) ? v.map((item) => (isRecord(item) ? shape(item, fields) : item)) : null;

const objectOrNull = (v: unknown): Json | null => (isRecord(v) ? v : null);

/** The state payload of a resource, from the raw API result. Leases give arrays, others objects. */
export function buildState(resource: ResourceId, raw: unknown, ctx: StateContext = {}): Json | unknown[] {
  switch (resource) {
    case "connection":
      return shape(raw, CONNECTION);
    case "connection_config":
      return shape(raw, CONNECTION_CONFIG);
    case "ipv6":
      return shape(raw, IPV6, { delegations: listOf(IPV6_DELEGATION) });
    case "xdsl": {
      // Nested objects are always there (fields null), so `value_json.down.rate` is never undefined.
      const stats = (v: unknown) => shape(v, XDSL_STATS);
      return shape(raw, ["status", "down", "up"], {
        status: (v) => shape(v, XDSL_STATUS),
        down: stats,
        up: stats,
      });
    }
    case "ftth":
      return shape(raw, FTTH);
    case "dhcp_config":
      return shape(raw, DHCP_CONFIG);
    case "static_leases":
      return (listOf(STATIC_LEASE)(raw) ?? []).map(withHost);
    case "dynamic_leases":
      return (listOf(DYNAMIC_LEASE)(raw) ?? []).map(withHost);
    case "system": {
      const sensors = listOf(SYSTEM_SENSOR);
      return shape(raw, SYSTEM, { sensors, fans: sensors, model_info: objectOrNull });
    }
    default: {
      // ddns_<provider>: status first so that a config key wins if both ever carry the same name.
      const status = isRecord(ctx.ddnsStatus) ? ctx.ddnsStatus : {};
      return shape({ ...status, ...(isRecord(raw) ? raw : {}) }, DDNS);
    }
  }
}

function withHost(lease: unknown): unknown {
  if (!isRecord(lease)) return lease;
  put(lease, "host", objectOrNull(lease.host));
  return lease;
}

/**
 * Each static lease also has its own retained topic, read by its device_tracker, so that one lease
 * changing does not wake every tracker: `<base>/dhcp/static_leases/<mac lowercase, no separators>`.
 */
export function staticLeaseTopic(baseTopic: string, mac: string): string | undefined {
  const key = macKey(mac);
  return key ? `${baseTopic}/${resourceInfo("static_leases").topic}/${key}` : undefined;
}

export interface StateMessage {
  topic: string;
  value: unknown;
}

/** Per-lease state messages for a `static_leases` state (from buildState). */
export function staticLeaseStates(baseTopic: string, leases: readonly unknown[]): StateMessage[] {
  const out: StateMessage[] = [];
  for (const lease of leases) {
    const topic = isRecord(lease) ? staticLeaseTopic(baseTopic, String(lease.mac ?? lease.id)) : undefined;
    if (topic) out.push({ topic, value: lease });
  }
  return out;
}

/** Every state message of a resource: its state topic, plus the per-lease topics for static leases. */
export function stateMessages(
  baseTopic: string,
  resource: ResourceId,
  raw: unknown,
  ctx?: StateContext,
): StateMessage[] {
  const value = buildState(resource, raw, ctx);
  const main = { topic: `${baseTopic}/${resourceInfo(resource).topic}`, value };
  return resource === "static_leases" && Array.isArray(value)
    ? [main, ...staticLeaseStates(baseTopic, value)]
    : [main];
}

/** JSON with object keys sorted at every level: same content → same string, whatever the key order. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sorted(value)) ?? "null";
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (!isRecord(v)) return v;
  const out: Json = {};
  for (const k of Object.keys(v).sort()) put(out, k, sorted(v[k]));
  return out;
}

/**
 * A short stand-in for a long text whose only use is "is it the same as last time": a 28-character
 * SHA-1 rather than the text kept in memory (a lease list is ~430 KB at 1,000 leases).
 */
export function digest(text: string): string {
  return createHash("sha1").update(text).digest("base64");
}

/** Remembers the last payload published per state topic, to publish only what changed. */
export class StateCache {
  private readonly last = new Map<string, string>();
  /** digest() of the plain JSON.stringify of the last value per topic: the cheap "nothing changed" test. */
  private readonly plain = new Map<string, string>();

  /** The serialized payload when it differs from the last one for `topic` (then remembered), else null. */
  changed(topic: string, value: unknown): string | null {
    // The box sends its keys in the same order poll after poll, so an unchanged value gives the
    // same plain JSON (native, no sorted copy): most polls stop here. The sorted form decides
    // only when the plain JSON differs (a change, or the same content in another key order).
    const plain = digest(JSON.stringify(value) ?? "null");
    if (this.plain.get(topic) === plain && this.last.has(topic)) return null;
    this.plain.set(topic, plain);
    const payload = stableStringify(value);
    if (this.last.get(topic) === payload) return null;
    this.last.set(topic, payload);
    return payload;
  }

  get(topic: string): string | undefined {
    return this.last.get(topic);
  }

  /** Forget a topic (after clearing it on the broker, or to force its next publication). */
  delete(topic: string): boolean {
    this.plain.delete(topic);
    return this.last.delete(topic);
  }

  /** Everything published, e.g. to re-send all states after Home Assistant's birth message. */
  entries(): Array<[string, string]> {
    return [...this.last.entries()];
  }

  clear(): void {
    this.plain.clear();
    this.last.clear();
  }

  /**
   * Per-lease topics still cached but absent from `current` (a lease was deleted): clear each with an
   * empty retained payload, then `delete` it here.
   */
  staleLeaseTopics(baseTopic: string, current: readonly StateMessage[]): string[] {
    const prefix = `${baseTopic}/${resourceInfo("static_leases").topic}/`;
    const keep = new Set(current.map((m) => m.topic));
    return [...this.last.keys()].filter((t) => t.startsWith(prefix) && !keep.has(t));
  }
}
