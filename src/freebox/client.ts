// `FreeboxClient`: discovery, then one typed function per endpoint of freebox-api-connection
// (v3 paths) and freebox-api-dhcp (v4 paths), plus system/ (freebox-os-essentials §7).
// The constructor only stores its options; discovery, the connection and the session are made
// by the first call.

import { isRecord } from "../json.js";
import type { Logger } from "../logger.js";
import type { FreeboxApi } from "./api.js";
import { Session } from "./auth.js";
import { FreeboxError } from "./errors.js";
import type { EventStreamSource, EventStreamTarget } from "./events.js";
import { FreeboxHttp, type RetryOptions } from "./http.js";
import { type PairingProgress, pairApp } from "./pairing.js";
import { normalizeSystem } from "./system.js";
import { tlsSettingsFor } from "./tls.js";
import { TokenStore } from "./token-store.js";
import {
  type ApiVersionInfo,
  type ConnectionConfig,
  type ConnectionConfigUpdate,
  type ConnectionStatus,
  DDNS_PROVIDERS,
  type DdnsConfig,
  type DdnsConfigUpdate,
  type DdnsProvider,
  type DdnsStatus,
  type DhcpConfig,
  type DhcpConfigUpdate,
  type DynamicLease,
  type FtthStatus,
  type Ipv6Config,
  type Ipv6ConfigUpdate,
  type LanHost,
  type LanInterface,
  type Permissions,
  type StaticLease,
  type StaticLeaseAdd,
  type StaticLeaseUpdate,
  type SystemInfo,
  type XdslInfo,
} from "./types.js";
import type {
  CallEntry,
  LcdConfig,
  LcdConfigUpdate,
  RaidArray,
  StorageDisk,
  WifiConfig,
  WifiConfigUpdate,
} from "./types-home.js";

/**
 * Highest API major we ask for. Boxes report 10.0 to 16.0 (essentials §2); 15 is the newest
 * major whose shapes we checked (the discovery example and the v6+ system/ shape). Older majors
 * keep working on newer boxes and the v3/v4 paths of our pages answer on every current major, so a
 * v16 box is simply served as v15, and a new firmware never changes shapes under us unannounced.
 */
export const SUPPORTED_MAJOR = 15;

export interface FreeboxClientOptions {
  url: string;
  appId: string;
  appVersion: string;
  /** From configuration: wins over the token file. */
  appToken?: string | null;
  /** Token file location. */
  dataDir: string;
  maxApiVersion?: number | null;
  /** Timeout of one HTTP call (default 10 000). */
  timeoutMs?: number;
  logger: Logger;
  /** Extra trusted PEM roots (tests). */
  extraCa?: string[];
  /** Pairing status poll interval (default 1000). */
  pairingPollMs?: number;
  /** Give up a pairing still pending after this long (default 120 000). */
  pairingTimeoutMs?: number;
  /** GET retries on transport errors and 5xx (default 2 retries from 300 ms). */
  retry?: RetryOptions;
  /** Backoff after a rate-limited login (default 5 s doubling to 5 min). */
  loginBackoff?: { baseMs: number; maxMs: number };
  /** How long a box that answered `internal_error` to storage/raid/ is not asked again (default 1 h). */
  raidRecheckMs?: number;
}

interface Parts {
  http: FreeboxHttp;
  store: TokenStore;
  session: Session;
  logger: Logger;
}

/** A major from "15.0" (the whole integer part, not the first character, essentials §2). */
export function parseMajor(apiVersion: unknown): number | undefined {
  const match = /^\s*(\d+)(?:\.\d+)*\s*$/.exec(String(apiVersion ?? ""));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export class FreeboxClient implements FreeboxApi, EventStreamSource {
  readonly #o: FreeboxClientOptions;
  #parts: Parts | undefined;
  #discovery: Promise<ApiVersionInfo> | undefined;
  #major: number | undefined;
  #apiBase = "/api/";
  /** Date.now() before which storage/raid/ is not asked again (a box without RAID support). */
  #noRaidUntil = 0;
  #noRaidSaid = false;

  constructor(options: FreeboxClientOptions) {
    this.#o = options;
  }

  get apiMajor(): number | undefined {
    return this.#major;
  }

  get #p(): Parts {
    if (this.#parts) return this.#parts;
    const o = this.#o;
    const logger = o.logger.child("freebox");
    const http = new FreeboxHttp({
      url: new URL(o.url),
      timeoutMs: o.timeoutMs ?? 10_000,
      retry: o.retry ?? { limit: 2, baseMs: 300 },
      logger,
      extraCa: o.extraCa ?? [],
    });
    const store = new TokenStore(o.dataDir, logger);
    const session = new Session({
      http,
      urlFor: (path) => this.#urlFor(path),
      appId: o.appId,
      appVersion: o.appVersion,
      configToken: o.appToken,
      store,
      logger,
      loginBackoff: o.loginBackoff ?? { baseMs: 5_000, maxMs: 300_000 },
    });
    this.#parts = { http, store, session, logger };
    return this.#parts;
  }

  // --- discovery (essentials §2) ---

  apiVersion(): Promise<ApiVersionInfo> {
    // Cached once it succeeded; a failed discovery is tried again by the next call.
    this.#discovery ??= this.#discover().catch((error: unknown) => {
      this.#discovery = undefined;
      throw error;
    });
    return this.#discovery;
  }

  async #discover(): Promise<ApiVersionInfo> {
    const { http, logger } = this.#p;
    const raw = await http.getPlain(`${this.#o.url.replace(/\/+$/, "")}/api_version`, "GET /api_version");
    const boxMajor = isRecord(raw) ? parseMajor(raw.api_version) : undefined;
    if (!isRecord(raw) || boxMajor === undefined || typeof raw.api_base_url !== "string") {
      throw new FreeboxError(
        "bad_response",
        "GET /api_version: the answer has no valid api_version/api_base_url",
      );
    }
    const info: ApiVersionInfo = {
      ...raw,
      api_version: String(raw.api_version),
      api_base_url: raw.api_base_url,
    };
    this.#apiBase = `/${info.api_base_url.replace(/^\/+|\/+$/g, "")}/`.replace(/^\/\/$/, "/");
    this.#major = Math.min(boxMajor, SUPPORTED_MAJOR, this.#o.maxApiVersion ?? Number.POSITIVE_INFINITY);
    logger.info(
      `${String(info.box_model_name ?? info.box_model ?? "Freebox")}: API ${info.api_version}, using v${this.#major}`,
    );
    return info;
  }

  /** `<url><api_base_url>v<major>/<path>` (essentials §2). */
  async #urlFor(path: string): Promise<string> {
    await this.apiVersion();
    return `${this.#o.url.replace(/\/+$/, "")}${this.#apiBase}v${this.#major}/${path}`;
  }

  // --- pairing and session ---

  /** Pairs this app (the user presses the right arrow on the box); saves the token. */
  async pair(onProgress?: (p: PairingProgress) => void): Promise<void> {
    const { http, store, session, logger } = this.#p;
    const token = await pairApp(
      {
        http,
        urlFor: (path) => this.#urlFor(path),
        appId: this.#o.appId,
        appVersion: this.#o.appVersion,
        store,
        logger,
        pollMs: this.#o.pairingPollMs ?? 1000,
        timeoutMs: this.#o.pairingTimeoutMs ?? 120_000,
      },
      onProgress,
    );
    if (this.#o.appToken) {
      logger.warn("FREEBOX_APP_TOKEN is set and wins over the token just saved; unset it to use the new one");
      return;
    }
    session.useAppToken(token);
  }

  /** True when a token is configured or saved (no call to the box). */
  async hasToken(): Promise<boolean> {
    try {
      await this.#p.session.appToken();
      return true;
    } catch (error) {
      if (error instanceof FreeboxError && error.code === "pairing_required") return false;
      throw error;
    }
  }

  permissions(): Promise<Permissions> {
    return this.#p.session.permissions();
  }

  logout(): Promise<void> {
    return this.#parts ? this.#parts.session.logout() : Promise.resolve();
  }

  /** Shutdown: the call on the wire finishes, nothing else is sent but the logout (call-gate.ts). */
  stopSending(): void {
    this.#parts?.http.stopSending();
  }

  /** Closes the keep-alive connection (does not log out). */
  async close(): Promise<void> {
    await this.#parts?.http.close();
  }

  // --- event stream (freebox-api-lan-browser, "Event stream") ---

  /** `ws[s]://<host><api_base_url>v<major>/ws/event`, a session, and the HTTP calls' trust store. */
  async eventStreamTarget(): Promise<EventStreamTarget> {
    const url = new URL(await this.#urlFor("ws/event"));
    const tls = tlsSettingsFor(url, this.#o.extraCa ?? []);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const sessionToken = await this.#p.session.token();
    return { url: url.toString(), sessionToken, ...(tls ? { tls } : {}) };
  }

  dropSession(sessionToken: string): void {
    this.#parts?.session.invalidate(sessionToken);
  }

  // --- typed endpoints ---

  async #object<T>(method: "GET" | "PUT" | "POST", path: string, json?: unknown): Promise<T> {
    const result = await this.#p.session.request(method, path, json);
    if (!isRecord(result)) {
      throw new FreeboxError("bad_response", `${method} ${path}: the box sent no result object`);
    }
    return result as T;
  }

  async #list<T>(path: string): Promise<T[]> {
    const result = await this.#p.session.request("GET", path);
    // An empty list comes without `result` on real boxes.
    if (result === undefined || result === null) return [];
    if (!Array.isArray(result)) throw new FreeboxError("bad_response", `GET ${path}: the box sent no list`);
    return result.filter(isRecord) as T[];
  }

  getConnectionStatus(): Promise<ConnectionStatus> {
    return this.#object("GET", "connection/");
  }
  getConnectionConfig(): Promise<ConnectionConfig> {
    return this.#object("GET", "connection/config/");
  }
  updateConnectionConfig(update: ConnectionConfigUpdate): Promise<ConnectionConfig> {
    return this.#object("PUT", "connection/config/", update);
  }
  getIpv6Config(): Promise<Ipv6Config> {
    return this.#object("GET", "connection/ipv6/config/");
  }
  updateIpv6Config(update: Ipv6ConfigUpdate): Promise<Ipv6Config> {
    return this.#object("PUT", "connection/ipv6/config/", update);
  }
  getXdsl(): Promise<XdslInfo> {
    return this.#object("GET", "connection/xdsl/");
  }
  getFtth(): Promise<FtthStatus> {
    return this.#object("GET", "connection/ftth/");
  }

  async getDdnsStatus(provider: DdnsProvider): Promise<DdnsStatus> {
    return this.#object("GET", `connection/ddns/${checkProvider(provider)}/status/`);
  }
  async getDdnsConfig(provider: DdnsProvider): Promise<DdnsConfig> {
    return this.#object("GET", `connection/ddns/${checkProvider(provider)}/`);
  }
  async updateDdnsConfig(provider: DdnsProvider, update: DdnsConfigUpdate): Promise<DdnsConfig> {
    return this.#object("PUT", `connection/ddns/${checkProvider(provider)}/`, update);
  }

  getDhcpConfig(): Promise<DhcpConfig> {
    return this.#object("GET", "dhcp/config/");
  }
  updateDhcpConfig(update: DhcpConfigUpdate): Promise<DhcpConfig> {
    return this.#object("PUT", "dhcp/config/", update);
  }
  listStaticLeases(): Promise<StaticLease[]> {
    return this.#list("dhcp/static_lease/");
  }
  async getStaticLease(id: string): Promise<StaticLease> {
    return this.#object("GET", leasePath(id));
  }
  addStaticLease(lease: StaticLeaseAdd): Promise<StaticLease> {
    return this.#object("POST", "dhcp/static_lease/", lease);
  }
  async updateStaticLease(id: string, update: StaticLeaseUpdate): Promise<StaticLease> {
    return this.#object("PUT", leasePath(id), update);
  }
  async deleteStaticLease(id: string): Promise<void> {
    // A successful DELETE may have no `result` (essentials §1).
    await this.#p.session.request("DELETE", leasePath(id));
  }
  listDynamicLeases(): Promise<DynamicLease[]> {
    return this.#list("dhcp/dynamic_lease/");
  }

  listLanInterfaces(): Promise<LanInterface[]> {
    return this.#list("lan/browser/interfaces/");
  }
  async listLanHosts(iface: string): Promise<LanHost[]> {
    // An interface name is one path segment of the box's own list (`pub`, `wifiguest`, …).
    if (!/^[A-Za-z0-9_.-]+$/.test(iface) || iface === "." || iface === "..") {
      throw new FreeboxError("inval", `invalid LAN interface name "${iface}"`);
    }
    return this.#list(`lan/browser/${iface}/`);
  }

  async getSystem(): Promise<SystemInfo> {
    return normalizeSystem(await this.#p.session.request("GET", "system/"));
  }
  async reboot(): Promise<void> {
    await this.#p.session.request("POST", "system/reboot/");
  }

  // --- Wi-Fi, calls, storage, display (shared/reference/freebox-api-extras.md) ---

  getWifiConfig(): Promise<WifiConfig> {
    return this.#object("GET", "wifi/config/");
  }
  updateWifiConfig(update: WifiConfigUpdate): Promise<WifiConfig> {
    return this.#object("PUT", "wifi/config/", update);
  }
  listCalls(): Promise<CallEntry[]> {
    return this.#list("call/log/");
  }
  async markCallsRead(): Promise<void> {
    await this.#p.session.request("POST", "call/log/mark_all_as_read/");
  }
  listDisks(): Promise<StorageDisk[]> {
    return this.#list("storage/disk/");
  }

  /**
   * Revolution and Pop boxes answer `internal_error` to storage/raid/ (Home Assistant issues 97652,
   * 97693, 160141): a box without RAID support, not a failure. Said once, and asked again only
   * after `raidRecheckMs` (a firmware update may add it); null meanwhile, without a call.
   */
  async listRaidArrays(): Promise<RaidArray[] | null> {
    if (Date.now() < this.#noRaidUntil) return null;
    try {
      const arrays = await this.#list<RaidArray>("storage/raid/");
      this.#noRaidSaid = false;
      return arrays;
    } catch (error) {
      if (!(error instanceof FreeboxError) || error.code !== "internal_error") throw error;
      const recheckMs = this.#o.raidRecheckMs ?? 3_600_000;
      this.#noRaidUntil = Date.now() + recheckMs;
      if (!this.#noRaidSaid) {
        this.#noRaidSaid = true;
        this.#p.logger.info(
          `this box has no RAID support (storage/raid/ answers internal_error); asking again every ${Math.round(recheckMs / 60_000)} min`,
        );
      }
      return null;
    }
  }

  getLcdConfig(): Promise<LcdConfig> {
    return this.#object("GET", "lcd/config/");
  }
  updateLcdConfig(update: LcdConfigUpdate): Promise<LcdConfig> {
    return this.#object("PUT", "lcd/config/", update);
  }
}

/** Refuses an unknown provider before any call (the page lists ovh, dyndns, noip). */
function checkProvider(provider: string): DdnsProvider {
  if (!(DDNS_PROVIDERS as readonly string[]).includes(provider)) {
    throw new FreeboxError(
      "invalid_provider",
      `unknown DynDNS provider "${provider}" (expected ${DDNS_PROVIDERS.join(", ")})`,
    );
  }
  return provider as DdnsProvider;
}

// A static lease's id is its MAC (essentials §8). It is URL-encoded so that no character of an id
// changes the path; "", "." and ".." cannot be encoded away (URL parsers resolve them), so they are
// refused before any call.
function leasePath(id: string): string {
  if (id === "" || id === "." || id === "..") {
    throw new FreeboxError("inval", `invalid static lease id "${id}" (expected a MAC address)`);
  }
  return `dhcp/static_lease/${encodeURIComponent(id)}`;
}
