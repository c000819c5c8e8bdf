// A big LAN for the simulator. The simulator caps its generated leases at what fits in its /24
// (150 static, 49 dynamic); the bench needs up to 1,000, so it generates the same kind of hosts
// and leases (src/sim/lan.ts) and spreads them over a /21 whose DHCP config says so.
import { generateLan } from "../sim/lan.js";
import { createRng } from "../sim/rng.js";
import type { SimState } from "../sim/state.js";

/** `total` leases: half static (each one a device tracker, the costlier kind), half dynamic. */
export function splitLeases(total: number): { staticLeases: number; dynamicLeases: number } {
  const staticLeases = Math.ceil(total / 2);
  return { staticLeases, dynamicLeases: total - staticLeases };
}

const ipOf = (index: number): string => `192.168.${index >> 8}.${(index & 255) + 1}`;

/** Replaces the box's LAN with `total` leases (deterministic: same total, same LAN). */
export function setLeases(state: SimState, total: number, seed = 7): void {
  const { staticLeases, dynamicLeases } = splitLeases(total);
  const lan = generateLan(createRng(seed), {
    staticLeases,
    dynamicLeases,
    now: Math.floor(Date.now() / 1000),
    boxMac: state.system.mac,
  });
  // 192.168.0.0/21: dynamic leases from .0.1, static ones from .4.1, the box at .7.254.
  const relocate = (mac: string, ip: string) => {
    const host = lan.hosts[mac];
    const l3 = host?.l3connectivities;
    if (Array.isArray(l3)) for (const entry of l3) Object.assign(entry as object, { addr: ip });
  };
  lan.dynamicLeases.forEach((lease, i) => {
    lease.ip = ipOf(i);
    relocate(lease.mac, lease.ip);
  });
  lan.staticLeases.forEach((lease, i) => {
    lease.ip = ipOf(1024 + i);
    relocate(lease.mac, lease.ip);
  });
  state.dhcp.gateway = "192.168.7.254";
  state.dhcp.netmask = "255.255.248.0";
  state.dhcp.ip_range_start = "192.168.0.1";
  state.dhcp.ip_range_end = "192.168.3.254";
  state.dhcp.dns = ["192.168.7.254", "", "", "", ""];
  state.staticLeases = lan.staticLeases;
  state.dynamicLeases = lan.dynamicLeases;
  state.hosts = lan.hosts;
}
