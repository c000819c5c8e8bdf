// Display and LED strip: `GET/PUT lcd/config/` (shared/reference/freebox-api-extras.md "Display
// and LED strip"). Boxes without a display answer `no_panel` (older firmware `notsup`).
import type { LcdConfig } from "../../freebox/types-home.js";
import { lcdConfigArea } from "../commands/home.js";
import { settingsRoutes } from "../commands/settings.js";
import { type LcdRef, lcdEntities, lcdRef } from "../entities/lcd.js";
import { lcdState } from "../state-home.js";
import type { ResourceDef } from "./def.js";

export const lcd: ResourceDef<"lcd", LcdConfig, LcdRef> = {
  id: "lcd",
  group: "config",
  topic: "lcd/config",
  absentOn: ["no_panel", "notsup"],
  shapesEntities: true,
  read: (api) => api.getLcdConfig(),
  state: (raw) => lcdState(raw),
  ref: (value) => lcdRef(value),
  entities: (ctx, ref) => lcdEntities(ctx, ref),
  routes: settingsRoutes(lcdConfigArea),
};
