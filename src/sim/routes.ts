// The routing table: which endpoint answers which method, from which API major, with which
// requirements (session, `settings` right). Paths are those after /api/v<major>/ (essentials §2).
import type { Logger } from "../logger.js";
import type { Auth, Session } from "./auth.js";
import type { SimState } from "./state.js";
import type { SimFaults } from "./types.js";

/** What handlers may touch besides the request. */
export interface SimCore {
  readonly state: SimState;
  readonly auth: Auth;
  readonly faults: SimFaults;
  readonly logger: Logger;
  /** Constant per box; GET login/ carries it and apps ignore it (§4). */
  readonly passwordSalt: string;
  /** Reboot now: unreachable for rebootMs, then back with every session gone. */
  reboot(): void;
}

export interface HandlerContext {
  readonly core: SimCore;
  /** Decoded path parameters, in order. */
  readonly params: readonly string[];
  readonly body: unknown;
  readonly major: number;
  readonly session: Session | null;
  readonly sessionToken: string | undefined;
  /** Runs once the answer has been written (a reboot happens after its success answer). */
  afterResponse(callback: () => void): void;
}

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface Route {
  method: Method;
  pattern: RegExp;
  /** First API major serving it: login/system v1, connection v3, DHCP v4 (the pages' paths). */
  minMajor: number;
  /** Needs a live session (every endpoint but discovery and login). */
  auth: boolean;
  /** Changes configuration: needs the `settings` right (essentials §5). */
  settings: boolean;
  /** connection/* endpoints answer `netdown` while that fault is on. */
  netdown: boolean;
  /** Another right the session must hold (`calls` for call/log/, freebox-api-extras.md). */
  right: string | undefined;
  /** The result, `undefined` for none (successful DELETE); throws SimApiError. */
  handle(ctx: HandlerContext): unknown;
}

export interface RouteOptions {
  minMajor: number;
  auth?: boolean;
  settings?: boolean;
  netdown?: boolean;
  right?: string;
}

/** "dhcp/static_lease/{id}" → a route; `{name}` is one path segment, the trailing slash optional. */
export function route(
  method: Method,
  path: string,
  options: RouteOptions,
  handle: (ctx: HandlerContext) => unknown,
): Route {
  const body = path
    .replace(/\/$/, "")
    .split(/(\{[a-z_]+\})/)
    .map((part) => (part.startsWith("{") ? "([^/]+)" : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
    .join("");
  return {
    method,
    pattern: new RegExp(`^${body}/?$`),
    minMajor: options.minMajor,
    auth: options.auth ?? true,
    settings: options.settings ?? false,
    netdown: options.netdown ?? false,
    right: options.right,
    handle,
  };
}

export type Resolution = { route: Route; params: string[] } | { notFound: true };

/** Finds the route; a known path asked with another method or below its major is still a 404. */
export function resolve(routes: readonly Route[], method: string, path: string, major: number): Resolution {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    if (major < candidate.minMajor) return { notFound: true };
    const params = match.slice(1).map((p) => safeDecode(p));
    return { route: candidate, params };
  }
  return { notFound: true };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
