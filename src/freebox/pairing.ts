// Pairing (freebox-os-essentials §3): ask for a token, then poll its status until the user
// answered on the box. The poll is mandatory: a token whose request was not followed to the end
// stays invalid even if the user accepted.
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { type Logger, registerSecret } from "../logger.js";
import { FreeboxError } from "./errors.js";
import type { FreeboxHttp } from "./http.js";
import type { TokenStore } from "./token-store.js";
import type { AuthorizeRequest } from "./types.js";

export const APP_NAME = "freebox2mqtt";

export interface PairingProgress {
  status: string;
  secondsLeft?: number;
  message: string;
}

export interface PairingOptions {
  http: FreeboxHttp;
  urlFor: (path: string) => Promise<string>;
  appId: string;
  appVersion: string;
  store: TokenStore;
  logger: Logger;
  /** Interval between two status polls (about a second on a real box; small in tests). */
  pollMs: number;
  /**
   * How long we wait for an answer. The box ends its own prompt with `timeout` after a while it
   * does not tell; this bound only protects against a box that stays `pending` for ever, and the
   * time left shown to the user counts down to it.
   */
  timeoutMs: number;
}

const OUTCOMES: Record<string, { code: string; message: string }> = {
  denied: { code: "pairing_denied", message: "the request was refused on the box" },
  timeout: {
    code: "pairing_timeout",
    message: "nobody answered on the box in time; run the pairing again and press the right arrow",
  },
  unknown: {
    code: "pairing_unknown",
    message: "the box no longer knows this request (token invalid or revoked); run the pairing again",
  },
};

/** Runs one pairing; on `granted` the token is saved and returned. */
export async function pairApp(
  o: PairingOptions,
  onProgress: (p: PairingProgress) => void = () => undefined,
): Promise<string> {
  // The callback sees every poll; the log keeps a line every 10 s while waiting, and the grant.
  // A failure is not logged here: it is thrown, and the caller says it (once).
  let lastLogged = 0;
  const report = (p: PairingProgress) => {
    const failed = p.status !== "pending" && p.status !== "granted";
    if (!failed && (p.status !== "pending" || Date.now() - lastLogged >= 10_000)) {
      o.logger.info(p.message);
      lastLogged = Date.now();
    }
    onProgress(p);
  };
  const request: AuthorizeRequest = {
    app_id: o.appId,
    app_name: APP_NAME,
    app_version: o.appVersion,
    device_name: hostname(),
  };
  // No retry: a replayed POST would open a second prompt on the box.
  const answer = (await o.http.call({
    method: "POST",
    url: await o.urlFor("login/authorize/"),
    what: "POST login/authorize/",
    json: request,
  })) as { app_token?: unknown; track_id?: unknown } | undefined;
  const appToken = answer?.app_token;
  const trackId = answer?.track_id;
  if (typeof appToken !== "string" || appToken === "" || typeof trackId !== "number") {
    throw new FreeboxError("bad_response", "POST login/authorize/: the box sent no app_token or track_id");
  }
  registerSecret(appToken);

  const deadline = Date.now() + o.timeoutMs;
  const statusUrl = await o.urlFor(`login/authorize/${trackId}`);
  for (;;) {
    const result = (await o.http.call({
      method: "GET",
      url: statusUrl,
      what: `GET login/authorize/${trackId}`,
    })) as { status?: unknown } | undefined;
    const status = typeof result?.status === "string" ? result.status : "unknown";
    if (status === "granted") {
      await o.store.write({ app_id: o.appId, app_token: appToken });
      report({
        status,
        message: `pairing granted; the app token is saved in ${o.store.path}. To let freebox2mqtt change settings, also grant "Modification des réglages" in Freebox OS (Paramètres de la Freebox → Gestion des accès → Applications → freebox2mqtt)`,
      });
      return appToken;
    }
    if (status !== "pending") {
      const outcome = OUTCOMES[status] ?? OUTCOMES.unknown;
      const code = outcome?.code ?? "pairing_unknown";
      report({ status, message: `pairing failed: ${outcome?.message ?? status}` });
      throw new FreeboxError(code, `pairing failed: ${outcome?.message ?? status}`);
    }
    const secondsLeft = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    if (secondsLeft <= 0) {
      report({ status: "timeout", secondsLeft: 0, message: `pairing failed: ${OUTCOMES.timeout?.message}` });
      throw new FreeboxError("pairing_timeout", `pairing failed: ${OUTCOMES.timeout?.message}`);
    }
    report({
      status,
      secondsLeft,
      message: `press the right arrow (►) on the Freebox front display to allow "${APP_NAME}" (${secondsLeft} s left)`,
    });
    await sleep(o.pollMs);
  }
}
