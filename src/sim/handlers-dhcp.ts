// dhcp/*, after freebox-api-dhcp (v4 paths). A static lease's id is its uppercase MAC; its `host`
// is the LAN browser entry of that MAC (essentials §8). Writes validate first, then apply.
import type { LanHost } from "../freebox/types.js";
import { fail } from "./envelope.js";
import { type Route, route } from "./routes.js";
import type { SimState, SimStaticLease } from "./state.js";
import {
  type Ipv4Net,
  ipv4Net,
  ipv4ToInt,
  isHostOf,
  isValidNetmask,
  normalizeMac,
  objectBody,
  optBool,
  optString,
} from "./validate.js";

const READ = { minMajor: 4 };
const WRITE = { minMajor: 4, settings: true };
const DNS_SLOTS = 5;

function configView(state: SimState): Record<string, unknown> {
  const dns = [...state.dhcp.dns];
  // The box always lists 5 dns slots, empty ones as "" (freebox-api-dhcp example).
  while (dns.length < DNS_SLOTS) dns.push("");
  return { ...state.dhcp, dns };
}

/** The LAN of the box; a test may have broken it, which the box reports on the next write. */
function lanNet(state: SimState): Ipv4Net {
  const { gateway, netmask } = state.dhcp;
  if (!isValidNetmask(netmask)) fail("inval_netmask");
  const net = ipv4Net(gateway, netmask);
  const gw = ipv4ToInt(gateway);
  if (!net || gw === null || !isHostOf(net, gw)) fail("inval_gw_net");
  return net;
}

function hostOf(state: SimState, mac: string): LanHost | undefined {
  return state.hosts[mac];
}

function leaseView(state: SimState, lease: SimStaticLease): Record<string, unknown> {
  const host = hostOf(state, lease.mac);
  return {
    id: lease.mac,
    mac: lease.mac,
    comment: lease.comment,
    // "hostname matching the mac address": the LAN host's name, else the MAC (page's POST example).
    hostname: host?.primary_name ?? lease.mac,
    ip: lease.ip,
    ...(host ? { host } : {}),
  };
}

/** The lease of a URL id, any MAC case accepted, or noent. */
function findLease(state: SimState, id: string | undefined): SimStaticLease {
  const mac = normalizeMac(id ?? "");
  const lease = mac ? state.staticLeases.find((l) => l.mac === mac) : undefined;
  if (!lease) fail("noent");
  return lease;
}

/** A static lease IP: a usable address of the LAN other than the box's, not taken by another lease. */
function checkLeaseIp(state: SimState, ip: string, self: SimStaticLease | null): void {
  const net = lanNet(state);
  const value = ipv4ToInt(ip);
  if (value === null || !isHostOf(net, value) || ip === state.dhcp.gateway) fail("inval");
  if (state.staticLeases.some((l) => l !== self && l.ip === ip)) fail("exist");
}

export const dhcpRoutes: Route[] = [
  route("GET", "dhcp/config/", READ, ({ core }) => configView(core.state)),

  route("PUT", "dhcp/config/", WRITE, ({ core, body }) => {
    const state = core.state;
    const input = objectBody(body);
    const flags = {
      enabled: optBool(input, "enabled"),
      sticky_assign: optBool(input, "sticky_assign"),
      always_broadcast: optBool(input, "always_broadcast"),
    };
    const start = optString(input, "ip_range_start") ?? state.dhcp.ip_range_start;
    const end = optString(input, "ip_range_end") ?? state.dhcp.ip_range_end;
    let dns: string[] | undefined;
    if (input.dns !== undefined) {
      const list: unknown = input.dns;
      if (!Array.isArray(list) || list.length > DNS_SLOTS) fail("inval");
      dns = list.map((entry: unknown) => {
        if (typeof entry !== "string" || (entry !== "" && ipv4ToInt(entry) === null)) fail("inval");
        return entry;
      });
    }
    const net = lanNet(state);
    const first = ipv4ToInt(start);
    const last = ipv4ToInt(end);
    if (first === null || last === null || first > last) fail("inval_ip_range");
    if (!isHostOf(net, first) || !isHostOf(net, last)) fail("inval_ip_range_net");
    // gateway and netmask are read-only: ignored like any unknown key.
    for (const [key, value] of Object.entries(flags)) {
      if (value !== undefined) Object.assign(state.dhcp, { [key]: value });
    }
    state.dhcp.ip_range_start = start;
    state.dhcp.ip_range_end = end;
    if (dns) state.dhcp.dns = dns;
    return configView(state);
  }),

  route("GET", "dhcp/static_lease/", READ, ({ core }) =>
    core.state.staticLeases.map((lease) => leaseView(core.state, lease)),
  ),

  route("GET", "dhcp/static_lease/{id}", READ, ({ core, params }) =>
    leaseView(core.state, findLease(core.state, params[0])),
  ),

  route("POST", "dhcp/static_lease/", WRITE, ({ core, body }) => {
    const state = core.state;
    const input = objectBody(body);
    const mac = normalizeMac(optString(input, "mac") ?? "");
    const ip = optString(input, "ip");
    const comment = optString(input, "comment") ?? "";
    if (!mac || ip === undefined) fail("inval");
    if (state.staticLeases.some((l) => l.mac === mac)) fail("exist");
    checkLeaseIp(state, ip, null);
    const lease: SimStaticLease = { mac, ip, comment };
    state.staticLeases.push(lease);
    return leaseView(state, lease);
  }),

  route("PUT", "dhcp/static_lease/{id}", WRITE, ({ core, params, body }) => {
    const state = core.state;
    const lease = findLease(state, params[0]);
    const input = objectBody(body);
    const ip = optString(input, "ip");
    const comment = optString(input, "comment");
    if (ip !== undefined) checkLeaseIp(state, ip, lease);
    // id, mac, hostname and host are not changed by an update: ignored.
    if (ip !== undefined) lease.ip = ip;
    if (comment !== undefined) lease.comment = comment;
    return leaseView(state, lease);
  }),

  route("DELETE", "dhcp/static_lease/{id}", WRITE, ({ core, params }) => {
    const lease = findLease(core.state, params[0]);
    core.state.staticLeases = core.state.staticLeases.filter((l) => l !== lease);
    // A successful DELETE has no result (freebox-api-dhcp, essentials §1).
    return undefined;
  }),

  route("GET", "dhcp/dynamic_lease/", READ, ({ core }) => {
    const state = core.state;
    const statics = new Set(state.staticLeases.map((l) => l.mac));
    return state.dynamicLeases.map((lease) => {
      const host = hostOf(state, lease.mac);
      return { ...lease, is_static: statics.has(lease.mac), ...(host ? { host } : {}) };
    });
  }),
];
