// One LAN host as the bridge publishes it on `<base>/lan/hosts/<mac12>` (README
// "State topics"): presence and the host's lasting facts only. A real box moves every active host's
// `last_activity` / `last_time_reachable` and its Wi-Fi signal at every poll
// (shared/reference/freebox-api-lan-browser.md): none of them is here, so a device that stays home
// gives the same payload text poll after poll and nothing is published for it. The one time value,
// `last_seen`, is set when the device leaves and then kept.
//
// Fed by the three sources that send the same LanHost (presence.ts): the LAN browser (read here,
// readLanHosts), the event stream, and each static lease's `host` (freebox-api-dhcp). Also here:
// a host's MAC and its device's name. Pure but for readLanHosts.
import type { FreeboxApi } from "../freebox/api.js";
import { FreeboxError } from "../freebox/errors.js";
import type { LanHost } from "../freebox/types.js";
import { isRecord, type Json } from "../json.js";
import { macColon, macKey } from "./entities/ids.js";

export interface HostState {
  /** The box's `active` (what Home Assistant calls home); null when the box sent no host. */
  home: boolean | null;
  /** `primary_name` (null when empty or absent). */
  name: string | null;
  /** Every name the box learnt (`names[].name`: DHCP, mDNS, NetBIOS…), sorted, without repeats. */
  names: string[];
  /** Every L3 address the box lists for it (`l3connectivities[].addr`), sorted, without repeats. */
  addresses: string[];
  vendor: string | null;
  host_type: string | null;
  /** The box interface (`pub`, `wifiguest`). */
  interface: string | null;
  /** `access_point.connectivity_type`: `wifi` or `ethernet`. */
  connectivity: string | null;
  /** `access_point.mac`: the box or repeater the host is attached to. */
  access_point: string | null;
  /** `access_point.wifi_information.band`: `2d4g`, `5g`, `6g`. */
  wifi_band: string | null;
  /**
   * Unix time (s) the device was last seen before it left: the box's `last_time_reachable` (else
   * `last_activity`) when it is seen away, then kept while it stays away; null while home.
   */
  last_seen: number | null;
}

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const time = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The `key` strings of a list of objects, sorted without repeats (the box's order may vary). */
function strings(list: unknown, key: string): string[] {
  if (!Array.isArray(list)) return [];
  const out = new Set<string>();
  for (const item of list) {
    const value = isRecord(item) ? text(item[key]) : null;
    if (value !== null) out.add(value);
  }
  return [...out].sort();
}

/**
 * The published state of a LAN host, from the box's LanHost (may be `{}` or absent: essentials §8)
 * and the state last published for it (undefined after a start), which keeps `last_seen` stable
 * while the device stays away.
 */
export function hostState(host: LanHost | undefined, previous: HostState | undefined): HostState {
  const h: Json = isRecord(host) ? host : {};
  const ap = isRecord(h.access_point) ? h.access_point : {};
  const wifi = isRecord(ap.wifi_information) ? ap.wifi_information : {};
  const home = typeof h.active === "boolean" ? h.active : null;
  return {
    home,
    name: text(h.primary_name),
    names: strings(h.names, "name"),
    addresses: strings(h.l3connectivities, "addr"),
    vendor: text(h.vendor_name),
    host_type: text(h.host_type),
    interface: text(h.interface),
    connectivity: text(ap.connectivity_type),
    access_point: text(ap.mac),
    wifi_band: text(wifi.band),
    last_seen: home === false ? lastSeen(h, previous) : null,
  };
}

/** Kept from the previous state while away; else when the box last saw it (its own record). */
function lastSeen(host: Json, previous: HostState | undefined): number | null {
  if (previous?.home === false && previous.last_seen !== null) return previous.last_seen;
  return time(host.last_time_reachable) ?? time(host.last_activity);
}

/** Whether two states are the same, field by field (their lists in order: hostState sorts them). */
export function sameHostState(a: HostState, b: HostState): boolean {
  for (const key of Object.keys(a) as (keyof HostState)[]) {
    const x = a[key];
    const y = b[key];
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
    } else if (x !== y) return false;
  }
  return true;
}

/**
 * Whether hostState reads the same lasting facts from two LanHosts, compared as the box sent them
 * (no state built: presence asks this for every host at every poll, and on a steady LAN the answer
 * is nearly always yes). False means "maybe not": the caller then builds the state and compares.
 * `last_seen` is not covered: it depends on the previous state as well (see sameState).
 */
export function sameFacts(a: LanHost | undefined, b: LanHost | undefined): boolean {
  const x = record(a);
  const y = record(b);
  const xap = record(x.access_point);
  const yap = record(y.access_point);
  return (
    x.active === y.active &&
    x.primary_name === y.primary_name &&
    x.vendor_name === y.vendor_name &&
    x.host_type === y.host_type &&
    x.interface === y.interface &&
    xap.connectivity_type === yap.connectivity_type &&
    xap.mac === yap.mac &&
    record(xap.wifi_information).band === record(yap.wifi_information).band &&
    sameItems(x.names, y.names, "name") &&
    sameItems(x.l3connectivities, y.l3connectivities, "addr")
  );
}

/**
 * Whether hostState(`host`, `state`) would give `state` again, when `state` was built from `from`
 * (the LanHost before): the same facts, and a `last_seen` that cannot move. It can move only for a
 * host away with no time yet (lastSeen then reads the new host's times).
 */
export function sameState(from: LanHost | undefined, host: LanHost | undefined, state: HostState): boolean {
  return !(state.home === false && state.last_seen === null) && sameFacts(from, host);
}

const EMPTY: Json = {};
const record = (v: unknown): Json => (isRecord(v) ? v : EMPTY);

/** The `key` of each item of two lists, in order (what strings() reads, before it sorts). */
function sameItems(a: unknown, b: unknown, key: string): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (record(a[i])[key] !== record(b[i])[key]) return false;
  }
  return true;
}

/** `<base>/lan/hosts/<mac12>`; undefined when `mac` is not a MAC address. */
export function hostTopic(baseTopic: string, mac: unknown): string | undefined {
  const key = macKey(mac);
  return key ? `${baseTopic}/${HOSTS_TOPIC}/${key}` : undefined;
}

export const HOSTS_TOPIC = "lan/hosts";

/**
 * A tracked host's device name: a static lease's comment, else its hostname (unless the box made
 * it the MAC), else the host's name, its other names (mDNS, NetBIOS…), the name an earlier run
 * gave it, else its vendor (or "Device") and the end of its MAC, so that a user can tell them apart.
 */
export function deviceName(
  mac: string,
  lease: { comment?: string; hostname?: string } | undefined,
  state: HostState | undefined,
  knownName?: string,
): string {
  const clean = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
  const hostname = macKey(lease?.hostname) === undefined ? clean(lease?.hostname) : undefined;
  return (
    clean(lease?.comment) ??
    hostname ??
    state?.name ??
    state?.names[0] ??
    clean(knownName) ??
    `${state?.vendor ?? "Device"} ${macColon(mac).slice(9).toUpperCase()}`
  );
}

/** A host's MAC (mac12) from `l2ident.id`, else its id `ether-<mac>`; the case varies (the page). */
export function macOf(host: LanHost): string | undefined {
  const l2 = host.l2ident as { id?: unknown; type?: unknown } | undefined;
  return macKey(l2?.id) ?? macKey(typeof host.id === "string" ? host.id.replace(/^ether-/, "") : undefined);
}

/**
 * Every interface's hosts (`lan/browser/interfaces/`, then each one, `pub` always): the LAN read of
 * a leases poll (also the bench's, so that it makes the bridge's calls). Rejects with the box's error.
 */
export async function readLanHosts(api: FreeboxApi): Promise<LanHost[]> {
  const interfaces = await api.listLanInterfaces();
  const names = new Set(interfaces.map((i) => i.name).filter((n) => typeof n === "string" && n !== ""));
  names.add("pub");
  const out: LanHost[] = [];
  for (const name of names) {
    try {
      // The interface each host came from, when the box left it out (it is undocumented).
      for (const host of await api.listLanHosts(name))
        out.push(host.interface ? host : { ...host, interface: name });
    } catch (error) {
      // An interface gone between the two calls; `pub` answering nodev is bridge mode.
      if (name === "pub" || !(error instanceof FreeboxError && error.code === "nodev")) throw error;
    }
  }
  return out;
}
