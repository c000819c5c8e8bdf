// Sessions (freebox-os-essentials §4, §5): challenge, HMAC-SHA1 password, one shared re-login on
// expiry, and clear, non-looping failures for revoked tokens, missing rights and rate limits.
import { createHmac } from "node:crypto";
import { type Logger, registerSecret } from "../logger.js";
import { FreeboxError } from "./errors.js";
import type { FreeboxHttp, Method } from "./http.js";
import { GRANT_SETTINGS_HINT, PAIR_AGAIN_HINT } from "./messages.js";
import { TOKEN_FILE_INVALID, type TokenStore } from "./token-store.js";
import type { Permissions } from "./types.js";

/** `password = hex(HMAC-SHA1(key = app_token, message = challenge))` (essentials §4). */
export function hmacPassword(appToken: string, challenge: string): string {
  return createHmac("sha1", appToken).update(challenge).digest("hex");
}

// Keys a session usually carries; a missing key means false (essentials §5).
const KNOWN_RIGHTS = ["settings", "contacts", "calls", "explorer", "downloader", "parental", "pvr"];

export function normalizePermissions(raw: unknown): Permissions {
  const out: Permissions = Object.fromEntries(KNOWN_RIGHTS.map((right) => [right, false]));
  if (typeof raw === "object" && raw !== null) {
    for (const [key, value] of Object.entries(raw)) out[key] = value === true;
  }
  return out;
}

export interface SessionOptions {
  http: FreeboxHttp;
  /** Absolute URL of an API path, through the major in use (discovery on first use). */
  urlFor: (path: string) => Promise<string>;
  appId: string;
  appVersion: string;
  /** Token from the configuration: it wins over the file. */
  configToken: string | null | undefined;
  store: TokenStore;
  logger: Logger;
  /** Backoff after a `ratelimited` login: base doubles per refusal, capped at max. */
  loginBackoff: { baseMs: number; maxMs: number };
}

const isAuthExpiry = (e: unknown) =>
  e instanceof FreeboxError && (e.code === "auth_required" || e.code === "invalid_session");

export class Session {
  readonly #o: SessionOptions;
  #appToken: string | undefined;
  #sessionToken: string | undefined;
  #permissions: Permissions = normalizePermissions(undefined);
  #login: Promise<string> | undefined;
  /** Set by `invalid_token`: every later call fails fast with it until a new pairing. */
  #fatal: FreeboxError | undefined;
  #rateLimitLevel = 0;
  #rateLimitedUntil = 0;

  constructor(options: SessionOptions) {
    this.#o = options;
  }

  /** The app token: configuration first, else the token file, else `pairing_required`. */
  async appToken(): Promise<string> {
    if (this.#appToken) return this.#appToken;
    const fromConfig = this.#o.configToken;
    if (fromConfig) {
      registerSecret(fromConfig);
      this.#appToken = fromConfig;
      return fromConfig;
    }
    const stored = await this.#o.store.read();
    if (stored && stored.app_id !== this.#o.appId) {
      throw new FreeboxError(
        TOKEN_FILE_INVALID,
        `the token file ${this.#o.store.path} was paired for app_id "${stored.app_id}", not FREEBOX_APP_ID "${this.#o.appId}": set FREEBOX_APP_ID to "${stored.app_id}", or ${PAIR_AGAIN_HINT}, which replaces it`,
      );
    }
    if (!stored) {
      throw new FreeboxError(
        "pairing_required",
        `no app token: set FREEBOX_APP_TOKEN or pair with \`freebox2mqtt pair\` (the token is then kept in ${this.#o.store.path})`,
      );
    }
    this.#appToken = stored.app_token;
    return stored.app_token;
  }

  /** After a successful pairing: use the new token and forget any earlier failure. */
  useAppToken(token: string): void {
    registerSecret(token);
    this.#appToken = token;
    this.#sessionToken = undefined;
    this.#fatal = undefined;
  }

  async permissions(): Promise<Permissions> {
    await this.#ensure();
    return { ...this.#permissions };
  }

  /** A live session token, opening a session when none is open (the event stream's upgrade). */
  token(): Promise<string> {
    return this.#ensure();
  }

  /** The box refused `token` (403 at the event stream's upgrade): the next use opens a new one. */
  invalidate(token: string): void {
    this.#drop(token);
  }

  /** An authenticated call: at most one shared re-login and one retry on session expiry. */
  async request(method: Method, path: string, json?: unknown): Promise<unknown> {
    const what = `${method} ${path}`;
    const url = await this.#o.urlFor(path);
    const send = (sessionToken: string) =>
      this.#o.http.call({ method, url, what, sessionToken, ...(json === undefined ? {} : { json }) });
    const first = await this.#ensure();
    try {
      return await send(first);
    } catch (error) {
      if (!isAuthExpiry(error)) throw this.#afterFailure(error, first, what);
      // The box refused the call before doing anything (403), so replaying it once is safe,
      // even for a write (essentials §4: re-login once, retry once, then report).
      this.#o.logger.debug(() => `${what}: session expired, opening a new one`);
      this.#drop(first);
      const second = await this.#ensure();
      try {
        return await send(second);
      } catch (retryError) {
        if (isAuthExpiry(retryError)) this.#drop(second);
        throw this.#afterFailure(retryError, second, what);
      }
    }
  }

  /** POST login/logout/ (essentials §4); never throws. */
  async logout(): Promise<void> {
    const token = this.#sessionToken;
    this.#sessionToken = undefined;
    if (!token) return;
    try {
      const url = await this.#o.urlFor("login/logout/");
      await this.#o.http.call({ method: "POST", url, what: "POST login/logout/", sessionToken: token });
      this.#o.logger.debug("session closed");
    } catch (error) {
      this.#o.logger.debug(() => `logout failed: ${(error as Error).message}`);
    }
  }

  #afterFailure(error: unknown, token: string, what: string): unknown {
    if (!(error instanceof FreeboxError)) return error;
    if (error.code === "insufficient_rights") {
      // Rights are fixed when a session opens (essentials §5): drop this one so that the next
      // call opens a fresh session and picks up a right granted in the meantime.
      this.#drop(token);
      const right = error.missingRight ?? "settings";
      const how =
        right === "settings"
          ? GRANT_SETTINGS_HINT
          : `grant the "${right}" right to freebox2mqtt in Freebox OS: Paramètres de la Freebox → Gestion des accès → Applications`;
      return new FreeboxError(
        "insufficient_rights",
        `${what}: freebox2mqtt lacks the "${right}" right; ${how}. The next call opens a new session to pick it up.`,
        { httpStatus: error.httpStatus, missingRight: right },
      );
    }
    if (error.code === "invalid_token") return this.#revoked(error.httpStatus);
    return error;
  }

  #revoked(httpStatus: number | undefined): FreeboxError {
    this.#sessionToken = undefined;
    this.#fatal = new FreeboxError(
      "invalid_token",
      `the box refused the app token (revoked, or paired with another box); ${PAIR_AGAIN_HINT}`,
      { httpStatus },
    );
    this.#o.logger.error(this.#fatal.message);
    return this.#fatal;
  }

  #drop(token: string): void {
    // Only the session that failed: a concurrent call may already have opened a new one.
    if (this.#sessionToken === token) this.#sessionToken = undefined;
  }

  /** The open session, or the one being opened: concurrent callers share one login. */
  #ensure(): Promise<string> {
    if (this.#fatal) return Promise.reject(this.#fatal);
    if (this.#sessionToken) return Promise.resolve(this.#sessionToken);
    if (!this.#login) {
      this.#login = this.#open().finally(() => {
        this.#login = undefined;
      });
    }
    return this.#login;
  }

  async #open(): Promise<string> {
    const appToken = await this.appToken();
    if (Date.now() < this.#rateLimitedUntil) throw this.#rateLimitError();
    try {
      const challengeAnswer = await this.#o.http.call({
        method: "GET",
        url: await this.#o.urlFor("login/"),
        what: "GET login/",
      });
      const challenge = (challengeAnswer as { challenge?: unknown } | undefined)?.challenge;
      if (typeof challenge !== "string" || challenge === "") {
        throw new FreeboxError("bad_response", "GET login/: the box sent no challenge");
      }
      registerSecret(challenge);
      const password = hmacPassword(appToken, challenge);
      registerSecret(password);
      const result = (await this.#o.http.call({
        method: "POST",
        url: await this.#o.urlFor("login/session/"),
        what: "POST login/session/",
        json: { app_id: this.#o.appId, app_version: this.#o.appVersion, password },
      })) as { session_token?: unknown; permissions?: unknown } | undefined;
      const sessionToken = result?.session_token;
      if (typeof sessionToken !== "string" || sessionToken === "") {
        throw new FreeboxError("bad_response", "POST login/session/: the box sent no session token");
      }
      registerSecret(sessionToken);
      this.#sessionToken = sessionToken;
      this.#permissions = normalizePermissions(result?.permissions);
      this.#rateLimitLevel = 0;
      this.#o.logger.info("session opened", { settings_right: this.#permissions.settings === true });
      return sessionToken;
    } catch (error) {
      if (error instanceof FreeboxError && error.code === "ratelimited") {
        // Each further attempt would prolong the ban: back off, doubling up to the cap, and
        // refuse to try again before then (no request is sent meanwhile).
        const delay = Math.min(
          this.#o.loginBackoff.baseMs * 2 ** this.#rateLimitLevel,
          this.#o.loginBackoff.maxMs,
        );
        this.#rateLimitLevel++;
        this.#rateLimitedUntil = Date.now() + delay;
        const limited = this.#rateLimitError();
        this.#o.logger.warn(limited.message);
        throw limited;
      }
      if (error instanceof FreeboxError && error.code === "invalid_token")
        throw this.#revoked(error.httpStatus);
      throw error;
    }
  }

  #rateLimitError(): FreeboxError {
    const seconds = Math.max(0, Math.ceil((this.#rateLimitedUntil - Date.now()) / 1000));
    return new FreeboxError(
      "ratelimited",
      `login: the box rate-limits logins from this address after repeated failures; next login attempt in ${seconds} s`,
      { httpStatus: 403 },
    );
  }
}
