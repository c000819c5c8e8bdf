// The shape of one resource: everything the bridge does with one answer of the box, declared in
// one place (src/bridge/resources/<area>.ts) and gathered in the table of ../resources.ts, which
// the poller, the state builder, the publisher's discovery inputs, own-topics and the command
// router iterate instead of naming resources one by one (README "Adding a resource").
import type { FreeboxApi } from "../../freebox/api.js";
import type { EntityDescriptor } from "../../mqtt/discovery.js";
import type { Route } from "../commands/types.js";
import type { EntityContext } from "../entities/kit.js";
import type { LeaseRows } from "../lease-rows.js";
import type { StateContext, StateMessage } from "../state.js";

export type PollGroup = "status" | "config" | "leases";

/**
 * One resource. `T` is what `read` keeps in the snapshot (the box's answer, or several merged),
 * `R` what its entities need from it (part of the discovery key: plain JSON data).
 */
export interface ResourceDef<Id extends string = string, T = unknown, R = unknown> {
  id: Id;
  /** The poll group that reads it (scheduler.ts), in table order. */
  group: PollGroup;
  /** State topic below the base topic (README "State topics"). */
  topic: string;
  /**
   * Box error codes on reading it that mean "this box has none" (lcd/config/ on a box without a
   * display): the resource and its entities are dropped, said once, and read again rarely (gate.ts).
   */
  absentOn?: readonly string[];
  /**
   * Line data read only when the line runs on this media, right after `connection` (essentials §8:
   * connection/xdsl/ means nothing on a fibre line, connection/ftth/ nothing on xDSL).
   */
  media?: "xdsl" | "ftth";
  /** The set of entities depends on this answer: reconciliation waits until it was read (poller.ts). */
  shapesEntities?: boolean;
  /** One read of the box (`previous`: the last value, to skip a read or keep an unchanged object). */
  read(api: FreeboxApi, previous: T | undefined): Promise<T>;
  /** The retained payload from the box's answer, unchecked (any field may be missing). */
  state(raw: unknown, ctx: StateContext): Record<string, unknown> | unknown[];
  /**
   * What `state` is built from when the kept value is not the box's answer itself (DynDNS: its
   * configuration, with its status/ as context).
   */
  stateInput?(value: T): { raw: unknown; ctx: StateContext };
  /**
   * The state messages of an answer when they are more than `state(raw)` on `topic` (per-lease
   * topics), or when its rows are worth reusing from one answer to the next (`rows`, lease-rows.ts).
   */
  messages?(baseTopic: string, raw: unknown, ctx: StateContext, rows?: LeaseRows): StateMessage[];
  /** What the entities need from the answer; without `ref` and `entities` it has none of its own. */
  ref?(value: T): R;
  /** Its entities, built only while the box answers for it (a missing right: none). */
  entities?(ctx: EntityContext, ref: R): EntityDescriptor[];
  /** Its command topics (README "Commands"). */
  routes?: readonly Route[];
}
