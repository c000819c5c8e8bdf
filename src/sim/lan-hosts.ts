// The LAN browser's own hosts (freebox-api-lan-browser): devices that have no DHCP lease of their
// own in the simulator, on the main LAN (`pub`) and on the guest Wi-Fi (`wifiguest`), some with no
// name, and how a host arrives and leaves (what the event stream then reports).
import type { LanHost } from "../freebox/types.js";
import { buildHost, DEVICES } from "./lan.js";
import type { Rng } from "./rng.js";
import type { SimState } from "./state.js";

/** Interfaces the simulated box lists, in its order (real boxes: `pub`, then `wifiguest`). */
export const LAN_INTERFACES = ["pub", "wifiguest"] as const;

/** LAN-only hosts: `pub` ones take 192.168.1.51–.99 (between the DHCP range and static leases). */
export const MAX_LAN_HOSTS = 96;

const GUEST_NAMES = ["Pixel-7", "Galaxy-A54", "iPhone-invite", "Redmi-Note-12"];

/**
 * The k-th LAN-only host, in a cycle of four kinds a real box shows: a named `pub` device, a guest
 * phone named only by mDNS (`primary_name` empty), a guest device with no name at all, and a `pub`
 * device with neither name nor vendor. Guest hosts carry a lower-case MAC in `l2ident` (the case
 * varies between interfaces, freebox-api-lan-browser).
 */
export function lanOnlyHost(rng: Rng, k: number, mac: string, now: number, boxMac: string): LanHost {
  const kind = k % 4;
  const guest = kind === 1 || kind === 2;
  const device = rng.pick(DEVICES.filter((d) => d.wifi || !guest));
  const ip = guest ? `192.168.27.${65 + (k >> 1)}` : `192.168.1.${51 + (k >> 1)}`;
  const name = kind === 0 ? `${device.name.replace(/[ -](de[ -])?\{p\}$/, "")}-${k}` : "";
  const host = buildHost(rng, {
    mac,
    ip,
    active: rng.bool(0.6),
    now,
    boxMac,
    device: kind === 3 ? { ...device, vendor: "" } : device,
    name,
    iface: guest ? "wifiguest" : "pub",
  });
  if (kind === 1) host.names = [{ name: rng.pick(GUEST_NAMES), source: "mdns" }];
  if (kind === 2) delete host.names;
  if (guest && host.l2ident) host.l2ident = { id: mac.toLowerCase(), type: "mac_address" };
  return host;
}

/** A fresh locally administered MAC (x2:…, never a real vendor's) not used on this LAN yet. */
export function newMac(rng: Rng, state: SimState): string {
  for (;;) {
    const mac =
      `${rng.hex(1)}2:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}`.toUpperCase();
    if (state.hosts[mac] === undefined) return mac;
  }
}

/** Adds `count` LAN-only hosts to the state. */
export function addLanOnlyHosts(state: SimState, rng: Rng, count: number, now: number): void {
  for (let k = 0; k < count; k++) {
    const mac = newMac(rng, state);
    state.hosts[mac] = lanOnlyHost(rng, k, mac, now, state.system.mac);
  }
}

/** A host as the LAN browser lists it: only real hosts (a lease's host may be `{}`, §8). */
export function isListed(host: LanHost): boolean {
  return typeof host.id === "string" && host.l2ident !== undefined;
}

export const interfaceOf = (host: LanHost): string =>
  typeof host.interface === "string" ? host.interface : "pub";

/**
 * A host comes or goes: `active`/`reachable` on the host and on every L3 address, timestamps moved
 * when it is seen. (A real box waits one to two minutes before marking a host inactive; the
 * simulator reports at once so tests need no waiting.)
 */
export function setPresence(host: LanHost, present: boolean, now: number): void {
  host.active = present;
  host.reachable = present;
  if (present) {
    host.last_activity = now;
    host.last_time_reachable = now;
  }
  const l3 = host.l3connectivities;
  if (!Array.isArray(l3)) return;
  for (const entry of l3 as Array<Record<string, unknown>>) {
    entry.active = present;
    entry.reachable = present;
    if (present) {
      entry.last_activity = now;
      entry.last_time_reachable = now;
    }
  }
}

/** The MACs (uppercase) of hosts that have no lease: the ones live mode moves. */
export function leaselessMacs(state: SimState): string[] {
  const leased = new Set([...state.staticLeases, ...state.dynamicLeases].map((lease) => lease.mac));
  return Object.keys(state.hosts).filter((mac) => !leased.has(mac) && isListed(state.hosts[mac] ?? {}));
}
