// Reads the box: which call feeds which resource, and which resources a poll group covers.
// Media-aware (freebox-os-essentials §8): connection/xdsl/ means nothing on a fibre line and
// connection/ftth/ nothing on xDSL, so each is read only on its own media.
import type { FreeboxApi } from "../freebox/api.js";
import type {
  ApiVersionInfo,
  ConnectionConfig,
  ConnectionStatus,
  DdnsConfig,
  DdnsProvider,
  DdnsStatus,
  DhcpConfig,
  DynamicLease,
  FtthStatus,
  Ipv6Config,
  StaticLease,
  SystemInfo,
  XdslInfo,
} from "../freebox/types.js";
import type { PollGroup, ResourceId } from "./resources.js";

export interface DdnsState {
  config: DdnsConfig;
  status: DdnsStatus;
}

/** The latest answer of the box for each resource (keys are the resource ids). */
export interface BoxSnapshot {
  apiVersion?: ApiVersionInfo;
  connection?: ConnectionStatus;
  xdsl?: XdslInfo;
  ftth?: FtthStatus;
  connection_config?: ConnectionConfig;
  ipv6?: Ipv6Config;
  ddns_ovh?: DdnsState;
  ddns_dyndns?: DdnsState;
  ddns_noip?: DdnsState;
  dhcp_config?: DhcpConfig;
  static_leases?: StaticLease[];
  dynamic_leases?: DynamicLease[];
  system?: SystemInfo;
}

type Fetchers = { [K in ResourceId]: (api: FreeboxApi) => Promise<NonNullable<BoxSnapshot[K]>> };

// The contract publishes one DynDNS topic per provider: its configuration merged with its status/.
const ddns = (provider: DdnsProvider) => async (api: FreeboxApi) => ({
  config: await api.getDdnsConfig(provider),
  status: await api.getDdnsStatus(provider),
});

/** One read per resource. Calls run one after the other: one keep-alive connection serves a poll. */
export const FETCHERS: Fetchers = {
  connection: (api) => api.getConnectionStatus(),
  xdsl: (api) => api.getXdsl(),
  ftth: (api) => api.getFtth(),
  connection_config: (api) => api.getConnectionConfig(),
  ipv6: (api) => api.getIpv6Config(),
  ddns_ovh: ddns("ovh"),
  ddns_dyndns: ddns("dyndns"),
  ddns_noip: ddns("noip"),
  dhcp_config: (api) => api.getDhcpConfig(),
  static_leases: (api) => api.listStaticLeases(),
  dynamic_leases: (api) => api.listDynamicLeases(),
  system: (api) => api.getSystem(),
};

/** Reads one resource into the snapshot. */
export async function fetchInto(api: FreeboxApi, box: BoxSnapshot, resource: ResourceId): Promise<void> {
  const value = await FETCHERS[resource](api);
  (box as Record<ResourceId, unknown>)[resource] = value;
}

/**
 * Resources a group reads. The status group reads `connection`, then the line data of the media it
 * reports (decided by the bridge once `connection` is known).
 */
export function groupResources(group: PollGroup): ResourceId[] {
  switch (group) {
    case "status":
      return ["connection"];
    case "config":
      return ["system", "connection_config", "ipv6", "ddns_ovh", "ddns_dyndns", "ddns_noip", "dhcp_config"];
    case "leases":
      return ["static_leases", "dynamic_leases"];
  }
}
