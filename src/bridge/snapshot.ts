// Every retained message the bridge publishes for a given set of box data: discovery configs, then
// states (HA: publish states after configs, or entities show `unknown` until the next change).
// Pure; used by the tests, the discovery validation and whoever needs the full picture at once.
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
import { buildDiscovery, type DiscoveryMessage } from "../mqtt/discovery.js";
import { buildEntityContext, deviceInfo, entitiesFor } from "./entities.js";
import { type StateMessage, stableStringify, stateMessages } from "./state.js";

export interface BoxData {
  apiVersion?: Partial<ApiVersionInfo>;
  system: SystemInfo;
  connection: ConnectionStatus;
  connectionConfig: ConnectionConfig;
  ipv6: Ipv6Config;
  xdsl?: XdslInfo;
  ftth?: FtthStatus;
  ddns: Partial<Record<DdnsProvider, { config: DdnsConfig; status?: DdnsStatus }>>;
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
  /** Origin support_url (project page), left out when not given. */
  supportUrl?: string;
}

export interface RetainedMessage {
  topic: string;
  payload: string;
  retain: true;
}

export function snapshotDiscovery(box: BoxData, o: SnapshotOptions): DiscoveryMessage[] {
  const ctx = buildEntityContext({
    baseTopic: o.baseTopic,
    system: box.system,
    connection: box.connection,
    ftth: box.ftth,
    staticLeases: box.staticLeases,
    ddnsProviders: Object.keys(box.ddns),
  });
  return buildDiscovery({
    prefix: o.prefix,
    baseTopic: o.baseTopic,
    boxId: ctx.boxId,
    device: deviceInfo(box.system, box.apiVersion, o.boxUrl),
    origin: { name: "freebox2mqtt", sw_version: o.version, support_url: o.supportUrl },
    entities: entitiesFor(ctx),
  });
}

/** State messages of every resource the box has (xDSL or FTTH according to its media). */
export function snapshotStates(box: BoxData, baseTopic: string): StateMessage[] {
  const media = box.connection.media;
  const ddns = Object.entries(box.ddns).flatMap(([provider, d]) =>
    d ? stateMessages(baseTopic, `ddns_${provider as DdnsProvider}`, d.config, { ddnsStatus: d.status }) : [],
  );
  return [
    ...stateMessages(baseTopic, "connection", box.connection),
    ...stateMessages(baseTopic, "connection_config", box.connectionConfig),
    ...stateMessages(baseTopic, "ipv6", box.ipv6),
    ...(media === "xdsl" && box.xdsl ? stateMessages(baseTopic, "xdsl", box.xdsl) : []),
    ...(media === "ftth" && box.ftth ? stateMessages(baseTopic, "ftth", box.ftth) : []),
    ...ddns,
    ...stateMessages(baseTopic, "dhcp_config", box.dhcpConfig),
    ...stateMessages(baseTopic, "static_leases", box.staticLeases),
    ...stateMessages(baseTopic, "dynamic_leases", box.dynamicLeases),
    ...stateMessages(baseTopic, "system", box.system),
  ];
}

/** Discovery configs then states, all retained. */
export function snapshotMessages(box: BoxData, o: SnapshotOptions): RetainedMessage[] {
  return [
    ...snapshotDiscovery(box, o).map((m) => ({ ...m, retain: true as const })),
    ...snapshotStates(box, o.baseTopic).map((m) => ({
      topic: m.topic,
      payload: stableStringify(m.value),
      retain: true as const,
    })),
  ];
}
