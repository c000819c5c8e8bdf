// Readable English text for the box's error codes. The box's own `msg` is French; we lead with
// English and append the box's text. Sources: the error tables of freebox-api-connection and
// freebox-api-dhcp, and the authentication codes of freebox-os-essentials §4.
import { redactString } from "../logger.js";

/** Where the user grants the `settings` right (essentials §5). */
export const GRANT_SETTINGS_HINT =
  'grant it in Freebox OS: Paramètres de la Freebox → Gestion des accès → Applications → freebox2mqtt → "Modification des réglages"';

export const PAIR_AGAIN_HINT =
  "pair again with `freebox2mqtt pair --force` (then press the right arrow on the box)";

const CODE_TEXT: Record<string, string> = {
  // freebox-api-connection: Connection Errors
  inval: "invalid request",
  nodev: "no device found with this name",
  noent: "no such entry",
  netdown: "the network is down",
  busy: "the device is busy, try again later",
  invalid_port: "invalid port",
  insecure_password: "the admin password is too weak to enable remote access",
  invalid_provider: "invalid DynDNS provider name",
  invalid_next_hop: "invalid next hop address (it must be a link-local address)",
  port_outside_range: "port outside the range allowed for this line",
  // freebox-api-dhcp: DHCP Errors
  inval_netmask: "invalid netmask",
  inval_ip_range: "invalid IP range",
  inval_ip_range_net: "the IP range does not match the netmask",
  inval_gw_net: "the gateway does not match the netmask",
  exist: "already exists",
  // lcd/config/ errors (freebox-api-extras.md "Display and LED strip")
  no_panel: "this box has no display panel",
  notsup: "not supported by this box",
  setup: "the display is being set up, try again later",
  // essentials §4: authentication
  auth_required: "the session is missing or expired",
  invalid_session: "the session is invalid",
  invalid_token: `the app token was revoked or belongs to another box; ${PAIR_AGAIN_HINT}`,
  pending_token: `the pairing of this app token was never completed; ${PAIR_AGAIN_HINT}`,
  insufficient_rights: "the app lacks a required right",
  denied_from_external_ip: "this request is only allowed from the box's local network",
  invalid_request: "the box refused the request as invalid",
  ratelimited: "too many authentication failures; the box rate-limits this address for a while",
  new_apps_denied:
    "new app pairing is disabled on the box; allow it in Freebox OS: Paramètres de la Freebox → Gestion des accès → Paramètres → allow new applications (allow_token_request)",
  apps_denied: "apps are not allowed to use the API on this box",
  internal_error: "internal error of the box",
  deprecated: "this API call is deprecated on this box",
};

/** "<what>: <english> (box: <french msg>)", with any registered secret redacted. */
export function describeBoxError(what: string, code: string, boxMsg?: string): string {
  const english = CODE_TEXT[code] ?? `the box answered error "${code}"`;
  const suffix = boxMsg && boxMsg.trim() !== "" ? ` (box: "${boxMsg.trim()}")` : "";
  return redactString(`${what}: ${english}${suffix}`);
}
