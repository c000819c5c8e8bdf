// The box itself: `GET system/` (essentials §7), whose MAC is the box id of every entity, and
// `POST system/reboot/`. Its sensors' and fans' entities are built by entities/system.ts (named in
// entities.ts: the box id and device block come from this answer too).
import type { SystemInfo } from "../../freebox/types.js";
import { systemState } from "../state.js";
import type { ResourceDef } from "./def.js";

export const system: ResourceDef<"system", SystemInfo> = {
  id: "system",
  group: "config",
  topic: "system",
  // Its sensors and fans decide their entities.
  shapesEntities: true,
  read: (api) => api.getSystem(),
  state: (raw) => systemState(raw),
};
