// Connection settings commands: `connection/config`, `connection/ipv6` and
// `connection/ddns/<provider>` (freebox-api-connection: ConnectionConfiguration,
// ConnectionIpv6Configuration, DDNSConfig; README "Commands").
import { FreeboxError } from "../../freebox/errors.js";
import {
  type ConnectionConfigUpdate,
  DDNS_PROVIDERS,
  type DdnsConfigUpdate,
  type DdnsProvider,
  type Ipv6ConfigUpdate,
} from "../../freebox/types.js";
import { isRecord } from "../../json.js";
import { checkIpv6Prefix, checkNextHop, invalid, parseJson, quote } from "../validate.js";
import { booleanField, type FieldSpec, portField, type SettingsArea, textField } from "./settings.js";
import type { CommandContext } from "./types.js";

export const connectionConfigArea: SettingsArea<ConnectionConfigUpdate> = {
  name: "connection/config",
  resource: "connection_config",
  fields: {
    ping: booleanField,
    remote_access: booleanField,
    remote_access_port: portField,
    wol: booleanField,
    adblock: booleanField,
    allow_token_request: booleanField,
  },
  // Read-only on the page, plus the port bounds newer firmware reports (freebox-os-essentials §8).
  readOnly: new Set([
    "is_secure_pass",
    "remote_access_ip",
    "api_remote_access",
    "adblock_not_set",
    "remote_access_min_port",
    "remote_access_max_port",
  ]),
  apply: async (ctx, update) => {
    try {
      return await ctx.api.updateConnectionConfig(update);
    } catch (e) {
      throw await withPortRange(ctx, e);
    }
  },
};

/**
 * `port_outside_range` says no more than that; newer firmware publishes the allowed range with the
 * config (`remote_access_min_port`/`_max_port`, essentials §8), so the answer can name it. The
 * range is read again: it moves with the line's shared IPv4, and the last poll may predate that.
 */
async function withPortRange(ctx: CommandContext, e: unknown): Promise<unknown> {
  if (!(e instanceof FreeboxError) || e.code !== "port_outside_range") return e;
  const config: unknown = await ctx.api.getConnectionConfig().catch(() => undefined);
  if (!isRecord(config)) return e;
  const { remote_access_min_port: min, remote_access_max_port: max } = config;
  if (typeof min !== "number" || typeof max !== "number") return e;
  return new FreeboxError(
    e.code,
    `remote_access_port must be from ${min} to ${max} on this line (${e.message})`,
    { httpStatus: e.httpStatus, cause: e },
  );
}

type Delegation = { prefix: string; next_hop: string };

// "delegations ConnectionIpv6Delegation[8]": at most 8 entries of {prefix, next_hop}; the box
// matches them by prefix (the page's PUT sends one and gets all 8 back).
const MAX_DELEGATIONS = 8;

function checkDelegations(field: string, value: unknown): Delegation[] {
  if (!Array.isArray(value)) {
    throw invalid(`${field} must be an array of {"prefix", "next_hop"}, got ${quote(value)}`);
  }
  if (value.length > MAX_DELEGATIONS) {
    throw invalid(`${field} has ${value.length} entries, at most ${MAX_DELEGATIONS}`);
  }
  const seen = new Set<string>();
  return value.map((entry: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(entry)) {
      throw invalid(`${at} must be an object {"prefix", "next_hop"}, got ${quote(entry)}`);
    }
    const extra = Object.keys(entry).find((k) => k !== "prefix" && k !== "next_hop");
    if (extra !== undefined) {
      throw invalid(`unknown field ${quote(extra)} in ${at} (allowed: prefix, next_hop)`);
    }
    if (!Object.hasOwn(entry, "prefix") || !Object.hasOwn(entry, "next_hop")) {
      throw invalid(`${at} needs both "prefix" and "next_hop" (next_hop "" clears it)`);
    }
    const prefix = checkIpv6Prefix(`${at}.prefix`, entry.prefix);
    if (seen.has(prefix.toLowerCase())) throw invalid(`${at}.prefix ${quote(prefix)} appears twice`);
    seen.add(prefix.toLowerCase());
    return { prefix, next_hop: checkNextHop(`${at}.next_hop`, entry.next_hop) };
  });
}

const delegationsField: FieldSpec<Delegation[]> = {
  check: checkDelegations,
  raw: (text) => parseJson(text, "delegations"),
};

export const ipv6Area: SettingsArea<Ipv6ConfigUpdate> = {
  name: "connection/ipv6",
  resource: "ipv6",
  fields: { ipv6_enabled: booleanField, delegations: delegationsField },
  readOnly: new Set(["ipv6ll"]),
  apply: (ctx, update) => ctx.api.updateIpv6Config(update),
};

export function checkProvider(value: string): DdnsProvider {
  const provider = DDNS_PROVIDERS.find((p) => p === value);
  if (provider) return provider;
  throw invalid(`unknown DynDNS provider ${quote(value)} (known: ${DDNS_PROVIDERS.join(", ")})`);
}

// Lengths: 255 characters, the longest DNS name (RFC 1035 §2.3.4) and the box's text fields.
const ddnsAreas = new Map<DdnsProvider, SettingsArea<DdnsConfigUpdate>>(
  DDNS_PROVIDERS.map((provider) => [
    provider,
    {
      name: `connection/ddns/${provider}`,
      resource: `ddns_${provider}`,
      fields: {
        enabled: booleanField,
        hostname: textField(255),
        user: textField(255),
        password: textField(255, true),
      },
      // The state topic merges the config with `status/` (README "State topics").
      readOnly: new Set(["status", "next_refresh", "last_refresh", "next_retry", "last_error"]),
      // The answer's `password`, should the box echo it, is dropped by the router (commands.ts).
      apply: (ctx, update) => ctx.api.updateDdnsConfig(provider, update),
    },
  ]),
);

export function ddnsArea(providerSegment: string): SettingsArea<DdnsConfigUpdate> {
  const area = ddnsAreas.get(checkProvider(providerSegment));
  if (!area) throw invalid(`unknown DynDNS provider ${quote(providerSegment)}`);
  return area;
}
