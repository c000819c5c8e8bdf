// Call log: `GET call/log/`, marked read by `POST call/log/mark_all_as_read/`; needs the `calls`
// right (shared/reference/freebox-api-extras.md "Calls"), refused ones are held by gate.ts.
import type { CallEntry } from "../../freebox/types-home.js";
import { markCallsRead } from "../commands/home.js";
import { callsEntities } from "../entities/calls.js";
import { callsState } from "../state-home.js";
import type { ResourceDef } from "./def.js";

export const calls: ResourceDef<"calls", CallEntry[], true> = {
  id: "calls",
  group: "config",
  topic: "calls",
  shapesEntities: true,
  read: (api) => api.listCalls(),
  state: (raw) => callsState(raw),
  ref: () => true,
  entities: (ctx) => callsEntities(ctx),
  routes: [["calls/mark_read", () => markCallsRead]],
};
