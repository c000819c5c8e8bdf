// The command topics of docs/mqtt-contract "Command topics", below `<base>/`, as MQTT-style
// patterns (`+` = one segment, passed to the builder). The same table gives the subscriptions.
import { CommandError, quote } from "../validate.js";
import { connectionConfigArea, ddnsArea, ipv6Area } from "./connection.js";
import { dhcpConfigArea, staticLeaseAdd, staticLeaseRemove, staticLeaseSet } from "./dhcp.js";
import { lcdConfigArea, markCallsRead, wifiConfigArea } from "./home.js";
import { fieldCommand, objectCommand } from "./settings.js";
import type { CommandDef } from "./types.js";

type Builder = (params: string[]) => CommandDef;
const p0 = (params: string[]): string => params[0] ?? "";
const p1 = (params: string[]): string => params[1] ?? "";

const ROUTES: ReadonlyArray<readonly [pattern: string, build: Builder]> = [
  ["connection/config/set", () => objectCommand(connectionConfigArea)],
  ["connection/config/set/+", (p) => fieldCommand(connectionConfigArea, p0(p))],
  ["connection/ipv6/set", () => objectCommand(ipv6Area)],
  ["connection/ipv6/set/+", (p) => fieldCommand(ipv6Area, p0(p))],
  ["connection/ddns/+/set", (p) => objectCommand(ddnsArea(p0(p)))],
  ["connection/ddns/+/set/+", (p) => fieldCommand(ddnsArea(p0(p)), p1(p))],
  ["dhcp/config/set", () => objectCommand(dhcpConfigArea)],
  ["dhcp/config/set/+", (p) => fieldCommand(dhcpConfigArea, p0(p))],
  ["dhcp/static_leases/add", () => staticLeaseAdd],
  ["dhcp/static_leases/+/set", (p) => staticLeaseSet(p0(p))],
  ["dhcp/static_leases/+/remove", (p) => staticLeaseRemove(p0(p))],
  ["wifi/config/set", () => objectCommand(wifiConfigArea)],
  ["wifi/config/set/+", (p) => fieldCommand(wifiConfigArea, p0(p))],
  ["lcd/config/set", () => objectCommand(lcdConfigArea)],
  ["lcd/config/set/+", (p) => fieldCommand(lcdConfigArea, p0(p))],
  ["calls/mark_read", () => markCallsRead],
  // `PRESS` is what the Home Assistant button sends; any payload reboots (docs/mqtt-contract).
  [
    "system/reboot",
    () => ({
      payload: "any",
      prepare: () => ({
        queue: "system",
        // Reading the connection right after tells everyone at once that the box went away
        // (box/availability offline) instead of at the next status poll.
        refresh: "connection",
        run: async (ctx) => {
          await ctx.api.reboot();
          return null;
        },
      }),
    }),
  ],
  [
    "bridge/request/refresh",
    () => ({
      payload: "any",
      prepare: () => ({
        queue: "bridge",
        run: async (ctx) => {
          await ctx.refreshAll();
          return null;
        },
      }),
    }),
  ],
];

function match(pattern: string, segments: string[]): string[] | undefined {
  const parts = pattern.split("/");
  if (parts.length !== segments.length) return undefined;
  const params: string[] = [];
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] ?? "";
    if (part === "+") params.push(segment);
    else if (part !== segment) return undefined;
  }
  return params;
}

/**
 * Whether a topic below the base is meant as a command, and so must be answered (with
 * unknown_command when no route matches): it has a verb segment, or sits under
 * `system/reboot`, `calls/mark_read` or `bridge/request`. State topics and our own
 * `bridge/response/…` are not.
 */
export function isCommandTopic(relative: string): boolean {
  const s = relative.split("/");
  if (s[0] === "bridge" && s[1] === "response") return false;
  if (s[0] === "bridge" && s[1] === "request") return true;
  if (s[0] === "system" && s[1] === "reboot") return true;
  if (s[0] === "calls" && s[1] === "mark_read") return true;
  return s.some((segment) => segment === "set" || segment === "add" || segment === "remove");
}

/** The command for a topic below the base; throws CommandError (unknown topic, bad MAC/provider/field). */
export function route(relative: string): CommandDef {
  const segments = relative.split("/");
  for (const [pattern, build] of ROUTES) {
    const params = match(pattern, segments);
    if (params) return build(params);
  }
  throw new CommandError("unknown_command", `unknown command topic ${quote(relative)}`);
}

/**
 * Subscription filters: the routes, `bridge/request/+` so that a misspelt request is answered,
 * and `+/set` for misplaced `…/set` topics. None matches a topic the bridge publishes: state
 * topics end in a resource name, responses have 3+ levels under `bridge/response/`.
 */
export function commandFilters(base: string): string[] {
  const filters = ROUTES.map(([pattern]) => pattern).filter((p) => p !== "bridge/request/refresh");
  return [...filters, "bridge/request/+", "+/set"].map((f) => `${base}/${f}`);
}
