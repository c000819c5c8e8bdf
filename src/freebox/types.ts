// Types of the Freebox OS objects we serve, after freebox-api-connection (v3) and freebox-api-dhcp (v4),
// plus what real boxes send beyond the pages (freebox-os-essentials §8). Unknown keys are kept
// (index signature), optional keys may be missing, enums stay open (`string`), because real boxes
// send values outside the documented enums.

/** Unknown keys from the box are kept, never dropped. */
export interface Extra {
  [key: string]: unknown;
}

export interface ApiVersionInfo extends Extra {
  uid?: string;
  device_name?: string;
  box_model?: string;
  box_model_name?: string;
  api_version: string;
  api_base_url: string;
  api_domain?: string;
  https_available?: boolean;
  https_port?: number;
  device_type?: string;
}

export type ConnectionState = "going_up" | "up" | "going_down" | "down";

export interface ConnectionStatus extends Extra {
  state: ConnectionState | string;
  type: "ethernet" | "rfc2684" | "pppoatm" | string;
  media: "ftth" | "xdsl" | "backup_4g" | "ethernet" | string;
  ipv4?: string;
  ipv6?: string;
  rate_up: number;
  rate_down: number;
  bandwidth_up: number;
  bandwidth_down: number;
  bytes_up: number;
  bytes_down: number;
  ipv4_port_range?: [number, number];
}

export interface ConnectionConfig extends Extra {
  ping: boolean;
  is_secure_pass: boolean;
  remote_access: boolean;
  remote_access_port: number;
  remote_access_ip?: string;
  api_remote_access: boolean;
  wol: boolean;
  adblock?: boolean;
  adblock_not_set?: boolean;
  allow_token_request: boolean;
}

/** Writable fields of ConnectionConfig (PUT connection/config/). */
export type ConnectionConfigUpdate = Partial<
  Pick<
    ConnectionConfig,
    "ping" | "remote_access" | "remote_access_port" | "wol" | "adblock" | "allow_token_request"
  >
>;

export interface Ipv6Delegation extends Extra {
  prefix: string;
  next_hop: string;
}

export interface Ipv6Config extends Extra {
  ipv6_enabled: boolean;
  ipv6ll?: string;
  delegations: Ipv6Delegation[];
}

export interface Ipv6ConfigUpdate {
  ipv6_enabled?: boolean;
  delegations?: Array<{ prefix: string; next_hop: string }>;
}

export interface XdslStatus extends Extra {
  status: string;
  protocol: string;
  modulation: string;
  uptime: number;
}

export interface XdslStats extends Extra {
  maxrate: number;
  rate: number;
  snr: number;
  attn: number;
  snr_10?: number;
  attn_10?: number;
  fec: number;
  crc: number;
  hec: number;
  es: number;
  ses: number;
  phyr: boolean;
  ginp?: boolean;
  nitro: boolean;
  rxmt?: number;
  rxmt_corr?: number;
  rxmt_uncorr?: number;
  rtx_tx?: number;
  rtx_c?: number;
  rtx_uc?: number;
}

export interface XdslInfo extends Extra {
  status: XdslStatus;
  down: XdslStats;
  up: XdslStats;
}

export interface FtthStatus extends Extra {
  sfp_present: boolean;
  sfp_alim_ok: boolean;
  sfp_has_power_report: boolean;
  sfp_has_signal: boolean;
  link?: boolean;
  has_sfp?: boolean;
  sfp_serial?: string;
  sfp_model?: string;
  sfp_vendor?: string;
  sfp_pwr_tx?: number;
  sfp_pwr_rx?: number;
}

export const DDNS_PROVIDERS = ["ovh", "dyndns", "noip"] as const;
export type DdnsProvider = (typeof DDNS_PROVIDERS)[number];

export interface DdnsStatus extends Extra {
  status: string;
  next_refresh: number;
  last_refresh: number;
  next_retry: number;
  last_error: number;
}

/** GET connection/ddns/<provider>/: `password` is write-only and never returned. */
export interface DdnsConfig extends Extra {
  enabled: boolean;
  hostname: string;
  user: string;
}

export interface DdnsConfigUpdate {
  enabled?: boolean;
  hostname?: string;
  user?: string;
  password?: string;
}

export interface DhcpConfig extends Extra {
  enabled: boolean;
  sticky_assign: boolean;
  gateway: string;
  netmask: string;
  ip_range_start: string;
  ip_range_end: string;
  always_broadcast: boolean;
  dns: string[];
}

export type DhcpConfigUpdate = Partial<
  Pick<
    DhcpConfig,
    "enabled" | "sticky_assign" | "ip_range_start" | "ip_range_end" | "always_broadcast" | "dns"
  >
>;

/** `GET lan/browser/interfaces/` entry. `host_count` is the box's own counter, not the length of
 * the host list (freebox-api-lan-browser): never size or skip a list by it. */
export interface LanInterface extends Extra {
  name: string;
  host_count?: number;
}

/** One L3 address of a host (`l3connectivities[]`); several IPv6 ones, inactive ones included. */
export interface L3Connectivity extends Extra {
  addr: string;
  af: "ipv4" | "ipv6" | string;
  active?: boolean;
  reachable?: boolean;
  last_activity?: number;
  last_time_reachable?: number;
}

/** Undocumented: the box or repeater a host is attached to (freebox-api-lan-browser). */
export interface AccessPoint extends Extra {
  type?: string;
  connectivity_type?: "wifi" | "ethernet" | string;
  mac?: string;
  uid?: string;
  wifi_information?: {
    band?: string;
    ssid?: string;
    bssid?: string;
    signal?: number;
    [key: string]: unknown;
  };
}

/**
 * LAN browser host (`GET lan/browser/<iface>/`, a lease's `host`, an event's `result`). Many
 * undocumented keys; a lease's host may be `{}` or absent; `l2ident` is an object, not the
 * documented array, and its MAC's case varies (freebox-api-lan-browser).
 */
export interface LanHost extends Extra {
  id?: string;
  primary_name?: string;
  primary_name_manual?: boolean | string;
  host_type?: string;
  vendor_name?: string;
  interface?: string;
  persistent?: boolean;
  active?: boolean;
  reachable?: boolean;
  last_activity?: number;
  last_time_reachable?: number;
  first_activity?: number;
  l2ident?: { id: string; type: string };
  names?: Array<{ name: string; source: string }>;
  l3connectivities?: L3Connectivity[];
  access_point?: AccessPoint;
}

export interface StaticLease extends Extra {
  /** The MAC address (freebox-os-essentials §8). */
  id: string;
  mac: string;
  comment: string;
  hostname: string;
  ip: string;
  host?: LanHost;
}

export interface StaticLeaseAdd {
  mac: string;
  ip: string;
  comment?: string;
}

export interface StaticLeaseUpdate {
  ip?: string;
  comment?: string;
}

export interface DynamicLease extends Extra {
  mac: string;
  hostname: string;
  ip: string;
  lease_remaining: number;
  assign_time: number;
  refresh_time: number;
  is_static: boolean;
  host?: LanHost;
}

export interface SystemSensor extends Extra {
  id: string;
  name: string;
  value?: number;
}

/**
 * `GET system/` normalized: v6+ boxes send `sensors[]`/`fans[]`; v5 and earlier send flat
 * `temp_*`/`fan_rpm` fields, which the client turns into the same arrays (freebox-os-essentials §7).
 * The raw fields are kept as extra keys.
 */
export interface SystemInfo extends Extra {
  firmware_version: string;
  mac: string;
  serial: string;
  uptime?: string;
  uptime_val?: number;
  board_name?: string;
  disk_status?: string;
  box_flavor?: string;
  sensors: SystemSensor[];
  fans: SystemSensor[];
  model_info?: { name?: string; pretty_name?: string; [key: string]: unknown };
}

export interface AuthorizeRequest {
  app_id: string;
  app_name: string;
  app_version: string;
  device_name: string;
}

export type AuthorizeStatus = "unknown" | "pending" | "timeout" | "granted" | "denied";

/** Permissions of the open session; a missing key means false (essentials §5). */
export type Permissions = Record<string, boolean>;
