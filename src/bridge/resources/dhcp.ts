// DHCP: `GET/PUT dhcp/config/`, `GET/POST/PUT/DELETE dhcp/static_lease/` and
// `GET dhcp/dynamic_lease/` (freebox-api-dhcp). SPECIAL (static leases): each lease also has its
// own retained topic, and the leases feed presence (bridge.ts, presence.ts) and their trackers
// (entities/dhcp.ts and presence.ts, named in entities.ts with the LAN hosts they share).
import type { DhcpConfig, DynamicLease, StaticLease } from "../../freebox/types.js";
import { dhcpConfigArea, staticLeaseAdd, staticLeaseRemove, staticLeaseSet } from "../commands/dhcp.js";
import { settingsRoutes } from "../commands/settings.js";
import {
  dhcpConfigState,
  dynamicLeaseStates,
  dynamicLeasesState,
  staticLeaseStates,
  staticLeasesState,
} from "../state.js";
import type { ResourceDef } from "./def.js";

export const dhcpConfig: ResourceDef<"dhcp_config", DhcpConfig> = {
  id: "dhcp_config",
  group: "config",
  topic: "dhcp/config",
  read: (api) => api.getDhcpConfig(),
  state: (raw) => dhcpConfigState(raw),
  routes: settingsRoutes(dhcpConfigArea),
};

export const staticLeases: ResourceDef<"static_leases", StaticLease[]> = {
  id: "static_leases",
  group: "leases",
  topic: "dhcp/static_leases",
  // Each lease brings its device tracker.
  shapesEntities: true,
  read: (api) => api.listStaticLeases(),
  state: (raw) => staticLeasesState(raw),
  messages: (baseTopic, raw, _ctx, rows) => staticLeaseStates(baseTopic, raw, rows),
  routes: [
    ["dhcp/static_leases/add", () => staticLeaseAdd],
    ["dhcp/static_leases/<mac>/set", (p) => staticLeaseSet(p[0] ?? "")],
    ["dhcp/static_leases/<mac>/remove", (p) => staticLeaseRemove(p[0] ?? "")],
  ],
};

export const dynamicLeases: ResourceDef<"dynamic_leases", DynamicLease[]> = {
  id: "dynamic_leases",
  group: "leases",
  topic: "dhcp/dynamic_leases",
  read: (api) => api.listDynamicLeases(),
  state: (raw) => dynamicLeasesState(raw),
  messages: (baseTopic, raw, _ctx, rows) => dynamicLeaseStates(baseTopic, raw, rows),
};
