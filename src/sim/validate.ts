// Value checks shared by the handlers: IPv4/IPv6/MAC syntax and the type checks behind the box's
// `inval` answers (wrong type for a field).
import { isIPv6 } from "node:net";
import { fail } from "./envelope.js";

/** A JSON object body, or `inval` (the box refuses a body of the wrong shape). */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) fail("inval");
  return body as Record<string, unknown>;
}

export function optBool(body: Record<string, unknown>, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") fail("inval");
  return value;
}

export function optString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") fail("inval");
  return value;
}

/** Dotted-quad IPv4 to an unsigned 32-bit integer, or null when not a valid address. */
export function ipv4ToInt(ip: string): number | null {
  const parts = ip.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const byte = Number(part);
    if (byte > 255) return null;
    value = value * 256 + byte;
  }
  return value;
}

/** A netmask is valid when its ones are contiguous (255.255.255.0 yes, 255.0.255.0 no). */
export function isValidNetmask(mask: string): boolean {
  const value = ipv4ToInt(mask);
  if (value === null || value === 0) return false;
  const inverted = ~value >>> 0;
  return (inverted & (inverted + 1)) === 0;
}

export interface Ipv4Net {
  network: number;
  broadcast: number;
}

/** The network of gateway/netmask, or null when either is invalid. */
export function ipv4Net(gateway: string, netmask: string): Ipv4Net | null {
  const gw = ipv4ToInt(gateway);
  const mask = ipv4ToInt(netmask);
  if (gw === null || mask === null) return null;
  const network = (gw & mask) >>> 0;
  return { network, broadcast: (network | (~mask >>> 0)) >>> 0 };
}

/** A usable host address of the network (not its network or broadcast address). */
export function isHostOf(net: Ipv4Net, ip: number): boolean {
  return ip > net.network && ip < net.broadcast;
}

/** fe80::/10: what freebox-api-connection requires of a delegation's next_hop. */
export function isLinkLocalIpv6(address: string): boolean {
  const bare = address.split("%")[0] ?? "";
  if (!isIPv6(bare)) return false;
  const first = bare.startsWith("::") ? "0" : (bare.split(":")[0] ?? "0");
  return (Number.parseInt(first, 16) & 0xffc0) === 0xfe80;
}

/** Normalized uppercase MAC "AA:BB:CC:DD:EE:FF", or null. Accepts any case and "-" separators. */
export function normalizeMac(mac: string): string | null {
  const upper = mac.trim().toUpperCase().replaceAll("-", ":");
  return /^([0-9A-F]{2}:){5}[0-9A-F]{2}$/.test(upper) ? upper : null;
}
