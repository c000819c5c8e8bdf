// connection/*, after freebox-api-connection (v3 paths) and what real boxes add (essentials §8).
// PUTs validate everything first, then apply: a refused PUT changes nothing.
import { DDNS_PROVIDERS, type DdnsProvider, type FtthStatus, type XdslStats } from "../freebox/types.js";
import { fail } from "./envelope.js";
import { refreshDdns } from "./line.js";
import { idleFtth, idleXdsl } from "./models.js";
import { type Route, route } from "./routes.js";
import { type SimState, unixNow } from "./state.js";
import { isLinkLocalIpv6, objectBody, optBool, optString } from "./validate.js";

const READ = { minMajor: 3, netdown: true };
const WRITE = { minMajor: 3, netdown: true, settings: true };

function statusView(state: SimState): Record<string, unknown> {
  const { ipv4, ipv6, ...rest } = state.connection;
  const view: Record<string, unknown> = { ...rest, ipv4_port_range: [...rest.ipv4_port_range] };
  // "this field is only available when connection state is up" (ConnectionStatus).
  if (rest.state === "up") {
    view.ipv4 = ipv4;
    if (state.ipv6.ipv6_enabled) view.ipv6 = ipv6;
  }
  return view;
}

function configView(state: SimState): Record<string, unknown> {
  const [first, last] = state.connection.ipv4_port_range;
  const view: Record<string, unknown> = {
    ...state.config,
    // Newer firmware tells the allowed port range of a shared IPv4 (§8).
    remote_access_min_port: Math.max(1, first),
    remote_access_max_port: last,
  };
  // "can be missing if connection is down" (ConnectionConfiguration).
  if (state.connection.state === "up") view.remote_access_ip = state.connection.ipv4;
  return view;
}

function ipv6View(state: SimState): Record<string, unknown> {
  const { ipv6_enabled, ipv6ll, delegations } = state.ipv6;
  return { ipv6_enabled, ipv6ll, delegations: delegations.map((d) => ({ ...d })) };
}

/** rxmt* only when phyr is on, rtx_* only when ginp is on (XdslStats). */
function statsView(stats: XdslStats): XdslStats {
  const { rxmt, rxmt_corr, rxmt_uncorr, rtx_tx, rtx_c, rtx_uc, ...base } = stats;
  const view: XdslStats = { ...base };
  if (stats.phyr)
    Object.assign(view, { rxmt: rxmt ?? 0, rxmt_corr: rxmt_corr ?? 0, rxmt_uncorr: rxmt_uncorr ?? 0 });
  if (stats.ginp) Object.assign(view, { rtx_tx: rtx_tx ?? 0, rtx_c: rtx_c ?? 0, rtx_uc: rtx_uc ?? 0 });
  return view;
}

/** sfp_pwr_* are absent when sfp_has_power_report is false (§8). */
function ftthView(ftth: FtthStatus): FtthStatus {
  const { sfp_pwr_tx, sfp_pwr_rx, ...rest } = ftth;
  return ftth.sfp_has_power_report ? { ...rest, sfp_pwr_tx, sfp_pwr_rx } : rest;
}

function provider(raw: string | undefined): DdnsProvider {
  const found = DDNS_PROVIDERS.find((p) => p === raw);
  if (!found) fail("invalid_provider");
  return found;
}

function ddnsView(state: SimState, name: DdnsProvider): Record<string, unknown> {
  // `password` is write-only: stored, never returned (DDNSConfig).
  const { enabled, hostname, user } = state.ddns[name];
  return { enabled, hostname, user };
}

export const connectionRoutes: Route[] = [
  route("GET", "connection/", READ, ({ core }) => statusView(core.state)),

  route("GET", "connection/config/", READ, ({ core }) => configView(core.state)),

  route("PUT", "connection/config/", WRITE, ({ core, body }) => {
    const state = core.state;
    const input = objectBody(body);
    const update = {
      ping: optBool(input, "ping"),
      remote_access: optBool(input, "remote_access"),
      wol: optBool(input, "wol"),
      adblock: optBool(input, "adblock"),
      allow_token_request: optBool(input, "allow_token_request"),
    };
    const port = input.remote_access_port;
    if (port !== undefined) {
      if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)
        fail("invalid_port");
      const [first, last] = state.connection.ipv4_port_range;
      if (port < first || port > last) fail("port_outside_range");
    }
    if (update.remote_access === true && !state.config.is_secure_pass) fail("insecure_password");
    // Read-only fields (is_secure_pass, remote_access_ip, api_remote_access, adblock_not_set) and
    // unknown keys are ignored, as the box does.
    for (const [key, value] of Object.entries(update)) {
      if (value !== undefined) Object.assign(state.config, { [key]: value });
    }
    if (typeof port === "number") state.config.remote_access_port = port;
    if (update.adblock !== undefined) state.config.adblock_not_set = false;
    return configView(state);
  }),

  route("GET", "connection/ipv6/config/", READ, ({ core }) => ipv6View(core.state)),

  route("PUT", "connection/ipv6/config/", WRITE, ({ core, body }) => {
    const state = core.state;
    const input = objectBody(body);
    const enabled = optBool(input, "ipv6_enabled");
    const changes: Array<{ index: number; next_hop: string }> = [];
    if (input.delegations !== undefined) {
      if (!Array.isArray(input.delegations)) fail("inval");
      // A delegation is addressed by its prefix: the page's example sends one entry and gets the
      // whole list back with only that one changed.
      for (const entry of input.delegations) {
        const delegation = objectBody(entry);
        const prefix = optString(delegation, "prefix");
        const nextHop = optString(delegation, "next_hop") ?? "";
        const index = state.ipv6.delegations.findIndex((d) => d.prefix === prefix);
        if (prefix === undefined || index < 0) fail("inval");
        if (nextHop !== "" && !isLinkLocalIpv6(nextHop)) fail("invalid_next_hop");
        changes.push({ index, next_hop: nextHop });
      }
    }
    if (enabled !== undefined) state.ipv6.ipv6_enabled = enabled;
    for (const change of changes) {
      const delegation = state.ipv6.delegations[change.index];
      if (delegation) delegation.next_hop = change.next_hop;
    }
    // ipv6ll is read-only: ignored.
    return ipv6View(state);
  }),

  route("GET", "connection/xdsl/", READ, ({ core }) => {
    const { state } = core;
    // On a fibre box the endpoint answers, but with nothing meaningful (§8).
    if (state.connection.media !== "xdsl") return idleXdsl();
    return {
      status: { ...state.xdsl.status },
      down: statsView(state.xdsl.down),
      up: statsView(state.xdsl.up),
    };
  }),

  route("GET", "connection/ftth/", READ, ({ core }) =>
    core.state.connection.media === "ftth" ? ftthView(core.state.ftth) : idleFtth(),
  ),

  route("GET", "connection/ddns/{provider}/status/", READ, ({ core, params }) => ({
    ...core.state.ddns[provider(params[0])].status,
  })),

  route("GET", "connection/ddns/{provider}/", READ, ({ core, params }) =>
    ddnsView(core.state, provider(params[0])),
  ),

  route("PUT", "connection/ddns/{provider}/", WRITE, ({ core, params, body }) => {
    const name = provider(params[0]);
    const input = objectBody(body);
    const update = {
      enabled: optBool(input, "enabled"),
      hostname: optString(input, "hostname"),
      user: optString(input, "user"),
      password: optString(input, "password"),
    };
    const ddns = core.state.ddns[name];
    for (const [key, value] of Object.entries(update)) {
      if (value !== undefined) Object.assign(ddns, { [key]: value });
    }
    refreshDdns(core.state, name, unixNow());
    return ddnsView(core.state, name);
  }),
];
