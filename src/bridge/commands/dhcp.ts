// DHCP commands: `dhcp/config` and the static leases (freebox-api-dhcp: DhcpConfig,
// DhcpStaticLease; README "Commands"). Addresses are checked against the LAN the
// box reports (gateway/netmask), so a range or lease outside it never reaches the box.
import type { DhcpConfigUpdate, StaticLeaseAdd, StaticLeaseUpdate } from "../../freebox/types.js";
import { isRecord } from "../../json.js";
import {
  CommandError,
  checkInLan,
  checkIpv4,
  checkMac,
  checkTopicMac,
  invalid,
  ipv4ToInt,
  isIpv4,
  type Lan,
  lanOf,
  parseJson,
  quote,
} from "../validate.js";
import {
  booleanField,
  checkObject,
  type FieldSpec,
  ipv4Field,
  type SettingsArea,
  textField,
} from "./settings.js";
import type { CommandContext, CommandDef } from "./types.js";

/** The box's DHCP config as last published, or read now when unknown ("a read is fine"). */
async function currentDhcp(ctx: CommandContext): Promise<{ lan: Lan; start: unknown; end: unknown }> {
  let config = ctx.current("dhcp_config");
  if (!isRecord(config) || !lanOf(config.gateway, config.netmask)) {
    config = await ctx.api.getDhcpConfig();
  }
  const known = isRecord(config) ? config : {};
  const lan = lanOf(known.gateway, known.netmask);
  if (!lan) {
    throw new CommandError(
      "internal_error",
      `cannot check addresses: the box reports gateway ${quote(known.gateway)} and netmask ${quote(known.netmask)}`,
    );
  }
  return { lan, start: known.ip_range_start, end: known.ip_range_end };
}

// The page pads `dns` to 5 entries with "" (freebox-api-dhcp example), so 5 is the box's capacity.
const MAX_DNS = 5;

function checkDns(field: string, value: unknown): string[] {
  if (!Array.isArray(value)) {
    throw invalid(`${field} must be an array of IPv4 addresses, got ${quote(value)}`);
  }
  if (value.length > MAX_DNS) throw invalid(`${field} has ${value.length} entries, at most ${MAX_DNS}`);
  return value.map((entry: unknown, i) => (entry === "" ? "" : checkIpv4(`${field}[${i}]`, entry)));
}

/** Raw `dns`: a JSON array, or the comma-separated list the Home Assistant text entity sends. */
function rawDns(text: string): unknown {
  const t = text.trim();
  if (t.startsWith("[")) return parseJson(t, "dns");
  return t === "" ? [] : t.split(",").map((part) => part.trim());
}

const dnsField: FieldSpec<string[]> = { check: checkDns, raw: rawDns };

export const dhcpConfigArea: SettingsArea<DhcpConfigUpdate> = {
  name: "dhcp/config",
  resource: "dhcp_config",
  fields: {
    enabled: booleanField,
    sticky_assign: booleanField,
    always_broadcast: booleanField,
    ip_range_start: ipv4Field,
    ip_range_end: ipv4Field,
    dns: dnsField,
  },
  readOnly: new Set(["gateway", "netmask"]),
  apply: async (ctx, update) => {
    if (update.ip_range_start !== undefined || update.ip_range_end !== undefined) {
      const current = await currentDhcp(ctx);
      // A single bound is checked against the other, current one (the box would say inval_ip_range).
      const start = update.ip_range_start ?? current.start;
      const end = update.ip_range_end ?? current.end;
      for (const [field, ip] of [
        ["ip_range_start", update.ip_range_start],
        ["ip_range_end", update.ip_range_end],
      ] as const) {
        if (ip !== undefined) checkInLan(field, ip, current.lan);
      }
      if (isIpv4(start) && isIpv4(end) && ipv4ToInt(start) > ipv4ToInt(end)) {
        throw invalid(`ip_range_start ${quote(start)} is after ip_range_end ${quote(end)}`);
      }
    }
    return ctx.api.updateDhcpConfig(update);
  },
};

/** A static lease's address must be a host of the LAN, and not the box itself. */
async function checkLeaseIp(ctx: CommandContext, ip: string): Promise<void> {
  const { lan } = await currentDhcp(ctx);
  checkInLan("ip", ip, lan);
  if (ip === lan.gateway) throw invalid(`ip ${quote(ip)} is the box's own address`);
}

const macField: FieldSpec<string> = { check: checkMac, raw: (text) => text.trim() };
// `hostname`, `host` and `id` (the MAC) are read-only (freebox-api-dhcp "DhcpStaticLease").
const leaseReadOnly = ["id", "hostname", "host"];
const leaseNotFound = (mac: string) => ({ noent: `there is no static lease for ${mac}` });

// Only used for validation: the POST is planned below, not through a settings PUT.
const leaseAddArea: SettingsArea<StaticLeaseAdd> = {
  name: "dhcp/static_leases/add",
  resource: "static_leases",
  fields: { mac: macField, ip: ipv4Field, comment: textField(255) },
  readOnly: new Set(leaseReadOnly),
  apply: (ctx, lease) => ctx.api.addStaticLease(lease),
};

// A MAC or an address from the box, shown bare; anything else quoted (it comes from outside).
const shown = (v: unknown): string =>
  typeof v === "string" && /^[0-9A-Fa-f:.]{1,39}$/.test(v) ? v : quote(v);

/** Which of the new lease's MAC and address a known lease already has, said with what to do. */
function existHint(leases: unknown, lease: StaticLeaseAdd): string | undefined {
  const known = Array.isArray(leases) ? leases.filter(isRecord) : [];
  const sameMac = known.find((l) => typeof l.mac === "string" && l.mac.toUpperCase() === lease.mac);
  if (sameMac) {
    return `${lease.mac} already has a static lease, for ${shown(sameMac.ip)}: change it with dhcp/static_leases/${lease.mac}/set`;
  }
  const sameIp = known.find((l) => l.ip === lease.ip);
  if (sameIp) return `${lease.ip} is already the static lease of ${shown(sameIp.mac)}`;
  return undefined;
}

/** `dhcp/static_leases/add` `{"mac", "ip", "comment"?}` → POST dhcp/static_lease/. */
export const staticLeaseAdd: CommandDef = {
  payload: "object",
  prepare(body) {
    if (!Object.hasOwn(body, "mac") || !Object.hasOwn(body, "ip")) {
      throw invalid('a static lease needs "mac" and "ip" (and optionally "comment")');
    }
    const values = checkObject(leaseAddArea, body);
    const lease: StaticLeaseAdd = { mac: checkMac("mac", values.mac), ip: checkIpv4("ip", values.ip) };
    if (typeof values.comment === "string") lease.comment = values.comment;
    // The box says `exist` for a taken MAC and for a taken address alike; the leases last read
    // tell which, when the command runs.
    const hints = { exist: `a static lease for ${lease.mac} or for ${lease.ip} already exists` };
    return {
      queue: "static_leases",
      refresh: "static_leases",
      hints,
      run: async (ctx) => {
        hints.exist = existHint(ctx.current("static_leases"), lease) ?? hints.exist;
        await checkLeaseIp(ctx, lease.ip);
        return leaseAddArea.apply(ctx, lease);
      },
    };
  },
};

/** `dhcp/static_leases/<mac>/set` `{"ip"?, "comment"?}` → PUT dhcp/static_lease/<MAC>. */
export function staticLeaseSet(macSegment: string): CommandDef {
  const mac = checkTopicMac(macSegment);
  const area: SettingsArea<StaticLeaseUpdate> = {
    name: `dhcp/static_leases/${mac}`,
    resource: "static_leases",
    fields: { ip: ipv4Field, comment: textField(255) },
    // The MAC is the lease's identity: changing it means remove + add.
    readOnly: new Set([...leaseReadOnly, "mac"]),
    apply: async (ctx, update) => {
      if (update.ip !== undefined) await checkLeaseIp(ctx, update.ip);
      return ctx.api.updateStaticLease(mac, update);
    },
  };
  return {
    payload: "object",
    prepare(body) {
      const values = checkObject(area, body);
      const update: StaticLeaseUpdate = {};
      if (typeof values.ip === "string") update.ip = values.ip;
      if (typeof values.comment === "string") update.comment = values.comment;
      return {
        queue: "static_leases",
        refresh: "static_leases",
        hints:
          update.ip === undefined
            ? leaseNotFound(mac)
            : { ...leaseNotFound(mac), exist: `another static lease already uses ${update.ip}` },
        run: (ctx) => area.apply(ctx, update),
      };
    },
  };
}

/** `dhcp/static_leases/<mac>/remove`, any payload → DELETE dhcp/static_lease/<MAC>. */
export function staticLeaseRemove(macSegment: string): CommandDef {
  const mac = checkTopicMac(macSegment);
  return {
    payload: "any",
    prepare: () => ({
      queue: "static_leases",
      refresh: "static_leases",
      hints: leaseNotFound(mac),
      run: async (ctx) => {
        await ctx.api.deleteStaticLease(mac);
        return null;
      },
    }),
  };
}
