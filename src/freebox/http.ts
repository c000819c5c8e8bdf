// HTTP layer: one ky instance over undici (transport.ts), the Freebox OS envelope, and the mapping
// of every failure to a FreeboxError (freebox-os-essentials §1). Authentication lives in auth.ts.
//
// ky does timeouts, GET retries and backoff; undici's Agent gives it keep-alive, the trust store
// and the expected server name (tls.ts). transport.ts reads each answer whole inside ky's timeout.

import ky, { HTTPError, type KyInstance, TimeoutError } from "ky";
import { type Agent, errors } from "undici";
import { isRecord } from "../json.js";
import type { Logger } from "../logger.js";
import { CallGate, isStoppedError } from "./call-gate.js";
import { FreeboxError } from "./errors.js";
import { describeBoxError } from "./messages.js";
import { tlsSettingsFor } from "./tls.js";
import { boxAgent, fetchVia, OversizedAnswerError } from "./transport.js";

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface RetryOptions {
  /** Extra attempts after the first one (GET only). */
  limit: number;
  /** First backoff delay; doubles each attempt. */
  baseMs: number;
}

export interface HttpOptions {
  /** The box URL as configured (scheme, host, port). */
  url: URL;
  timeoutMs: number;
  retry: RetryOptions;
  logger: Logger;
  extraCa: readonly string[];
  /** Largest answer read (default transport.ts MAX_ANSWER_BYTES). */
  maxAnswerBytes?: number;
}

export interface CallOptions {
  method: Method;
  /** Absolute URL of the call. */
  url: string;
  /** Short description for messages, e.g. "PUT connection/config/". */
  what: string;
  json?: unknown;
  sessionToken?: string | undefined;
}

// Certificate failures are not transient: retrying them only delays the error.
const TLS_CODES =
  /^(CERT_|ERR_TLS_CERT|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_SSL_)/;

/** An answer read whole: what the envelope parser needs. */
interface Answer {
  status: number;
  text: string;
}

// Sent even after stopSending(): it closes the session on the box.
const isLogout = (request: Request) => request.method === "POST" && request.url.endsWith("/login/logout/");

/** One call on the wire at a time, through the gate (call-gate.ts: what a stop may drop unsent). */
function gated(inner: typeof fetch, gate: CallGate): typeof fetch {
  return (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    return gate.run(() => inner(request), request.signal, isLogout(request));
  };
}

/** The innermost `cause` of a failure (fetch implementations wrap the socket error in a TypeError). */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let i = 0; i < 5 && current instanceof Error && current.cause !== undefined; i++) {
    current = current.cause;
  }
  return current;
}

function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

const isTlsFailure = (error: unknown) => TLS_CODES.test(errorCodeOf(rootCause(error)) ?? "");
const isOversized = (error: unknown) => rootCause(error) instanceof OversizedAnswerError;

/** Parses `{success, result}` / `{success: false, error_code, msg}`; anything else is refused. */
export function parseEnvelope(status: number, text: string, what: string): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!isRecord(body) || typeof body.success !== "boolean") {
    if (status >= 400) {
      throw new FreeboxError(
        "http_error",
        `${what}: the box answered HTTP ${status} without a Freebox OS answer`,
        {
          httpStatus: status,
        },
      );
    }
    throw new FreeboxError(
      "bad_response",
      `${what}: the box sent an answer that is not a valid Freebox OS JSON envelope (HTTP ${status})`,
      { httpStatus: status },
    );
  }
  if (body.success) return body.result;
  const code =
    typeof body.error_code === "string" && body.error_code !== "" ? body.error_code : "bad_response";
  const boxMsg = typeof body.msg === "string" ? body.msg : undefined;
  const missingRight = typeof body.missing_right === "string" ? body.missing_right : undefined;
  throw new FreeboxError(code, describeBoxError(what, code, boxMsg), { httpStatus: status, missingRight });
}

export class FreeboxHttp {
  readonly #options: HttpOptions;
  readonly #gate = new CallGate();
  #agent: Agent | undefined;
  #ky: KyInstance | undefined;

  constructor(options: HttpOptions) {
    this.#options = options;
  }

  get #client(): KyInstance {
    if (this.#ky) return this.#ky;
    const { url, timeoutMs, retry, logger, extraCa, maxAnswerBytes } = this.#options;
    this.#agent = boxAgent(tlsSettingsFor(url, extraCa));
    this.#ky = ky.create({
      fetch: gated(fetchVia(this.#agent, maxAnswerBytes), this.#gate),
      timeout: timeoutMs,
      // 5xx become HTTPError so that ky's retry sees them; 4xx carry the box's envelope.
      throwHttpErrors: (status) => status >= 500,
      retry: {
        // Only idempotent reads are replayed: a write that failed in transit may have been applied.
        limit: retry.limit,
        methods: ["get"],
        statusCodes: [500, 502, 503, 504],
        afterStatusCodes: [],
        delay: (attempt) => retry.baseMs * 2 ** (attempt - 1),
        backoffLimit: retry.baseMs * 8,
        // A box that did not answer within timeoutMs is reported at once rather than after
        // several more timeouts; the scheduler polls again anyway.
        retryOnTimeout: false,
        // Neither a certificate nor an oversized answer gets better by asking again.
        shouldRetry: ({ error }) =>
          isTlsFailure(error) || isStoppedError(error) || isOversized(error) ? false : undefined,
      },
      hooks: {
        beforeRetry: [
          ({ request, error, retryCount }) => {
            logger.debug(() => `retry ${retryCount} of ${request.method} ${new URL(request.url).pathname}`, {
              reason: error instanceof HTTPError ? `HTTP ${error.response.status}` : describeTransport(error),
            });
          },
        ],
      },
    });
    return this.#ky;
  }

  /** One call that answers a Freebox OS envelope; returns `result` (may be undefined). */
  async call(options: CallOptions): Promise<unknown> {
    const started = Date.now();
    const headers: Record<string, string> = {};
    if (options.sessionToken) headers["X-Fbx-App-Auth"] = options.sessionToken;
    const answer = await this.#send(options.what, () =>
      this.#client(options.url, {
        method: options.method,
        headers,
        ...(options.json === undefined ? {} : { json: options.json }),
      }),
    );
    this.#options.logger.debug(() => `${options.what} → HTTP ${answer.status} in ${Date.now() - started} ms`);
    return parseEnvelope(answer.status, answer.text, options.what);
  }

  /** A GET whose answer is plain JSON (`/api_version` has no envelope, essentials §2). */
  async getPlain(url: string, what: string): Promise<unknown> {
    const { status, text } = await this.#send(what, () => this.#client(url, { method: "GET" }));
    if (status >= 400) {
      throw new FreeboxError("http_error", `${what}: the box answered HTTP ${status}`, {
        httpStatus: status,
      });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new FreeboxError("bad_response", `${what}: the box's answer is not JSON (HTTP ${status})`, {
        httpStatus: status,
      });
    }
  }

  async #send(what: string, run: () => Promise<Response>): Promise<Answer> {
    try {
      const response = await run();
      // Already read whole by transport.ts, within the timeout: this only decodes it.
      return { status: response.status, text: await response.text() };
    } catch (error) {
      if (error instanceof HTTPError) {
        // 5xx after the retries: the box's envelope if it sent one, else http_error.
        const text = await error.response.text().catch(() => "");
        parseEnvelope(error.response.status, text, what);
        throw new FreeboxError("http_error", `${what}: the box answered HTTP ${error.response.status}`, {
          httpStatus: error.response.status,
        });
      }
      throw this.#transportError(error, what);
    }
  }

  #transportError(error: unknown, what: string): FreeboxError {
    if (isStoppedError(error)) return new FreeboxError("stopping", `${what}: ${(error as Error).message}`);
    if (error instanceof FreeboxError) return error;
    if (error instanceof TimeoutError) {
      return new FreeboxError(
        "timeout",
        `${what}: no answer from the box within ${this.#options.timeoutMs} ms (${this.#options.url.origin})`,
      );
    }
    const cause = rootCause(error);
    if (cause instanceof OversizedAnswerError) {
      return new FreeboxError("bad_response", `${what}: the box's answer was refused: ${cause.message}`, {
        cause,
      });
    }
    if (cause instanceof errors.HTTPParserError) {
      // The box answered, but not in HTTP (undici's parser, llhttp): like an answer that is not a
      // Freebox OS envelope. No cause: undici's parser error carries the bytes it refused.
      return new FreeboxError(
        "bad_response",
        `${what}: the box's answer is not valid HTTP (${cause.message})`,
      );
    }
    if (isTlsFailure(error)) {
      return new FreeboxError(
        "unreachable",
        `${what}: the certificate of ${this.#options.url.origin} could not be verified (${describeTransport(error)}); on the LAN use https://mafreebox.freebox.fr`,
        { cause },
      );
    }
    return new FreeboxError(
      "unreachable",
      `${what}: cannot reach the box at ${this.#options.url.origin} (${describeTransport(error)})`,
      { cause },
    );
  }

  /**
   * Shutdown: the call on the wire finishes; calls waiting for the connection, and any later one,
   * fail with `stopping` without reaching the box. Only the logout is still sent.
   */
  stopSending(): void {
    this.#gate.stop();
  }

  /**
   * Closes the keep-alive connection at once (undici's `destroy`): a call still running fails as
   * unreachable. A later call opens a new Agent.
   */
  async close(): Promise<void> {
    const agent = this.#agent;
    this.#agent = undefined;
    this.#ky = undefined;
    await agent?.destroy();
  }
}

/** "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:80", "ECONNRESET: socket hang up", … without any request data. */
export function describeTransport(error: unknown): string {
  const cause = rootCause(error);
  const code = errorCodeOf(cause);
  const message = cause instanceof Error ? cause.message : String(cause);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
