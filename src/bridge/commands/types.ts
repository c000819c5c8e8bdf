// Shared shapes of the command router: what a command needs from the bridge (`CommandContext`),
// what it answers, and the validated plan a command topic + payload turn into.
import type { FreeboxApi } from "../../freebox/api.js";
import type { Logger } from "../../logger.js";
import type { ResourceId } from "../resources.js";

export interface CommandContext {
  api: FreeboxApi;
  logger: Logger;
  /** Re-poll one resource and publish its state now (after a successful change). */
  refresh(resource: ResourceId): Promise<void>;
  /** Poll everything now (bridge/request/refresh and the refresh button); rejects when a poll failed. */
  refreshAll(): Promise<void>;
  /** A command's call to the box succeeded: the box is usable (box/availability `online` at once). */
  boxAnswered(): void;
  /** Last known state of a resource (e.g. dhcp_config gateway/netmask for range checks), or undefined. */
  current(resource: ResourceId): unknown;
}

/** Published, not retained, on `<base>/bridge/response/<command topic without "<base>/">`. */
export interface CommandResponse {
  topic: string;
  /** JSON: `{"status":"ok","data":…}` or `{"status":"error","code":…,"error":…}`, plus `transaction`. */
  payload: string;
}

/** A validated command, ready to run. */
export interface Plan {
  /** Commands with the same key run one at a time, in arrival order (a resource id, or "bridge"). */
  queue: string;
  /** State to re-poll after a success (README: "the affected state topic is refreshed at once"). */
  refresh?: ResourceId;
  /** Values that must never appear in a response or a log line (the write-only DynDNS password). */
  secrets?: string[];
  /** Box error codes whose message is better said with this command's context (e.g. which lease). */
  hints?: Record<string, string>;
  /** Context checks (may read the box) then the one write; resolves to the response's `data`. */
  run(ctx: CommandContext): Promise<unknown>;
}

/** How a command topic reads its payload, and how it turns it into a plan (throws CommandError). */
export type CommandDef =
  | { payload: "object"; prepare(body: Record<string, unknown>): Plan }
  | { payload: "raw"; prepare(text: string): Plan }
  | { payload: "any"; prepare(): Plan };

/**
 * A command topic below `<base>/` as a pattern whose `<name>` levels match any one level, and the
 * command it builds from those levels (commands/routes.ts).
 */
export type Route = readonly [pattern: string, build: (params: string[]) => CommandDef];
