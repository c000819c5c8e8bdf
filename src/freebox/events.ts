// The box's event stream (freebox-api-lan-browser, "Event stream"): a WebSocket (`ws`, RFC 6455)
// on /api/v<n>/ws/event with the session header at the upgrade, the same trust store and server
// name as the HTTP calls, one registration, then notifications matched on source + "_" + event.
//
// It reconnects by itself (a drop, a box reboot, a session that expired: 403 at the upgrade gets a
// new session) with a doubling backoff. A box that answers 404 (older firmware) or refuses the
// registration has no stream: the caller is told once and keeps polling.
import WebSocket, { type ClientOptions, type RawData } from "ws";
import { isRecord } from "../json.js";
import type { Logger } from "../logger.js";
import type { TlsSettings } from "./tls.js";

/** Where and how to open the stream (FreeboxClient.eventStreamTarget). */
export interface EventStreamTarget {
  /** `ws://…/api/v<n>/ws/event` (plain http) or `wss://…` (https). */
  url: string;
  sessionToken: string;
  tls?: TlsSettings;
}

export interface EventStreamSource {
  /** The URL, a live session (opened if needed) and the HTTP calls' TLS settings. */
  eventStreamTarget(): Promise<EventStreamTarget>;
  /** The box refused this session at the upgrade: the next target opens a new one. */
  dropSession(sessionToken: string): void;
}

/** A notification: `name` is `source + "_" + event` (what openHAB and free-go match on). */
export interface BoxNotification {
  name: string;
  /** For LAN events, the whole LanHost as the box now sees it. */
  result: unknown;
}

export interface EventStreamHandlers {
  /** Registered, after the first connect and after every reconnect (events may have been missed). */
  onReady(): void;
  onNotification(notification: BoxNotification): void;
  /** The box has no stream for us (404 or a refused registration): no more attempts. */
  onUnavailable(reason: string): void;
  /** An open stream went down; a reconnect is scheduled. */
  onDown?(): void;
}

export interface EventStreamOptions {
  source: EventStreamSource;
  /** Event names to register; only ones the box supports (one unknown name fails them all). */
  events: readonly string[];
  handlers: EventStreamHandlers;
  logger: Logger;
  /** Reconnect delay: base, doubling per failed attempt up to max (default 1 s → 60 s). */
  backoff?: { baseMs: number; maxMs: number };
  /** Upgrade and registration must be done within this (default 10 s). */
  handshakeTimeoutMs?: number;
  /** stop() waits this long for the close handshake, then cuts the socket (default 2 s). */
  closeTimeoutMs?: number;
  /** Ping period; a box that answered pings and then misses one is cut (default 60 s; 0: off). */
  pingIntervalMs?: number;
  /** Largest frame accepted (default the doc's 1 MB). */
  maxFrameBytes?: number;
}

const MAX_FRAME_BYTES = 1024 * 1024;
const NORMAL_CLOSURE = 1000;

type Outcome =
  | { kind: "refused"; status: number; sessionToken: string }
  | { kind: "unavailable"; reason: string };

export class EventStream {
  readonly #o: EventStreamOptions;
  #socket: WebSocket | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #started = false;
  #stopped = false;
  #failures = 0;
  #ready = false;
  /** Set when the stream was up and went down: the next success is logged as a return. */
  #lost = false;
  #closed: Promise<void> = Promise.resolve();

  constructor(options: EventStreamOptions) {
    this.#o = options;
  }

  /** Registered and receiving notifications. */
  get ready(): boolean {
    return this.#ready;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#connect();
  }

  /** Closes the stream (close frame, then a cut after closeTimeoutMs); no reconnect after it. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    if (socket === undefined) return;
    const closed = this.#closed;
    if (socket.readyState === WebSocket.OPEN) {
      socket.close(NORMAL_CLOSURE);
      const cut = setTimeout(() => socket.terminate(), this.#o.closeTimeoutMs ?? 2000);
      await closed;
      clearTimeout(cut);
    } else {
      socket.terminate();
      await closed;
    }
  }

  async #connect(): Promise<void> {
    let target: EventStreamTarget;
    try {
      target = await this.#o.source.eventStreamTarget();
    } catch (error) {
      this.#retry(`no session for the event stream: ${(error as Error).message}`);
      return;
    }
    if (this.#stopped) return;
    const { logger } = this.#o;
    const options: ClientOptions & { servername?: string } = {
      headers: { "X-Fbx-App-Auth": target.sessionToken },
      handshakeTimeout: this.#o.handshakeTimeoutMs ?? 10_000,
      maxPayload: this.#o.maxFrameBytes ?? MAX_FRAME_BYTES,
      perMessageDeflate: false,
      followRedirects: false,
      ...(target.tls ? { ca: target.tls.ca } : {}),
      ...(target.tls?.servername ? { servername: target.tls.servername } : {}),
    };
    const socket = new WebSocket(target.url, options);
    this.#socket = socket;
    let outcome: Outcome | undefined;
    let lastError: Error | undefined;
    let pongSeen = false;
    let pongSinceLastPing = true;
    let pinger: NodeJS.Timeout | undefined;
    // The box must answer the registration in time too, or the connection is cut and retried.
    const registrationTimer = setTimeout(
      () => socket.terminate(),
      (this.#o.handshakeTimeoutMs ?? 10_000) * 2,
    );
    this.#closed = new Promise((resolve) => {
      socket.once("close", (code: number, reasonBytes: Buffer) => {
        const reason = reasonBytes.toString() || lastError?.message || "";
        clearTimeout(registrationTimer);
        clearInterval(pinger);
        if (this.#socket === socket) this.#socket = undefined;
        const wasReady = this.#ready;
        this.#ready = false;
        resolve();
        if (this.#stopped) return;
        if (outcome?.kind === "unavailable") {
          // Said once: there is no further attempt to report.
          logger.info(`${outcome.reason}: LAN hosts are polled only`);
          this.#o.handlers.onUnavailable(outcome.reason);
          return;
        }
        if (wasReady) {
          this.#lost = true;
          logger.info(`event stream closed (${describeClose(code, reason)}); reconnecting`);
          this.#o.handlers.onDown?.();
        }
        if (outcome?.kind === "refused" && outcome.status === 403) {
          // A missing or expired session is refused at the upgrade (the page): a new one next time.
          this.#o.source.dropSession(outcome.sessionToken);
          this.#retry("the box refused the session at the upgrade (403)");
          return;
        }
        this.#retry(
          outcome?.kind === "refused"
            ? `the box answered HTTP ${outcome.status}`
            : describeClose(code, reason),
        );
      });
    });
    socket.on("error", (error: Error) => {
      lastError = error;
    });
    socket.once("unexpected-response", (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      outcome =
        status === 404
          ? { kind: "unavailable", reason: "the box has no event stream (HTTP 404: older firmware)" }
          : { kind: "refused", status, sessionToken: target.sessionToken };
      socket.terminate();
    });
    socket.once("open", () => {
      socket.send(JSON.stringify({ action: "register", events: this.#o.events }));
      const period = this.#o.pingIntervalMs ?? 60_000;
      if (period > 0) {
        pinger = setInterval(() => {
          // Boxes that never answered a ping are not judged by pongs (RFC 6455 §5.5.2 asks them to).
          if (pongSeen && !pongSinceLastPing) {
            logger.debug("event stream: no pong since the last ping, reconnecting");
            socket.terminate();
            return;
          }
          pongSinceLastPing = false;
          socket.ping();
        }, period);
        pinger.unref();
      }
    });
    socket.on("pong", () => {
      pongSeen = true;
      pongSinceLastPing = true;
    });
    socket.on("message", (data: RawData) => {
      const message = parse(data);
      if (message === undefined) {
        logger.debug("event stream: a message that is not a JSON object, ignored");
        return;
      }
      if (message.action === "register") {
        clearTimeout(registrationTimer);
        if (message.success === true) this.#registered();
        else {
          const why = typeof message.msg === "string" ? message.msg : String(message.error_code);
          outcome = { kind: "unavailable", reason: `the box refused the event registration (${why})` };
          socket.close(NORMAL_CLOSURE);
        }
        return;
      }
      if (message.action === "notification" && message.success === true) this.#notify(message);
    });
  }

  #registered(): void {
    this.#failures = 0;
    this.#ready = true;
    if (this.#lost) this.#o.logger.info("event stream back");
    else this.#o.logger.debug("event stream registered");
    this.#lost = false;
    this.#o.handlers.onReady();
  }

  #notify(message: Record<string, unknown>): void {
    const name = `${String(message.source)}_${String(message.event)}`;
    if (!this.#o.events.includes(name)) return;
    try {
      this.#o.handlers.onNotification({ name, result: message.result });
    } catch (error) {
      this.#o.logger.warn(`event ${name} could not be applied: ${(error as Error).message}`);
    }
  }

  #retry(why: string): void {
    if (this.#stopped) return;
    const { baseMs, maxMs } = this.#o.backoff ?? { baseMs: 1000, maxMs: 60_000 };
    const delay = Math.min(baseMs * 2 ** Math.min(this.#failures, 30), maxMs);
    // The first failure in a row is worth a line; the ones after it only at debug level.
    const when = delay < 1000 ? `${delay} ms` : `${Math.round(delay / 100) / 10} s`;
    const line = `event stream: ${why}; next attempt in ${when}`;
    if (this.#failures === 0 && !this.#lost) this.#o.logger.info(line);
    else this.#o.logger.debug(line);
    this.#failures++;
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }
}

function parse(data: RawData): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(data.toString());
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** "close code 1009: Max payload size exceeded": ws's own error text when the box gave none. */
function describeClose(code: number, reason: string): string {
  return `close code ${code}${reason ? `: ${reason}` : ""}`;
}
