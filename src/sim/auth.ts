// Apps, pairing, challenges and sessions, after freebox-os-essentials §3 (pairing), §4 (session)
// and §5 (permissions).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { fail } from "./envelope.js";
import type { PairingOutcome } from "./types.js";

/** Rights of a newly paired app: everything but `settings` (§5), with keys a client does not know. */
const DEFAULT_RIGHTS: Readonly<Record<string, boolean>> = {
  settings: false,
  contacts: true,
  calls: true,
  explorer: true,
  downloader: true,
  parental: false,
  pvr: true,
  player: true,
  tv: true,
  camera: false,
  home: false,
  profile: false,
  vm: false,
  wdo: false,
};

const MAX_APPS = 256;
const MAX_SESSIONS = 1000;
const CHALLENGE_RING = 8;
/** A challenge older than this is replaced on the next GET login/ ("challenges rotate", §4). */
const CHALLENGE_REFRESH_MS = 60_000;
/** A password made from a challenge older than this is refused. */
const CHALLENGE_MAX_AGE_MS = 5 * 60_000;
/** An ended session keeps answering auth_required (rather than invalid_session) this long. */
const ENDED_SESSION_MEMORY_MS = 10 * 60_000;

interface App {
  appId: string;
  token: string;
  trackId: number;
  outcome: PairingOutcome;
  decideAt: number;
  /** The track was polled until `granted`: only then is the token usable (§3). */
  polledFinal: boolean;
  rights: Record<string, boolean>;
}

export interface Session {
  token: string;
  appId: string;
  permissions: Record<string, boolean>;
  expiresAt: number;
  /** Logged out, revoked or expired by a test; null while open (time expiry uses expiresAt). */
  endedAt: number | null;
}

export interface AuthOptions {
  outcome: PairingOutcome;
  delayMs: number;
  sessionTtlMs: number;
  grantSettings: boolean;
}

export function hmacPassword(appToken: string, challenge: string): string {
  return createHmac("sha1", appToken).update(challenge).digest("hex");
}

const secret = (bytes: number): string => randomBytes(bytes).toString("base64");

export class Auth {
  private readonly apps = new Map<string, App>();
  private readonly tracks = new Map<number, string>();
  private readonly sessions = new Map<string, Session>();
  private challenges: Array<{ value: string; at: number }> = [];
  private nextTrackId = 1;

  constructor(private readonly options: AuthOptions) {}

  /** POST login/authorize/: a pending request; its outcome applies after `delayMs`. */
  authorize(appId: string): { app_token: string; track_id: number } {
    const trackId = this.nextTrackId++;
    const app: App = {
      appId,
      token: secret(48),
      trackId,
      outcome: this.options.outcome,
      decideAt: Date.now() + this.options.delayMs,
      polledFinal: false,
      rights: { ...DEFAULT_RIGHTS, settings: this.options.grantSettings },
    };
    this.apps.delete(appId);
    this.apps.set(appId, app);
    this.tracks.set(trackId, appId);
    this.pruneApps();
    return { app_token: app.token, track_id: trackId };
  }

  /** GET login/authorize/{track_id}. `unknown` for a track that is not (or no longer) current. */
  trackStatus(trackId: number): { status: string; challenge: string } {
    const appId = this.tracks.get(trackId);
    const app = appId === undefined ? undefined : this.apps.get(appId);
    let status = "unknown";
    if (app && app.trackId === trackId) {
      status = this.statusOf(app);
      if (status === "granted") app.polledFinal = true;
    }
    return { status, challenge: this.challenge() };
  }

  /** The newest challenge, replaced when too old. */
  challenge(): string {
    const newest = this.challenges.at(-1);
    if (newest && Date.now() - newest.at < CHALLENGE_REFRESH_MS) return newest.value;
    return this.rotate();
  }

  /** POST login/session/: password = hex HMAC-SHA1(app_token, challenge) (§4). */
  openSession(appId: string, password: string): Session & { challenge: string } {
    const app = this.apps.get(appId);
    if (!app) this.authFail("invalid_token");
    const status = this.statusOf(app);
    if (status === "pending") this.authFail("pending_token");
    // Denied, timed out, or granted but never polled to the end: the token stays invalid (§3).
    if (status !== "granted" || !app.polledFinal) this.authFail("invalid_token");
    // Any recent challenge is accepted, not only the newest: two clients that read the same
    // challenge and log in at once must both succeed, as they do on a real box.
    const oldest = Date.now() - CHALLENGE_MAX_AGE_MS;
    const known = this.challenges.some(
      (c) => c.at >= oldest && safeEqual(hmacPassword(app.token, c.value), password),
    );
    if (!known) this.authFail("invalid_token");
    this.pruneSessions();
    const session: Session = {
      token: secret(48),
      appId,
      permissions: { ...app.rights },
      expiresAt: Date.now() + this.options.sessionTtlMs,
      endedAt: null,
    };
    this.sessions.set(session.token, session);
    return { ...session, challenge: this.rotate() };
  }

  /** The live session of an X-Fbx-App-Auth header, or the 403 a real box gives (§4). */
  check(token: string | undefined, expireEveryCall: boolean): Session {
    if (!token) fail("auth_required");
    const session = this.sessions.get(token);
    if (!session) fail("invalid_session");
    if (!isOpen(session) || expireEveryCall) {
      end(session);
      fail("auth_required");
    }
    return session;
  }

  /** Whether a token is a live session, without side effects (request log). */
  isLive(token: string | undefined): boolean {
    const session = token ? this.sessions.get(token) : undefined;
    return session !== undefined && isOpen(session);
  }

  logout(session: Session): void {
    end(session);
  }

  pairApp(appId: string, settings: boolean, token: string): void {
    const trackId = this.nextTrackId++;
    this.apps.delete(appId);
    this.apps.set(appId, {
      appId,
      token,
      trackId,
      outcome: "granted",
      decideAt: 0,
      polledFinal: true,
      rights: { ...DEFAULT_RIGHTS, settings },
    });
    this.tracks.set(trackId, appId);
  }

  setPermission(appId: string, right: string, granted: boolean): void {
    const app = this.apps.get(appId);
    if (!app) throw new Error(`setPermission: unknown app "${appId}"`);
    app.rights[right] = granted;
  }

  /** Revoked in Freebox OS: the token answers invalid_token and its sessions end. */
  revokeApp(appId: string): void {
    this.apps.delete(appId);
    for (const session of this.sessions.values()) if (session.appId === appId) end(session);
  }

  expireSessions(): void {
    for (const session of this.sessions.values()) end(session);
  }

  /** A reboot forgets every session and challenge. */
  forgetSessions(): void {
    this.sessions.clear();
    this.challenges = [];
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  private statusOf(app: App): string {
    return Date.now() < app.decideAt ? "pending" : app.outcome;
  }

  private rotate(): string {
    const value = secret(24);
    this.challenges.push({ value, at: Date.now() });
    if (this.challenges.length > CHALLENGE_RING) this.challenges.shift();
    return value;
  }

  /** Login errors carry a fresh challenge in `result` (essentials §1). */
  private authFail(code: string): never {
    fail(code, { result: { challenge: this.rotate() } });
  }

  /** Bounded memory: sessions ended long ago go first, then the oldest (a box caps its sessions). */
  private pruneSessions(): void {
    const horizon = Date.now() - ENDED_SESSION_MEMORY_MS;
    for (const [token, s] of this.sessions) {
      if (Math.min(s.endedAt ?? s.expiresAt, s.expiresAt) < horizon) this.sessions.delete(token);
    }
    for (const token of this.sessions.keys()) {
      if (this.sessions.size < MAX_SESSIONS) break;
      this.sessions.delete(token);
    }
  }

  private pruneApps(): void {
    for (const [appId, app] of this.apps) {
      if (this.apps.size <= MAX_APPS) break;
      if (!app.polledFinal) {
        this.apps.delete(appId);
        this.tracks.delete(app.trackId);
      }
    }
    for (const [trackId, appId] of this.tracks) {
      if (this.apps.get(appId)?.trackId !== trackId) this.tracks.delete(trackId);
    }
  }
}

function isOpen(session: Session): boolean {
  return session.endedAt === null && Date.now() < session.expiresAt;
}

function end(session: Session): void {
  session.endedAt ??= Date.now();
}

function safeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}
