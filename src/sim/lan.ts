// Generated LAN: hosts of the LAN browser and the DHCP leases that point at them
// (freebox-api-dhcp; lease `host` objects carry many undocumented keys, essentials §8).
import type { LanHost } from "../freebox/types.js";
import type { Rng } from "./rng.js";
import type { SimDynamicLease, SimStaticLease } from "./state.js";

/** Lease duration handed out by the box: 12 h (the page's example shows 42971 s remaining). */
export const LEASE_TIME = 43200;

const PEOPLE = ["Marie", "Lucas", "Emma", "Hugo", "Chloé", "Louis", "Léa", "Jules"];
export interface DeviceKind {
  name: string;
  type: string;
  vendor: string;
  wifi: boolean;
}

export const DEVICES: readonly DeviceKind[] = [
  { name: "iPhone de {p}", type: "smartphone", vendor: "Apple, Inc.", wifi: true },
  { name: "MacBook-Air-de-{p}", type: "laptop", vendor: "Apple, Inc.", wifi: true },
  { name: "Imprimante", type: "printer", vendor: "HP Inc.", wifi: true },
  { name: "Chromecast", type: "multimedia_device", vendor: "Google, Inc.", wifi: true },
  { name: "NAS", type: "nas", vendor: "Synology Incorporated", wifi: false },
  { name: "Freebox Player POP", type: "freebox_player", vendor: "Freebox SAS", wifi: false },
  { name: "Galaxy-S23-{p}", type: "smartphone", vendor: "Samsung Electronics Co.,Ltd", wifi: true },
  { name: "PC-Salon", type: "workstation", vendor: "Dell Inc.", wifi: false },
  { name: "Xbox", type: "vg_console", vendor: "Microsoft Corporation", wifi: false },
  { name: "iPad-{p}", type: "tablet", vendor: "Apple, Inc.", wifi: true },
  { name: "Camera-Jardin", type: "ip_camera", vendor: "Reolink", wifi: true },
  { name: "Sonos-Cuisine", type: "multimedia_device", vendor: "Sonos, Inc.", wifi: true },
  { name: "raspberrypi", type: "workstation", vendor: "Raspberry Pi Trading Ltd", wifi: false },
];

/** Generated static leases live in 192.168.1.100–.249, dynamic ones in the DHCP range .2–.50. */
export const MAX_STATIC_LEASES = 150;
export const MAX_DYNAMIC_LEASES = 49;

export interface LanOptions {
  staticLeases: number;
  dynamicLeases: number;
  now: number;
  boxMac: string;
}

export function generateLan(
  rng: Rng,
  options: LanOptions,
): { hosts: Record<string, LanHost>; staticLeases: SimStaticLease[]; dynamicLeases: SimDynamicLease[] } {
  const { now } = options;
  const hosts: Record<string, LanHost> = {};
  const usedMacs = new Set<string>();
  const usedNames = new Set<string>();
  const newMac = (): string => {
    for (;;) {
      // Locally administered unicast (x2:…) so the fake MACs never collide with a real vendor.
      const mac = `${rng.hex(1)}2:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}`;
      const upper = mac.toUpperCase();
      if (!usedMacs.has(upper)) {
        usedMacs.add(upper);
        return upper;
      }
    }
  };
  const newName = (template: string): string => {
    const base = template.replace("{p}", rng.pick(PEOPLE));
    let name = base;
    for (let i = 2; usedNames.has(name); i++) name = `${base}-${i}`;
    usedNames.add(name);
    return name;
  };
  const addHost = (mac: string, ip: string, active: boolean): string => {
    const device = rng.pick(DEVICES);
    const name = newName(device.name);
    hosts[mac] = buildHost(rng, { mac, ip, active, now, boxMac: options.boxMac, device, name, iface: "pub" });
    return name;
  };

  const staticLeases: SimStaticLease[] = [];
  for (let i = 0; i < options.staticLeases; i++) {
    const mac = newMac();
    const ip = `192.168.1.${100 + i}`;
    addHost(mac, ip, rng.bool(0.7));
    staticLeases.push({ mac, ip, comment: i === 0 ? "" : rng.pick(["", "Bureau", "Salon", "Garage"]) });
  }

  const dynamicLeases: SimDynamicLease[] = [];
  for (let i = 0; i < options.dynamicLeases; i++) {
    const mac = newMac();
    const ip = `192.168.1.${2 + i}`;
    let hostname = addHost(mac, ip, true);
    if (i === 3) {
      // A lease whose LAN host is `{}`: real boxes send that (essentials §8).
      hosts[mac] = {};
      hostname = `android-${rng.hex(16)}`;
    }
    const remaining = rng.int(600, LEASE_TIME);
    const refresh = now - (LEASE_TIME - remaining);
    dynamicLeases.push({
      mac,
      hostname,
      ip,
      lease_remaining: remaining,
      assign_time: refresh - rng.int(0, 30) * LEASE_TIME,
      refresh_time: refresh,
    });
  }
  return { hosts, staticLeases, dynamicLeases };
}

export interface HostSpec {
  /** Uppercase MAC (the key of `SimState.hosts`). */
  mac: string;
  ip: string;
  active: boolean;
  now: number;
  boxMac: string;
  device: DeviceKind;
  /** Primary name; "" for a host the box could not name. */
  name: string;
  /** LAN browser interface: "pub" or "wifiguest" (lan-hosts.ts). */
  iface: string;
}

/** One LAN browser host (freebox-api-lan-browser: LanHost, with what real boxes add). */
export function buildHost(rng: Rng, spec: HostSpec): LanHost {
  const { mac, ip, active, now, device, name } = spec;
  const lastActivity = active ? now - rng.int(0, 60) : now - rng.int(3600, 30 * 86400);
  const host: LanHost = {
    // The host id uses a lowercase MAC while l2ident uses uppercase: MAC case varies (§8).
    id: `ether-${mac.toLowerCase()}`,
    primary_name: name,
    host_type: device.type,
    primary_name_manual: false,
    l2ident: { id: mac, type: "mac_address" },
    vendor_name: device.vendor,
    persistent: false,
    reachable: active,
    active,
    interface: spec.iface,
    default_name: name,
    first_activity: lastActivity - rng.int(86400, 200 * 86400),
    last_activity: lastActivity,
    last_time_reachable: lastActivity,
    names: name === "" ? [] : [{ name, source: "dhcp" }],
    l3connectivities: [
      {
        addr: ip,
        af: "ipv4",
        active,
        reachable: active,
        last_activity: lastActivity,
        last_time_reachable: lastActivity,
      },
    ],
  };
  if (device.wifi) {
    host.access_point = {
      mac: spec.boxMac,
      type: "gateway",
      connectivity_type: "wifi",
      wifi_information: {
        band: rng.pick(["2d4g", "5g"]),
        ssid: spec.iface === "wifiguest" ? "Freebox-SIM-Invites" : "Freebox-SIM",
        signal: rng.int(-80, -40),
        standard: rng.pick(["n", "ac", "ax"]),
        phy_tx_rate: rng.int(50, 1200),
        phy_rx_rate: rng.int(50, 1200),
      },
    };
  }
  return host;
}
