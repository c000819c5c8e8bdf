// lan/browser/*, after freebox-api-lan-browser: the interfaces, each one's hosts, one host. An
// interface without hosts answers success with no result (`pub`) or `result: null` (`wifiguest`,
// as seen on a real box); a box in bridge mode answers `nodev` on every call (the `bridgeMode`
// fault).
import type { LanHost } from "../freebox/types.js";
import { fail, SimApiError } from "./envelope.js";
import { interfaceOf, isListed, LAN_INTERFACES } from "./lan-hosts.js";
import { type Route, route, type SimCore } from "./routes.js";

const READ = { minMajor: 1 };

/** The hosts of one interface, in the state's order. */
function hostsOf(core: SimCore, iface: string): LanHost[] {
  return Object.values(core.state.hosts).filter((host) => isListed(host) && interfaceOf(host) === iface);
}

/** `nodev` in bridge mode or for an interface the box does not have (the page's error list). */
function checkInterface(core: SimCore, iface: string | undefined): string {
  if (core.faults.bridgeMode) {
    throw new SimApiError("nodev", {
      msg: "Erreur lors de la récupération de la liste des hôtes : Interface invalide",
    });
  }
  if (iface === undefined || !(LAN_INTERFACES as readonly string[]).includes(iface)) fail("nodev");
  return iface;
}

export const lanRoutes: Route[] = [
  route("GET", "lan/browser/interfaces/", READ, ({ core }) => {
    checkInterface(core, "pub");
    // host_count is the box's own counter, not the list's length (a real box said 54 for 39
    // hosts): hosts it remembers count too, so clients must never size a list by it.
    return LAN_INTERFACES.map((name) => ({
      name,
      host_count: hostsOf(core, name).length + (name === "pub" ? 2 : 0),
    }));
  }),

  route("GET", "lan/browser/{iface}/", READ, ({ core, params }) => {
    const iface = checkInterface(core, params[0]);
    const hosts = hostsOf(core, iface);
    if (hosts.length > 0) return hosts;
    // No hosts: no `result` at all on `pub`, `"result": null` on `wifiguest` (both seen, the page).
    return iface === "wifiguest" ? null : undefined;
  }),

  route("GET", "lan/browser/{iface}/{id}/", READ, ({ core, params }) => {
    const iface = checkInterface(core, params[0]);
    const host = hostsOf(core, iface).find((h) => h.id === params[1]);
    if (!host) fail("nohost");
    return host;
  }),
];
