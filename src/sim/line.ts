// The line: link state transitions and what follows them (counters, physical layer, DynDNS), and
// switching the line type. ipv4/ipv6 are served only while up (essentials §8).
import type { DdnsProvider } from "../freebox/types.js";
import { lineConnection } from "./models.js";
import type { SimDdns, SimState } from "./state.js";
import type { SimLinkState, SimMedia } from "./types.js";

/** xDSL training steps on the way up (freebox-api-connection, XdslStatus). */
export const XDSL_TRAINING = ["training", "started", "chan_analysis", "msg_exchange"] as const;

export function applyLinkState(state: SimState, link: SimLinkState, now: number): void {
  const connection = state.connection;
  const wasUp = connection.state === "up";
  connection.state = link;
  const up = link === "up";
  // bytes_* count "since last connection": they restart when the line comes back (§8).
  if (up && !wasUp) {
    connection.bytes_up = 0;
    connection.bytes_down = 0;
  }
  if (!up) {
    connection.rate_up = 0;
    connection.rate_down = 0;
  }
  state.ftth.link = up || link === "going_down";
  state.ftth.sfp_has_signal = link !== "down";
  const xdsl = state.xdsl.status;
  if (up) {
    if (xdsl.status !== "showtime") xdsl.uptime = 0;
    xdsl.status = "showtime";
  } else if (link === "going_up") {
    xdsl.status = XDSL_TRAINING[0];
    xdsl.uptime = 0;
  } else if (link === "down") {
    xdsl.status = "down";
    xdsl.uptime = 0;
  }
  refreshAllDdns(state, now);
}

/** Another line type: media, type and bandwidths follow (a box keeps its identity). */
export function applyMedia(state: SimState, media: SimMedia): void {
  Object.assign(state.connection, lineConnection(media, state.xdsl));
}

/** DDNSStatus follows the config and the line (freebox-api-connection status enum). */
export function refreshDdns(state: SimState, provider: DdnsProvider, now: number): void {
  const ddns = state.ddns[provider];
  const status = ddnsStatusFor(ddns, state.connection.state === "up");
  ddns.status.status = status;
  if (status === "ok") {
    ddns.status.last_refresh = now;
    ddns.status.next_refresh = now + 600;
    ddns.status.next_retry = 0;
  } else if (status === "disabled") {
    ddns.status.next_refresh = 0;
    ddns.status.next_retry = 0;
  } else {
    ddns.status.last_error = now;
    ddns.status.next_refresh = 0;
    ddns.status.next_retry = now + 300;
  }
}

export function refreshAllDdns(state: SimState, now: number): void {
  for (const provider of Object.keys(state.ddns) as DdnsProvider[]) refreshDdns(state, provider, now);
}

function ddnsStatusFor(ddns: SimDdns, lineUp: boolean): string {
  if (!ddns.enabled) return "disabled";
  if (!lineUp) return "nowan";
  if (ddns.hostname === "") return "hostinval";
  if (ddns.user === "" || ddns.password === "") return "nocredential";
  return "ok";
}
