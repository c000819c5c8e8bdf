// Every retained message the bridge publishes for a given set of box data: discovery configs, then
// states (HA: publish states after configs, or entities show `unknown` until the next change).
// Pure, and built with the very functions the publisher uses (discoveryBasis, discoveryConfigs,
// resourceStates); the tests use it to see the whole picture at once.
import type {
  ApiVersionInfo,
  ConnectionConfig,
  ConnectionStatus,
  DdnsProvider,
  DhcpConfig,
  DynamicLease,
  FtthStatus,
  Ipv6Config,
  StaticLease,
  SystemInfo,
  XdslInfo,
} from "../freebox/types.js";
import type { DiscoveryMessage } from "../mqtt/discovery.js";
import { macKey } from "./entities/ids.js";
import { deviceName, type HostState, hostState, hostTopic } from "./hosts.js";
import type { BoxSnapshot, DdnsState } from "./poller.js";
import { type DiscoveryOptions, discoveryBasis, discoveryConfigs, resourceStates } from "./publisher.js";
import { RESOURCES } from "./resources.js";
import { messagePayload, type StateMessage } from "./state.js";

/** A whole box, as the fixtures describe it (one object per resource). */
export interface BoxData {
  apiVersion?: ApiVersionInfo;
  system: SystemInfo;
  connection: ConnectionStatus;
  connectionConfig: ConnectionConfig;
  ipv6: Ipv6Config;
  xdsl?: XdslInfo;
  ftth?: FtthStatus;
  ddns: Partial<Record<DdnsProvider, DdnsState>>;
  dhcpConfig: DhcpConfig;
  staticLeases: StaticLease[];
  dynamicLeases: DynamicLease[];
}

export interface SnapshotOptions {
  baseTopic: string;
  /** Discovery prefix (`homeassistant`). */
  prefix: string;
  /** The box URL, the device's configuration_url. */
  boxUrl: string;
  /** Bridge version, in the origin block. */
  version: string;
}

export interface RetainedMessage {
  topic: string;
  payload: string;
  retain: true;
}

/** The bridge's own view of the box after a full poll (line data only for the line's media). */
export function toBoxSnapshot(box: BoxData): BoxSnapshot {
  const media = box.connection.media;
  return {
    ...(box.apiVersion ? { apiVersion: box.apiVersion } : {}),
    system: box.system,
    connection: box.connection,
    connection_config: box.connectionConfig,
    ipv6: box.ipv6,
    ...(media === "xdsl" && box.xdsl ? { xdsl: box.xdsl } : {}),
    ...(media === "ftth" && box.ftth ? { ftth: box.ftth } : {}),
    ...(box.ddns.ovh ? { ddns_ovh: box.ddns.ovh } : {}),
    ...(box.ddns.dyndns ? { ddns_dyndns: box.ddns.dyndns } : {}),
    ...(box.ddns.noip ? { ddns_noip: box.ddns.noip } : {}),
    dhcp_config: box.dhcpConfig,
    static_leases: box.staticLeases,
    dynamic_leases: box.dynamicLeases,
    lan_hosts: leaseHosts(box.staticLeases).map(({ mac, name }) => ({ mac, name })),
  };
}

/** The static leases' hosts as presence.ts tracks them from the leases alone (no LAN browser). */
function leaseHosts(leases: BoxData["staticLeases"]): Array<{ mac: string; name: string; state: HostState }> {
  const out: Array<{ mac: string; name: string; state: HostState }> = [];
  for (const lease of leases) {
    const mac = macKey(lease.mac);
    if (mac === undefined || out.some((h) => h.mac === mac)) continue;
    const state = hostState(lease.host, undefined);
    out.push({ mac, name: deviceName(mac, lease, state), state });
  }
  return out.sort((a, b) => (a.mac < b.mac ? -1 : 1));
}

const discoveryOptions = (o: SnapshotOptions): DiscoveryOptions => ({
  baseTopic: o.baseTopic,
  prefix: o.prefix,
  boxUrl: o.boxUrl,
  version: o.version,
});

export function snapshotDiscovery(box: BoxData, o: SnapshotOptions): DiscoveryMessage[] {
  const snapshot = toBoxSnapshot(box);
  const basis = discoveryBasis(snapshot, box.connection.media, o);
  return basis ? discoveryConfigs(basis, discoveryOptions(o)).messages : [];
}

/** State messages of every resource the box has (xDSL or FTTH according to its media). */
export function snapshotStates(box: BoxData, baseTopic: string): StateMessage[] {
  const snapshot = toBoxSnapshot(box);
  const hosts = leaseHosts(box.staticLeases).flatMap(({ mac, state }) => {
    const topic = hostTopic(baseTopic, mac);
    return topic ? [{ topic, value: state }] : [];
  });
  return [...RESOURCES.flatMap((r) => resourceStates(baseTopic, r.id, snapshot)), ...hosts];
}

/** Discovery configs then states, all retained. */
export function snapshotMessages(box: BoxData, o: SnapshotOptions): RetainedMessage[] {
  return [
    ...snapshotDiscovery(box, o).map((m) => ({ ...m, retain: true as const })),
    ...snapshotStates(box, o.baseTopic).map((m) => ({
      topic: m.topic,
      payload: messagePayload(m),
      retain: true as const,
    })),
  ];
}
