// Reads the box: which call feeds which resource, and which resources a poll group covers.
// Media-aware (freebox-os-essentials §8): connection/xdsl/ means nothing on a fibre line and
// connection/ftth/ nothing on xDSL, so each is read only on its own media.
import { isDeepStrictEqual } from "node:util";
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
import type { CallEntry, LcdConfig, RaidArray, StorageDisk, WifiConfig } from "../freebox/types-home.js";
import type { TrackedHostRef } from "./entities/kit.js";
import type { PollGroup, ResourceId } from "./resources.js";

export interface DdnsState {
  config: DdnsConfig;
  /** Always read by the bridge; absent only in partial pictures (fixtures): its fields are then null. */
  status?: DdnsStatus;
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
  /** LAN hosts with a device tracker (presence.ts), not a box answer: kept here for discovery. */
  lan_hosts?: readonly TrackedHostRef[];
  wifi?: WifiConfig;
  calls?: CallEntry[];
  storage?: StorageState;
  lcd?: LcdConfig;
}

/** `GET storage/disk/` and `GET storage/raid/` (raids null: a box without RAID support). */
export interface StorageState {
  disks: StorageDisk[];
  raids: RaidArray[] | null;
}

type Fetchers = {
  [K in ResourceId]: (api: FreeboxApi, previous: BoxSnapshot[K]) => Promise<NonNullable<BoxSnapshot[K]>>;
};

// The contract publishes one DynDNS topic per provider: its configuration merged with its status/.
// A disabled provider does not refresh, so its status cannot move while its configuration does
// not; so the status is read again only when the provider is enabled or its (small) configuration
// changed: one request per poll for the providers a home does not use, which are most of them.
const ddns = (provider: DdnsProvider) => async (api: FreeboxApi, previous: DdnsState | undefined) => {
  const config = await api.getDdnsConfig(provider);
  if (!config.enabled && previous?.status !== undefined && isDeepStrictEqual(previous.config, config)) {
    return previous;
  }
  return { config, status: await api.getDdnsStatus(provider) };
};

// Both storage answers feed one topic. An unchanged pair stays the same object, so that the
// publisher skips it by identity like the other resources (freebox/http.ts).
const storage = async (api: FreeboxApi, previous: StorageState | undefined): Promise<StorageState> => {
  const disks = await api.listDisks();
  const raids = await api.listRaidArrays();
  return previous?.disks === disks && previous.raids === raids ? previous : { disks, raids };
};

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
  wifi: (api) => api.getWifiConfig(),
  calls: (api) => api.listCalls(),
  storage: storage,
  lcd: (api) => api.getLcdConfig(),
};

/** Resources the set of entities depends on, besides the line data of the media. */
const ENTITY_SOURCES: readonly ResourceId[] = [
  "system",
  "connection",
  "static_leases",
  "ddns_ovh",
  "ddns_dyndns",
  "ddns_noip",
  "wifi",
  "calls",
  "storage",
  "lcd",
];

/**
 * The snapshot, fed by reads that may overlap: a group poll and the refresh after a command can
 * read the same resource at once. The answer of the read that STARTED last wins: a poll that asked
 * before a command changed the box and got its answer after the command's refresh would otherwise
 * publish the old value again (a deleted lease back for a whole poll interval).
 */
export class BoxReader {
  readonly box: BoxSnapshot = {};
  /** Resources read successfully at least once. */
  readonly known = new Set<ResourceId>();
  private seq = 0;
  private readonly applied = new Map<ResourceId, number>();

  constructor(private readonly api: FreeboxApi) {}

  /** Reads `resource`; false when a newer read already landed (this answer is then dropped). */
  async read(resource: ResourceId): Promise<boolean> {
    const ticket = ++this.seq;
    const fetch = FETCHERS[resource] as (api: FreeboxApi, previous: unknown) => Promise<unknown>;
    const value = await fetch(this.api, this.box[resource]);
    if ((this.applied.get(resource) ?? 0) > ticket) return false;
    this.applied.set(resource, ticket);
    (this.box as Record<ResourceId, unknown>)[resource] = value;
    this.known.add(resource);
    return true;
  }

  /**
   * Whether every resource the set of entities depends on was read this run: the line media known
   * (not a 4G backup since the start) and its data (the SFP power entities), each DynDNS provider,
   * the static leases. Until then a config missing from the entities may only be unknown yet, so
   * reconciliation, which clears what an earlier run left, must wait: nothing valid is ever cleared.
   */
  entitiesKnown(media: string | undefined, settled: ReadonlySet<ResourceId> = new Set()): boolean {
    if (media !== "xdsl" && media !== "ftth") return false;
    // `settled`: resources known to be unreadable on this box (a missing right, no display).
    return [media as ResourceId, ...ENTITY_SOURCES].every((r) => this.known.has(r) || settled.has(r));
  }

  /** Forgets a resource that no longer exists on this box (the other line media). */
  forget(resource: ResourceId): void {
    delete this.box[resource];
    this.known.delete(resource);
  }
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
      return [
        "system",
        "connection_config",
        "ipv6",
        "ddns_ovh",
        "ddns_dyndns",
        "ddns_noip",
        "dhcp_config",
        "wifi",
        "calls",
        "storage",
        "lcd",
      ];
    case "leases":
      return ["static_leases", "dynamic_leases"];
  }
}
