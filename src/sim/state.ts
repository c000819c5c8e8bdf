// The box data the simulator serves. Tests read and change it directly (`sim.state`); handlers turn
// it into the documented shapes (freebox-api-connection, freebox-api-dhcp, essentials §7) at read
// time, so derived fields (ipv4 only when up, host of a lease, uptime text…) always stay coherent.

import type {
  DdnsProvider,
  DdnsStatus,
  DhcpConfig,
  FtthStatus,
  LanHost,
  XdslInfo,
} from "../freebox/types.js";
import type { CallEntry, LcdConfig, WifiConfig } from "../freebox/types-home.js";
import { generateLan } from "./lan.js";
import { addLanOnlyHosts } from "./lan-hosts.js";
import { boxIdentity, lineData } from "./models.js";
import { callLog, type HomeOptions, lcdModel, type SimStorage, storageModel } from "./models-home.js";
import { createRng } from "./rng.js";
import type { SimLinkState, SimMedia } from "./types.js";

/** GET /api_version fields (essentials §2); `api_version` is what the box advertises. */
export interface SimBoxInfo {
  uid: string;
  device_name: string;
  box_model: string;
  box_model_name: string;
  api_version: string;
  api_domain: string;
  https_available: boolean;
  https_port: number;
}

/** ConnectionStatus; `ipv4`/`ipv6` are kept here but only served while `state` is "up" (§8). */
export interface SimConnection {
  state: SimLinkState;
  type: string;
  media: SimMedia;
  ipv4: string;
  ipv6: string;
  rate_up: number;
  rate_down: number;
  bandwidth_up: number;
  bandwidth_down: number;
  bytes_up: number;
  bytes_down: number;
  ipv4_port_range: [number, number];
}

/** ConnectionConfiguration; `remote_access_ip` is served from connection.ipv4 while up. */
export interface SimConnectionConfig {
  ping: boolean;
  is_secure_pass: boolean;
  remote_access: boolean;
  remote_access_port: number;
  api_remote_access: boolean;
  wol: boolean;
  adblock: boolean;
  adblock_not_set: boolean;
  allow_token_request: boolean;
}

export interface SimIpv6Config {
  ipv6_enabled: boolean;
  ipv6ll: string;
  delegations: Array<{ prefix: string; next_hop: string }>;
}

/** DDNSConfig plus its write-only password and its DDNSStatus. */
export interface SimDdns {
  enabled: boolean;
  hostname: string;
  user: string;
  password: string;
  status: DdnsStatus;
}

export interface SimStaticLease {
  /** Uppercase MAC; also the lease id (essentials §8). */
  mac: string;
  ip: string;
  comment: string;
}

export interface SimDynamicLease {
  mac: string;
  hostname: string;
  ip: string;
  lease_remaining: number;
  assign_time: number;
  refresh_time: number;
}

export interface SimSensor {
  id: string;
  name: string;
  value?: number;
}

export interface SimSystem {
  firmware_version: string;
  mac: string;
  serial: string;
  uptime_val: number;
  board_name: string;
  disk_status: string;
  box_flavor: string;
  box_authenticated: boolean;
  user_main_storage: string;
  sensors: SimSensor[];
  fans: SimSensor[];
  model_info: Record<string, unknown>;
}

export interface SimState {
  box: SimBoxInfo;
  connection: SimConnection;
  config: SimConnectionConfig;
  ipv6: SimIpv6Config;
  ddns: Record<DdnsProvider, SimDdns>;
  /** Served by connection/ftth/ when connection.media is "ftth". */
  ftth: FtthStatus;
  /** Served by connection/xdsl/ when connection.media is "xdsl". */
  xdsl: XdslInfo;
  dhcp: DhcpConfig;
  staticLeases: SimStaticLease[];
  dynamicLeases: SimDynamicLease[];
  /** LAN browser hosts by uppercase MAC; a lease's `host` comes from here (`{}` happens, §8). */
  hosts: Record<string, LanHost>;
  system: SimSystem;
  /** GET/PUT wifi/config/. */
  wifi: WifiConfig;
  /** GET call/log/, newest first (right `calls`). */
  calls: CallEntry[];
  /** storage/disk/ and storage/raid/; `raidSupported` false: internal_error there. */
  storage: SimStorage;
  /** lcd/config/; null: a box without a display (no_panel). Delete the led_* keys to drop the strip. */
  lcd: LcdConfig | null;
}

export interface StateOptions {
  media: SimMedia;
  apiVersion: string;
  seed: number;
  staticLeases: number;
  dynamicLeases: number;
  /** LAN browser hosts without a lease (lan-hosts.ts). */
  lanHosts: number;
  /** Unix seconds used as "now" for generated timestamps. */
  now: number;
  /** Disks, display and LED strip (models-home.ts). */
  home?: HomeOptions;
}

export function createState(options: StateOptions): SimState {
  const rng = createRng(options.seed);
  const { box, system } = boxIdentity(options.media, options.apiVersion, rng);
  const line = lineData(options.media, rng);
  const prefixBase = `2a01:e0a:${rng.hex(3)}:${rng.hex(3)}`;
  const ipv6 = `${prefixBase}0::1`;
  const dhcp: DhcpConfig = {
    enabled: true,
    sticky_assign: true,
    gateway: "192.168.1.254",
    netmask: "255.255.255.0",
    ip_range_start: "192.168.1.2",
    ip_range_end: "192.168.1.50",
    always_broadcast: false,
    // Padded with empty strings to 5 entries, as the box does (freebox-api-dhcp example, §8).
    dns: ["192.168.1.254", "", "", "", ""],
  };
  const lan = generateLan(rng, {
    staticLeases: options.staticLeases,
    dynamicLeases: options.dynamicLeases,
    now: options.now,
    boxMac: system.mac,
  });
  const ddnsEntry = (): SimDdns => ({
    enabled: false,
    hostname: "",
    user: "",
    password: "",
    status: { status: "disabled", next_refresh: 0, last_refresh: 0, next_retry: 0, last_error: 0 },
  });
  const state: SimState = {
    box,
    connection: {
      state: "up",
      ...line.connection,
      ipv4: `82.${rng.int(64, 67)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
      ipv6,
      // bytes/s: a quiet home line.
      rate_up: rng.int(500, 80_000),
      rate_down: rng.int(2_000, 400_000),
      bytes_up: rng.int(1e8, 5e9),
      bytes_down: rng.int(1e9, 9e10),
      ipv4_port_range: [0, 65535],
    },
    config: {
      ping: true,
      // A box whose owner set a strong admin password; tests set it false to see insecure_password.
      is_secure_pass: true,
      remote_access: false,
      remote_access_port: rng.int(30000, 60000),
      api_remote_access: true,
      wol: false,
      adblock: false,
      adblock_not_set: true,
      allow_token_request: true,
    },
    ipv6: {
      ipv6_enabled: true,
      ipv6ll: linkLocalFromMac(system.mac),
      // 8 delegations with empty next_hop (freebox-api-connection example, §8).
      delegations: Array.from({ length: 8 }, (_, i) => ({ prefix: `${prefixBase}${i}::/64`, next_hop: "" })),
    },
    ddns: { ovh: ddnsEntry(), dyndns: ddnsEntry(), noip: ddnsEntry() },
    ftth: line.ftth,
    xdsl: line.xdsl,
    dhcp,
    staticLeases: lan.staticLeases,
    dynamicLeases: lan.dynamicLeases,
    hosts: lan.hosts,
    system,
    // Their own generator: adding them left every other generated value as it was.
    ...homeData(options),
  };
  // Their own generator too, for the same reason.
  addLanOnlyHosts(state, createRng(options.seed ^ 0x1a9), options.lanHosts, options.now);
  return state;
}

function homeData(options: StateOptions): Pick<SimState, "wifi" | "calls" | "storage" | "lcd"> {
  const rng = createRng(options.seed ^ 0x40e);
  const home = options.home ?? {};
  return {
    wifi: { enabled: true, mac_filter_state: "disabled" },
    calls: callLog(rng, options.now),
    storage: storageModel(options.media, rng, home),
    lcd: lcdModel(home),
  };
}

/** EUI-64 link-local address of a MAC (fe80::/10), like the box's own `ipv6ll`. */
function linkLocalFromMac(mac: string): string {
  const b = mac.split(":").map((part) => Number.parseInt(part, 16));
  const byte = (i: number): number => b[i] ?? 0;
  const group = (hi: number, lo: number): string => ((hi << 8) | lo).toString(16);
  return `fe80::${group(byte(0) ^ 0x02, byte(1))}:${group(byte(2), 0xff)}:${group(0xfe, byte(3))}:${group(byte(4), byte(5))}`;
}

/** Unix time in seconds, the unit of every Freebox timestamp. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
