// The typed surface of the box that the bridge uses. `FreeboxClient` (client.ts) implements it
// over HTTP; the bridge depends only on this interface.
import type {
  ApiVersionInfo,
  ConnectionConfig,
  ConnectionConfigUpdate,
  ConnectionStatus,
  DdnsConfig,
  DdnsConfigUpdate,
  DdnsProvider,
  DdnsStatus,
  DhcpConfig,
  DhcpConfigUpdate,
  DynamicLease,
  FtthStatus,
  Ipv6Config,
  Ipv6ConfigUpdate,
  LanHost,
  LanInterface,
  Permissions,
  StaticLease,
  StaticLeaseAdd,
  StaticLeaseUpdate,
  SystemInfo,
  XdslInfo,
} from "./types.js";
import type {
  CallEntry,
  LcdConfig,
  LcdConfigUpdate,
  RaidArray,
  StorageDisk,
  WifiConfig,
  WifiConfigUpdate,
} from "./types-home.js";

export interface FreeboxApi {
  /** Discovery result (cached after the first call). */
  apiVersion(): Promise<ApiVersionInfo>;
  /** API major in use: the box's major capped by what we support and FREEBOX_API_VERSION. */
  readonly apiMajor: number | undefined;
  /** Permissions of the current session (opens one if needed). */
  permissions(): Promise<Permissions>;

  // connection (freebox-api-connection, v3 paths)
  getConnectionStatus(): Promise<ConnectionStatus>;
  getConnectionConfig(): Promise<ConnectionConfig>;
  updateConnectionConfig(update: ConnectionConfigUpdate): Promise<ConnectionConfig>;
  getIpv6Config(): Promise<Ipv6Config>;
  updateIpv6Config(update: Ipv6ConfigUpdate): Promise<Ipv6Config>;
  getXdsl(): Promise<XdslInfo>;
  getFtth(): Promise<FtthStatus>;
  getDdnsStatus(provider: DdnsProvider): Promise<DdnsStatus>;
  getDdnsConfig(provider: DdnsProvider): Promise<DdnsConfig>;
  updateDdnsConfig(provider: DdnsProvider, update: DdnsConfigUpdate): Promise<DdnsConfig>;

  // DHCP (freebox-api-dhcp, v4 paths)
  getDhcpConfig(): Promise<DhcpConfig>;
  updateDhcpConfig(update: DhcpConfigUpdate): Promise<DhcpConfig>;
  listStaticLeases(): Promise<StaticLease[]>;
  getStaticLease(id: string): Promise<StaticLease>;
  addStaticLease(lease: StaticLeaseAdd): Promise<StaticLease>;
  updateStaticLease(id: string, update: StaticLeaseUpdate): Promise<StaticLease>;
  deleteStaticLease(id: string): Promise<void>;
  listDynamicLeases(): Promise<DynamicLease[]>;

  // LAN browser (freebox-api-lan-browser). A box in bridge mode answers `nodev` (FreeboxError).
  listLanInterfaces(): Promise<LanInterface[]>;
  /** The hosts of one interface; an interface without hosts gives [] (no result, or null). */
  listLanHosts(iface: string): Promise<LanHost[]>;

  // system
  getSystem(): Promise<SystemInfo>;
  reboot(): Promise<void>;

  // Wi-Fi, calls, storage, display (shared/reference/freebox-api-extras.md)
  getWifiConfig(): Promise<WifiConfig>;
  updateWifiConfig(update: WifiConfigUpdate): Promise<WifiConfig>;
  /** Needs the `calls` right. */
  listCalls(): Promise<CallEntry[]>;
  markCallsRead(): Promise<void>;
  listDisks(): Promise<StorageDisk[]>;
  /** null on a box without RAID support (it answers `internal_error`); asked again rarely. */
  listRaidArrays(): Promise<RaidArray[] | null>;
  getLcdConfig(): Promise<LcdConfig>;
  updateLcdConfig(update: LcdConfigUpdate): Promise<LcdConfig>;

  /** Ends the session (POST login/logout/); never throws. */
  logout(): Promise<void>;
}
