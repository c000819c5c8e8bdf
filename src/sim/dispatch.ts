// From a parsed request to the box's answer: discovery, version routing, session and rights checks,
// then the endpoint (essentials §1, §2, §4, §5). No sockets here; server.ts owns the wire.

import {
  errorReply,
  fail,
  notFoundReply,
  okReply,
  type Reply,
  rawJsonReply,
  SimApiError,
} from "./envelope.js";
import { connectionRoutes } from "./handlers-connection.js";
import { dhcpRoutes } from "./handlers-dhcp.js";
import { homeRoutes } from "./handlers-home.js";
import { lanRoutes } from "./handlers-lan.js";
import { loginRoutes } from "./handlers-login.js";
import { systemRoutes } from "./handlers-system.js";
import { type HandlerContext, type Route, resolve, type SimCore } from "./routes.js";

const ROUTES: readonly Route[] = [
  ...loginRoutes,
  ...systemRoutes,
  ...connectionRoutes,
  ...dhcpRoutes,
  ...lanRoutes,
  ...homeRoutes,
];

export interface ParsedRequest {
  method: string;
  /** URL path without the query. */
  fullPath: string;
  /** Path after /api/vN/ for API calls, else the full path. */
  path: string;
  major: number | null;
  body: unknown;
  /** The body was present but not JSON. */
  bodyInvalid: boolean;
  sessionToken: string | undefined;
}

const API_PATH = /^\/api\/v(\d+)\/(.*)$/;

/** Splits "/api/v8/connection/" into major 8 and "connection/". */
export function parsePath(fullPath: string): { major: number | null; path: string } {
  const match = API_PATH.exec(fullPath);
  if (!match) return { major: null, path: fullPath };
  return { major: Number(match[1]), path: match[2] ?? "" };
}

export function isApiVersionPath(fullPath: string): boolean {
  return fullPath === "/api_version" || fullPath === "/api_version/";
}

/** GET /api_version: no authentication, no envelope (essentials §2). */
function apiVersionView(core: SimCore): Record<string, unknown> {
  const box = core.state.box;
  const fibre = core.state.system.board_name === "fbxgw7r";
  return {
    ...box,
    api_base_url: "/api/",
    // Deprecated and wrong on some models (§2); sent anyway.
    device_type: fibre ? "FreeboxServer7,1" : "FreeboxServer1,2",
  };
}

/** The advertised major: the whole integer part of api_version ("15.0" → 15, §2). */
export function advertisedMajor(core: SimCore): number {
  return Number.parseInt(core.state.box.api_version, 10);
}

export function dispatch(
  core: SimCore,
  request: ParsedRequest,
  afterResponse: (cb: () => void) => void,
): Reply {
  if (isApiVersionPath(request.fullPath)) {
    return request.method === "GET" ? rawJsonReply(apiVersionView(core)) : notFoundReply(false);
  }
  const { major, path } = request;
  if (major === null || major < 1) return notFoundReply(false);
  if (major > advertisedMajor(core)) return notFoundReply(true);
  const found = resolve(ROUTES, request.method, path, major);
  if ("notFound" in found) return notFoundReply(false);
  const { route, params } = found;
  try {
    const session = route.auth ? core.auth.check(request.sessionToken, core.faults.expireEveryCall) : null;
    // Rights are those fixed when the session opened (§5).
    if (route.settings && session?.permissions.settings !== true) {
      fail("insufficient_rights", { missing_right: "settings" });
    }
    if (route.right !== undefined && session?.permissions[route.right] !== true) {
      fail("insufficient_rights", { missing_right: route.right });
    }
    const refuse = core.faults.refuseRight;
    if (refuse && route.auth) {
      refuse.match.lastIndex = 0;
      if (refuse.match.test(path)) fail("insufficient_rights", { missing_right: refuse.right });
    }
    if (route.netdown && core.faults.netdown) fail("netdown");
    if (request.bodyInvalid) {
      throw new SimApiError("invalid_request", { msg: "Requête invalide : corps JSON incorrect" });
    }
    const context: HandlerContext = {
      core,
      params,
      body: request.body,
      major,
      session,
      sessionToken: request.sessionToken,
      afterResponse,
    };
    return okReply(route.handle(context));
  } catch (error) {
    if (error instanceof SimApiError) {
      // Authentication errors carry the box's uid (essentials §1).
      if (error.status === 403) error.extra.uid ??= core.state.box.uid;
      return errorReply(error);
    }
    core.logger.error("simulator handler failed", { path, error });
    return errorReply(new SimApiError("internal_error", { status: 500, msg: "Erreur interne" }));
  }
}
