// The command topics of docs/mqtt-contract "Command topics", below `<base>/`, as patterns whose
// `<name>` segments match any one level (passed to the builder). The same table gives the
// suggestion of an unknown_command answer.
import { CommandError, quote } from "../validate.js";
import { connectionConfigArea, ddnsArea, ipv6Area } from "./connection.js";
import { dhcpConfigArea, staticLeaseAdd, staticLeaseRemove, staticLeaseSet } from "./dhcp.js";
import { lcdConfigArea, markCallsRead, wifiConfigArea } from "./home.js";
import { fieldCommand, objectCommand } from "./settings.js";
import { isPlaceholder, nearestTopic } from "./suggest.js";
import type { CommandDef } from "./types.js";

type Builder = (params: string[]) => CommandDef;
const p0 = (params: string[]): string => params[0] ?? "";
const p1 = (params: string[]): string => params[1] ?? "";

const ROUTES: ReadonlyArray<readonly [pattern: string, build: Builder]> = [
  ["connection/config/set", () => objectCommand(connectionConfigArea)],
  ["connection/config/set/<field>", (p) => fieldCommand(connectionConfigArea, p0(p))],
  ["connection/ipv6/set", () => objectCommand(ipv6Area)],
  ["connection/ipv6/set/<field>", (p) => fieldCommand(ipv6Area, p0(p))],
  ["connection/ddns/<provider>/set", (p) => objectCommand(ddnsArea(p0(p)))],
  ["connection/ddns/<provider>/set/<field>", (p) => fieldCommand(ddnsArea(p0(p)), p1(p))],
  ["dhcp/config/set", () => objectCommand(dhcpConfigArea)],
  ["dhcp/config/set/<field>", (p) => fieldCommand(dhcpConfigArea, p0(p))],
  ["dhcp/static_leases/add", () => staticLeaseAdd],
  ["dhcp/static_leases/<mac>/set", (p) => staticLeaseSet(p0(p))],
  ["dhcp/static_leases/<mac>/remove", (p) => staticLeaseRemove(p0(p))],
  ["wifi/config/set", () => objectCommand(wifiConfigArea)],
  ["wifi/config/set/<field>", (p) => fieldCommand(wifiConfigArea, p0(p))],
  ["lcd/config/set", () => objectCommand(lcdConfigArea)],
  ["lcd/config/set/<field>", (p) => fieldCommand(lcdConfigArea, p0(p))],
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
        // Not one queue for every refresh: queued one behind the other, a burst of N requests (a
        // replayed topic, a button pressed in a loop) made N full polls, ~20 reads each, on the
        // box. Side by side they meet in the scheduler, which runs one poll at a time per group
        // and lets every request that arrives during a poll share the single next one.
        queue: `bridge/request/refresh ${++refreshes}`,
        run: async (ctx) => {
          await ctx.refreshAll();
          return null;
        },
      }),
    }),
  ],
];

/** Numbers the refresh requests, each its own queue (above). */
let refreshes = 0;

/** Every command pattern, for the suggestion of an unknown_command answer. */
export const COMMAND_PATTERNS: readonly string[] = ROUTES.map(([pattern]) => pattern);

function match(pattern: string, segments: string[]): string[] | undefined {
  const parts = pattern.split("/");
  if (parts.length !== segments.length) return undefined;
  const params: string[] = [];
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] ?? "";
    if (isPlaceholder(part)) params.push(segment);
    else if (part !== segment) return undefined;
  }
  return params;
}

/**
 * The command for a topic below the base; throws CommandError: unknown_command (naming the
 * nearest command topic when one is close), or invalid_request for a bad MAC, provider or field.
 */
export function route(relative: string, base: string): CommandDef {
  const segments = relative.split("/");
  for (const [pattern, build] of ROUTES) {
    const params = match(pattern, segments);
    if (params) return build(params);
  }
  const near = nearestTopic(relative, COMMAND_PATTERNS);
  const hint = near === undefined ? "" : `: did you mean ${quote(`${base}/${near}`, 200)}?`;
  throw new CommandError("unknown_command", `unknown command topic ${quote(relative)}${hint}`);
}
