// The command topics of README "Commands", below `<base>/`, as patterns whose
// `<name>` segments match any one level (passed to the builder), gathered from the resource table
// (resources.ts). The same list gives the suggestion of an unknown_command answer.
import { RESOURCE_DEFS } from "../resources.js";
import { CommandError, quote } from "../validate.js";
import { ddnsArea } from "./connection.js";
import { fieldCommand, objectCommand } from "./settings.js";
import { isPlaceholder, nearestTopic } from "./suggest.js";
import type { CommandDef, Route } from "./types.js";

const p0 = (params: string[]): string => params[0] ?? "";
const p1 = (params: string[]): string => params[1] ?? "";

/**
 * Each resource's own routes (its entry's `routes`, in table order), then the topics that are no
 * single resource's: the DynDNS pair, whose provider level serves three resources (and an unknown
 * provider is an invalid_request naming the known ones, not an unknown command), the reboot and
 * the refresh request.
 */
const ROUTES: readonly Route[] = [
  ...RESOURCE_DEFS.flatMap((r) => r.routes ?? []),
  ["connection/ddns/<provider>/set", (p) => objectCommand(ddnsArea(p0(p)))],
  ["connection/ddns/<provider>/set/<field>", (p) => fieldCommand(ddnsArea(p0(p)), p1(p))],
  // `PRESS` is what the Home Assistant button sends; any payload reboots (README).
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
