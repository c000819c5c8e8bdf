// Validation primitives for MQTT commands: the one error type for bad commands, bounded JSON
// parsing, and the value checks (booleans, ports, text, IPv4/IPv6, MAC addresses, subnets) that
// keep invalid input from ever reaching the box (README "Commands").
// Area rules (which field is writable where) live in src/bridge/commands/*.ts.
import { isIPv6 } from "node:net";

/** Codes the bridge itself answers with (the box's own codes pass through unchanged). */
export type BridgeErrorCode = "invalid_request" | "unknown_command" | "internal_error";

/** A command the bridge refuses before calling the box. The message is a sentence for the user. */
export class CommandError extends Error {
  override readonly name = "CommandError";
  readonly code: BridgeErrorCode;
  constructor(code: BridgeErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export const invalid = (message: string): CommandError => new CommandError("invalid_request", message);

/** A user value quoted for a message: JSON syntax (control characters escaped), cut to stay short. */
export function quote(value: unknown, max = 64): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  const out = text ?? String(value);
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/** "a string", "an array", "null"…: names a value's JSON type without showing it (for secrets). */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "number") return "a number";
  if (typeof value === "boolean") return "a boolean";
  if (typeof value === "string") return "a string";
  return typeof value;
}

// Commands need three levels at most (IPv6 object → delegations → delegation); 16 leaves room
// for a nested `transaction` while refusing pathological input before JSON.parse builds it.
export const MAX_JSON_DEPTH = 16;

/**
 * Deepest nesting of arrays/objects in a JSON text, found by one linear scan without recursion,
 * so that a payload of 16 KiB of `[` is refused cheaply and nothing downstream recurses deeply.
 */
export function jsonDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
      if (max > stopAbove) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * JSON.parse with a depth limit. The parser's own message is not reused: V8 quotes part of the
 * input, which may hold a DynDNS password.
 */
export function parseJson(text: string, what = "payload"): unknown {
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw invalid(`${what} nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`${what} is not valid JSON`);
  }
}

// MQTT topic names must not hold wildcards, U+0000 or surrogates and should not hold control
// characters (MQTT 5.0 §1.5.4, §4.7.3); topics with them are refused, never routed.
export const BAD_TOPIC_CHARS = /[+#\p{Cc}\p{Cs}]/u;
const CONTROL_CHARS = /[\p{Cc}\p{Cs}]/u;

export function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  throw invalid(`${field} must be a boolean (true/false, or ON/OFF as a single value), got ${quote(value)}`);
}

/** Raw single-value form: ON/OFF/true/false in any case (Home Assistant switches send ON/OFF). */
export function rawBoolean(text: string): unknown {
  const t = text.trim().toLowerCase();
  if (t === "on" || t === "true") return true;
  if (t === "off" || t === "false") return false;
  return text;
}

/**
 * Raw single-value form of an integer: decimal digits, optionally with a zero fraction as a
 * number entity may format it ("8080.0"), so "8080" → 8080 while "80.5" and "8e3" are refused.
 */
export function rawInteger(text: string): unknown {
  const t = text.trim();
  return /^-?\d{1,16}(\.0+)?$/.test(t) ? Number(t) : text;
}

export function checkPort(field: string, value: unknown): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535) return value;
  throw invalid(`${field} must be an integer port from 1 to 65535, got ${quote(value)}`);
}

/**
 * Free text up to `max` characters, without control characters. `secret` values (the write-only
 * DynDNS password, freebox-api-connection "DDNSConfig") are never quoted in a message.
 */
export function checkText(field: string, value: unknown, max: number, secret = false): string {
  if (typeof value !== "string") {
    throw invalid(`${field} must be a string, got ${secret ? jsonType(value) : quote(value)}`);
  }
  const length = [...value].length;
  if (length > max) {
    throw invalid(
      `${field} is too long (${length} characters, at most ${max})${secret ? "" : `: ${quote(value)}`}`,
    );
  }
  if (CONTROL_CHARS.test(value)) {
    throw invalid(`${field} must not contain control characters${secret ? "" : `, got ${quote(value)}`}`);
  }
  return value;
}

// Dotted quad, each part 0–255 written without leading zeros ("010" is octal to some parsers).
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export const isIpv4 = (value: unknown): value is string => typeof value === "string" && IPV4.test(value);

export function checkIpv4(field: string, value: unknown): string {
  if (isIpv4(value)) return value;
  throw invalid(`${field} must be an IPv4 address such as "192.168.1.10", got ${quote(value)}`);
}

/** IPv4 address as an unsigned 32-bit integer. */
export function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

export const intToIpv4 = (n: number): string =>
  [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");

/** The LAN as the box describes it: DhcpConfig `gateway` and `netmask` (freebox-api-dhcp). */
export interface Lan {
  gateway: string;
  netmask: string;
  /** Network address and mask as unsigned integers. */
  network: number;
  mask: number;
}

/** Builds the LAN from a gateway and a netmask, or undefined when they are not usable. */
export function lanOf(gateway: unknown, netmask: unknown): Lan | undefined {
  if (!isIpv4(gateway) || !isIpv4(netmask)) return undefined;
  const mask = ipv4ToInt(netmask);
  // A netmask is ones then zeros: inverting it and adding one gives a power of two.
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0 || inverted < 1) return undefined;
  return { gateway, netmask, mask, network: (ipv4ToInt(gateway) & mask) >>> 0 };
}

/** Refuses an address outside the LAN, or its network or broadcast address. */
export function checkInLan(field: string, ip: string, lan: Lan): void {
  const n = ipv4ToInt(ip);
  const host = (n & ~lan.mask) >>> 0;
  const outside = (n & lan.mask) >>> 0 !== lan.network;
  if (outside || host === 0 || host === ~lan.mask >>> 0) {
    const first = intToIpv4(lan.network + 1);
    const last = intToIpv4(lan.network + (~lan.mask >>> 0) - 1);
    throw invalid(
      `${field} ${quote(ip)} is outside the LAN ${lan.gateway}/${lan.netmask} (usable: ${first} to ${last})`,
    );
  }
}

// `aa:bb:cc:dd:ee:ff` in any case (README "Commands"); the box spells MACs in upper case, and a
// static lease's id is its MAC (freebox-os-essentials §8).
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/**
 * A device's own MAC address, as a static lease needs: IEEE 802 §8.2 reserves addresses whose first
 * byte has its low bit set for groups (multicast, and broadcast ff:ff:ff:ff:ff:ff), and no device
 * has the all-zero address. The box would store such a lease that can never match a device.
 */
export function checkMac(field: string, value: unknown): string {
  if (typeof value !== "string" || !MAC.test(value)) {
    throw invalid(`${field} must be a MAC address such as "00:11:22:AA:BB:CC", got ${quote(value)}`);
  }
  const mac = value.toUpperCase();
  const device = "a static lease needs a device's own (unicast) address";
  if (mac === "00:00:00:00:00:00")
    throw invalid(`${field} ${quote(value)} is the all-zero address: ${device}`);
  if (mac === "FF:FF:FF:FF:FF:FF")
    throw invalid(`${field} ${quote(value)} is the broadcast address: ${device}`);
  if (Number.parseInt(mac.slice(0, 2), 16) & 1) {
    throw invalid(`${field} ${quote(value)} is a multicast address (first byte odd): ${device}`);
  }
  return mac;
}

/**
 * The `<mac>` of a lease command topic: `aa:bb:cc:dd:ee:ff` in any case, or the 12 hex digits that
 * name the lease's own state topic (`<base>/dhcp/static_leases/aabbccddeeff`), so that
 * `<its state topic>/set` works too. Returns the box's spelling, upper case with colons.
 */
export function checkTopicMac(value: string): string {
  const bare = /^[0-9a-f]{12}$/i.test(value) ? (value.match(/../g) ?? []).join(":") : value;
  return checkMac("the MAC address in the topic", bare);
}

/** Next hops of IPv6 delegations must be link-local (fe80::/10) or empty (freebox-api-connection). */
export function checkNextHop(field: string, value: unknown): string {
  if (value === "") return value;
  if (typeof value === "string" && !value.includes("%") && isIPv6(value)) {
    const first = Number.parseInt(value.split(":")[0] ?? "", 16);
    if ((first & 0xffc0) === 0xfe80) return value;
  }
  throw invalid(`${field} must be a link-local IPv6 address (fe80::/10) or "", got ${quote(value)}`);
}

/** An IPv6 prefix in CIDR form, e.g. "2a01:e30:d252:a2a0::/64". */
export function checkIpv6Prefix(field: string, value: unknown): string {
  if (typeof value === "string") {
    const [addr, len, ...rest] = value.split("/");
    if (rest.length === 0 && addr !== undefined && isIPv6(addr) && !addr.includes("%")) {
      if (len !== undefined && /^\d{1,3}$/.test(len) && Number(len) <= 128) return value;
    }
  }
  throw invalid(`${field} must be an IPv6 prefix such as "2a01:e30:d252:a2a0::/64", got ${quote(value)}`);
}
