// login/*: pairing (essentials §3) and sessions (§4). None needs a session but logout.
import { fail, SimApiError } from "./envelope.js";
import { type Route, route } from "./routes.js";

const V1 = { minMajor: 1, auth: false };

/** invalid_request is an authentication error here, hence 403 (essentials §1, §4). */
function invalidRequest(msg: string): never {
  throw new SimApiError("invalid_request", { status: 403, msg });
}

/** POST login/authorize/ and login/session/ refuse a body without these (string) fields. */
function requireStrings(body: unknown, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const record = body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};
  for (const key of keys) {
    const value = record[key];
    if (typeof value !== "string" || value === "") invalidRequest(`Requête invalide : ${key} manquant`);
    out[key] = value;
  }
  return out;
}

export const loginRoutes: Route[] = [
  route("GET", "login/", V1, ({ core, sessionToken }) => ({
    logged_in: core.auth.isLive(sessionToken),
    challenge: core.auth.challenge(),
    password_salt: core.passwordSalt,
    password_set: true,
  })),

  route("POST", "login/authorize/", V1, ({ core, body }) => {
    const fields = requireStrings(body, ["app_id", "app_name", "app_version", "device_name"]);
    // The user can forbid new pairing requests (allow_token_request, freebox-api-connection).
    if (!core.state.config.allow_token_request) fail("new_apps_denied");
    const appId = fields.app_id ?? "";
    const answer = core.auth.authorize(appId);
    core.logger.info("pairing requested", { appId, trackId: answer.track_id });
    return answer;
  }),

  route("GET", "login/authorize/{track_id}", V1, ({ core, params }) => {
    const raw = params[0] ?? "";
    if (!/^\d+$/.test(raw)) invalidRequest("Requête invalide : track_id invalide");
    return core.auth.trackStatus(Number(raw));
  }),

  route("POST", "login/session/", V1, ({ core, body }) => {
    const fields = requireStrings(body, ["app_id", "password"]);
    const session = core.auth.openSession(fields.app_id ?? "", fields.password ?? "");
    core.logger.debug(() => `session opened for ${session.appId}`);
    return { session_token: session.token, challenge: session.challenge, permissions: session.permissions };
  }),

  route("POST", "login/logout/", { minMajor: 1 }, ({ core, session }) => {
    if (session) core.auth.logout(session);
    return undefined;
  }),
];
