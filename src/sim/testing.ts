// Small fetch helpers to talk to the simulator the way a client does (tests, demos). Deliberately
// independent of src/freebox/: tests of the simulator must not depend on the client under test.
import { hmacPassword } from "./auth.js";

export interface Envelope<R = Record<string, unknown>> {
  success: boolean;
  result?: R;
  error_code?: string;
  msg?: string;
  missing_right?: string;
  [key: string]: unknown;
}

export interface CallResult<R> {
  status: number;
  body: Envelope<R>;
}

export interface CallOptions {
  /** API major (default 15). */
  major?: number;
  /** X-Fbx-App-Auth value. */
  session?: string;
  body?: unknown;
}

/** One API call: `path` is what follows /api/vN/, e.g. "connection/config/". */
export async function call<R = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult<R>> {
  const headers: Record<string, string> = {};
  if (options.session) headers["X-Fbx-App-Auth"] = options.session;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${baseUrl}/api/v${options.major ?? 15}/${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: (await response.json()) as Envelope<R> };
}

/** GET login/ then POST login/session/ with the HMAC password (essentials §4); the session token. */
export async function openSession(
  baseUrl: string,
  appId: string,
  appToken: string,
  major = 15,
): Promise<string> {
  const login = await call<{ challenge: string }>(baseUrl, "GET", "login/", { major });
  const challenge = login.body.result?.challenge ?? "";
  const session = await call<{ session_token: string }>(baseUrl, "POST", "login/session/", {
    major,
    body: { app_id: appId, app_version: "1.0.0", password: hmacPassword(appToken, challenge) },
  });
  const token = session.body.result?.session_token;
  if (!session.body.success || !token) {
    throw new Error(`login failed: ${session.body.error_code ?? "no session_token"}`);
  }
  return token;
}
