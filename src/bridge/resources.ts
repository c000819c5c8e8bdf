// The resources the bridge polls, publishes and changes: one id each, shared by the entity table,
// the scheduler and the command router.
import type { DdnsProvider } from "../freebox/types.js";

export type PollGroup = "status" | "config" | "leases";

export type ResourceId =
  | "connection"
  | "connection_config"
  | "ipv6"
  | "xdsl"
  | "ftth"
  | `ddns_${DdnsProvider}`
  | "dhcp_config"
  | "static_leases"
  | "dynamic_leases"
  | "system"
  | "wifi"
  | "calls"
  | "storage"
  | "lcd";

export interface ResourceInfo {
  id: ResourceId;
  group: PollGroup;
  /** State topic below the base topic (README "State topics"). */
  topic: string;
  /**
   * Box error codes on reading it that mean "this box has none" (lcd/config/ on a box without a
   * display): the resource and its entities are dropped, said once, and read again rarely.
   */
  absentOn?: readonly string[];
}

export const RESOURCES: readonly ResourceInfo[] = [
  { id: "connection", group: "status", topic: "connection" },
  { id: "xdsl", group: "status", topic: "connection/xdsl" },
  { id: "ftth", group: "status", topic: "connection/ftth" },
  { id: "connection_config", group: "config", topic: "connection/config" },
  { id: "ipv6", group: "config", topic: "connection/ipv6" },
  { id: "ddns_ovh", group: "config", topic: "connection/ddns/ovh" },
  { id: "ddns_dyndns", group: "config", topic: "connection/ddns/dyndns" },
  { id: "ddns_noip", group: "config", topic: "connection/ddns/noip" },
  { id: "dhcp_config", group: "config", topic: "dhcp/config" },
  { id: "system", group: "config", topic: "system" },
  // shared/reference/freebox-api-extras.md; `calls` needs the right of that name.
  { id: "wifi", group: "config", topic: "wifi/config" },
  { id: "calls", group: "config", topic: "calls" },
  { id: "storage", group: "config", topic: "storage" },
  { id: "lcd", group: "config", topic: "lcd/config", absentOn: ["no_panel", "notsup"] },
  { id: "static_leases", group: "leases", topic: "dhcp/static_leases" },
  { id: "dynamic_leases", group: "leases", topic: "dhcp/dynamic_leases" },
];

export const resourceInfo = (id: ResourceId): ResourceInfo => {
  const info = RESOURCES.find((r) => r.id === id);
  if (!info) throw new Error(`unknown resource ${id}`);
  return info;
};
