// Trust store and server name for the box's connections (freebox-os-essentials §6): the undici
// Agent of the API calls (transport.ts) and any other client of the box (a WebSocket) take the
// same `tlsSettingsFor(url)`, so that every connection to the box is verified the same way.
import { readdirSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, join } from "node:path";
import { rootCertificates } from "node:tls";
import { fileURLToPath } from "node:url";

/** The box's name on the LAN; its certificate is issued for it (essentials §6). */
export const FREEBOX_LAN_NAME = "mafreebox.freebox.fr";

/** config/certs/ from both src/freebox/ (tests) and dist/freebox/ (the build). */
export const CERTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "config", "certs");

let bundledRoots: string[] | undefined;

/** The four bundled roots: Freebox ECC/RSA and Iliadbox ECC/RSA (boxes serve either kind). */
export function freeboxRoots(): string[] {
  bundledRoots ??= readdirSync(CERTS_DIR)
    .filter((name) => name.endsWith(".pem"))
    .sort()
    .map((name) => readFileSync(join(CERTS_DIR, name), "utf8"));
  return bundledRoots;
}

export interface TlsSettings {
  /** Trusted roots: system roots + Freebox roots + extras. */
  ca: string[];
  /** Name the certificate must match, when the URL host cannot be used for it. */
  servername?: string;
}

/**
 * TLS settings for a box URL, or undefined for plain http (allowed on the LAN, essentials §6).
 * In Node the `ca` option replaces the default store, so the system roots are passed along with
 * the Freebox ones: users who give the box a custom domain with a public certificate keep working.
 * A bare IP address cannot match the box's certificate, so it is verified against the LAN name
 * (the check itself is never disabled).
 */
export function tlsSettingsFor(url: URL, extraCa: readonly string[] = []): TlsSettings | undefined {
  if (url.protocol !== "https:") return undefined;
  const ca = [...rootCertificates, ...freeboxRoots(), ...extraCa];
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return isIP(host) === 0 ? { ca } : { ca, servername: FREEBOX_LAN_NAME };
}
