// The Internet connection: `GET connection/`, `GET/PUT connection/config/` and
// `GET/PUT connection/ipv6/config/` (freebox-api-connection). Their entities are built together
// by entities/connection.ts (one area of the box's device, named in entities.ts).
import type { ConnectionConfig, ConnectionStatus, Ipv6Config } from "../../freebox/types.js";
import { connectionConfigArea, ipv6Area } from "../commands/connection.js";
import { settingsRoutes } from "../commands/settings.js";
import { connectionConfigState, connectionState, ipv6State } from "../state.js";
import type { ResourceDef } from "./def.js";

export const connection: ResourceDef<"connection", ConnectionStatus> = {
  id: "connection",
  group: "status",
  topic: "connection",
  // Its media decides which line data and line entities exist.
  shapesEntities: true,
  read: (api) => api.getConnectionStatus(),
  state: (raw) => connectionState(raw),
};

export const connectionConfig: ResourceDef<"connection_config", ConnectionConfig> = {
  id: "connection_config",
  group: "config",
  topic: "connection/config",
  read: (api) => api.getConnectionConfig(),
  state: (raw) => connectionConfigState(raw),
  routes: settingsRoutes(connectionConfigArea),
};

export const ipv6: ResourceDef<"ipv6", Ipv6Config> = {
  id: "ipv6",
  group: "config",
  topic: "connection/ipv6",
  read: (api) => api.getIpv6Config(),
  state: (raw) => ipv6State(raw),
  routes: settingsRoutes(ipv6Area),
};
