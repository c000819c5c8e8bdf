// Public contract of the Freebox simulator. Other modules and tests code against exactly these
// names: add fields, never rename them.
import type { LanHost } from "../freebox/types.js";
import type { Logger } from "../logger.js";
import type { SimState } from "./state.js";

export type SimMedia = "ftth" | "xdsl";
export type SimLinkState = "going_up" | "up" | "going_down" | "down";
export type PairingOutcome = "granted" | "denied" | "timeout";

export interface SimulatorOptions {
  /** Listen address, default "127.0.0.1" (the simulator never listens beyond loopback by default). */
  host?: string;
  /** Default 0: the OS picks a free port. */
  port?: number;
  /** Line type, default "ftth" (a Freebox Delta, "fbxgw7-r1/full"); "xdsl" gives a Revolution. */
  media?: SimMedia;
  /** Advertised api_version, default "15.0". */
  apiVersion?: string;
  /** Outcome of a pairing request once `delayMs` has passed (default granted after 2000 ms). */
  pairing?: { outcome?: PairingOutcome; delayMs?: number };
  /** Sessions expire this long after they were opened (default 30 min). */
  sessionTtlMs?: number;
  /** Do newly paired apps get the "settings" right (default false, like a real box). */
  grantSettings?: boolean;
  /** Pre-paired apps (granted, usable at once). */
  apps?: Array<{ appId: string; appToken: string; settings?: boolean }>;
  /** Generated static leases (default 3). */
  staticLeases?: number;
  /** Generated dynamic leases (default 5). */
  dynamicLeases?: number;
  /** LAN browser hosts that have no lease, on `pub` and `wifiguest`, some unnamed (default 4,
   * at most 96). */
  lanHosts?: number;
  /** Live mode: every this many seconds a host without a lease arrives or leaves, with its event
   * (default 15; 0: never). */
  hostChurnS?: number;
  /** Values move over time (rates, byte counters, lease times, uptime); default false. */
  live?: boolean;
  /** Serve HTTPS instead of HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** How long POST system/reboot/ makes the box unreachable (default 3000 ms). */
  rebootMs?: number;
  /** Seed of the generated data (default 1): same seed, same box. */
  seed?: number;
  /** Addition: disks at all (default true); false: storage/disk/ answers no result. */
  disks?: boolean;
  /** Addition: the display's LED strip, as a Freebox Ultra's (default false). */
  ledStrip?: boolean;
  /** Addition: a display at all (default true); false: lcd/config/ answers no_panel. */
  display?: boolean;
  /** Addition: where to log requests (debug) and events such as pairing or reboot (info). */
  logger?: Logger;
  /** Addition: called as each request is logged (benchmarks timestamp arrivals finer than `at`). */
  onRequest?: (request: SimRequest) => void;
}

export interface SimRequest {
  method: string;
  /** Path after /api/vN/ without the query, e.g. "connection/config/"; the full path otherwise. */
  path: string;
  major: number | null;
  body: unknown;
  /** The request carried a live session token when it arrived. */
  authenticated: boolean;
  /** Date.now() when it arrived. */
  at: number;
}

export interface SimFaults {
  /** Added before every response. */
  latencyMs: number;
  /** Next N API requests answer HTTP 502 with an HTML body. */
  status5xx: number;
  /** Next N answer 200 with a truncated JSON body. */
  malformed: number;
  /** Next N: the socket is reset without an answer. */
  drop: number;
  /** Next N answer {success:false, error_code:"busy"}. */
  busy: number;
  /** connection/* endpoints answer error_code "netdown". */
  netdown: boolean;
  /** Every authenticated call finds its session expired (403 auth_required). */
  expireEveryCall: boolean;
  /** Next N POST login/session/ answer 403 ratelimited. */
  ratelimitLogin: number;
  /** Requests are never answered while true. */
  hang: boolean;
  /** New connections are destroyed at once, and open sockets destroyed, while true. */
  unreachable: boolean;
  /** The box is in bridge mode: every lan/browser/ call answers `nodev` (freebox-api-lan-browser). */
  bridgeMode: boolean;
  /** Older firmware: the event WebSocket (ws/event) answers 404 at the upgrade. */
  refuseEventStream: boolean;
  /**
   * Paths matching `match` answer 403 insufficient_rights with this `missing_right`, whatever the
   * session's rights (a right the box requires that the simulator does not model, e.g. storage).
   * Rights it models (`settings`, `calls`) are refused with setPermission instead.
   */
  refuseRight: { match: RegExp; right: string } | null;
  /** When set, the counted faults apply only to paths matching it (tested against the path after
   * /api/vN/ and against the full URL path, so /api_version can be targeted too). */
  match: RegExp | null;
}

export interface Simulator {
  /** "http://127.0.0.1:PORT" (no trailing slash). */
  readonly url: string;
  readonly state: SimState;
  readonly faults: SimFaults;
  /** Every request received, most recent 20,000. */
  readonly requests: SimRequest[];
  /** TCP connections accepted so far (keep-alive measurement). */
  readonly connections: number;
  clearRequests(): void;
  /** Registers a granted app and returns its token. */
  pairApp(appId: string, options?: { settings?: boolean; token?: string }): string;
  /** Applies to sessions opened afterwards (essentials §5). */
  setPermission(appId: string, right: string, granted: boolean): void;
  /** Its token now gets invalid_token; its open sessions end. */
  revokeApp(appId: string): void;
  /** Every open session becomes invalid (next call: 403 auth_required). */
  expireSessions(): void;
  setMedia(media: SimMedia): void;
  /** ipv4/ipv6 are absent unless up. */
  setLinkState(state: SimLinkState): void;
  /** One step (one second) of the live values (and, every `hostChurnS`, a guest coming or going). */
  tick(): void;
  /**
   * A host becomes active and the event stream says `lan_host_l3addr_reachable` with the whole
   * host: the host of `mac` (any case), or with no MAC a device never seen before (a new host).
   */
  hostArrives(mac?: string): LanHost;
  /** The host of `mac` becomes inactive; the stream says `lan_host_l3addr_unreachable`. */
  hostLeaves(mac: string): LanHost;
  /** Clients registered on the event stream now. */
  readonly eventSubscribers: number;
  /** Cuts every event stream without a close frame (a dropped link). */
  dropEventStreams(): void;
  /** Closes the listener and every socket, clears timers. */
  close(): Promise<void>;
}
