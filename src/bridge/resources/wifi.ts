// Global Wi-Fi state: `GET/PUT wifi/config/` (shared/reference/freebox-api-extras.md "Wi-Fi").
import type { WifiConfig } from "../../freebox/types-home.js";
import { wifiConfigArea } from "../commands/home.js";
import { settingsRoutes } from "../commands/settings.js";
import { wifiEntities } from "../entities/wifi.js";
import { wifiState } from "../state-home.js";
import type { ResourceDef } from "./def.js";

export const wifi: ResourceDef<"wifi", WifiConfig, true> = {
  id: "wifi",
  group: "config",
  topic: "wifi/config",
  shapesEntities: true,
  read: (api) => api.getWifiConfig(),
  state: (raw) => wifiState(raw),
  ref: () => true,
  entities: (ctx) => wifiEntities(ctx),
  routes: settingsRoutes(wifiConfigArea),
};
