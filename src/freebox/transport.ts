// The box's HTTP transport: undici's Agent (its `dispatch()`), wrapped as the `fetch` ky is handed
// (http.ts). undici parses HTTP (llhttp), keeps the connection alive between calls and takes the
// trust store and expected server name per connection (tls.ts), which Node's global fetch cannot be
// given. Nothing here reads HTTP itself.
//
// The answer is read whole before the returned promise settles, so that ky's timeout, which only
// runs until `fetch` resolves, covers the body as well as the head: a box that sends its headers and
// then stalls is a timeout, not a call that hangs. Reading it here is also where its size is capped.
import { Agent, type Dispatcher } from "undici";
import type { TlsSettings } from "./tls.js";

/**
 * An idle connection is closed after this, or sooner when the box's `Keep-Alive: timeout=N` says
 * so (undici honours the hint, less one second). Polls come every few seconds: one connection
 * serves them all.
 */
const IDLE_MS = 30_000;

/** The largest answer read: a box with thousands of devices sends a few MB (its LAN lists). */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/** An answer larger than MAX_ANSWER_BYTES: refused, not read further. */
export class OversizedAnswerError extends Error {
  readonly code = "ERR_ANSWER_TOO_LARGE";
  constructor(readonly limit: number) {
    super(`the answer is larger than ${limit} bytes`);
  }
}

/**
 * The Agent for one box URL: one connection (call-gate.ts sends one call at a time anyway), kept
 * alive, verified against `tls` for https (the check itself is never disabled).
 */
export function boxAgent(tls: TlsSettings | undefined): Agent {
  return new Agent({
    connections: 1,
    keepAliveTimeout: IDLE_MS,
    keepAliveMaxTimeout: IDLE_MS,
    ...(tls
      ? {
          connect: {
            ca: tls.ca,
            rejectUnauthorized: true,
            ...(tls.servername ? { servername: tls.servername } : {}),
          },
        }
      : {}),
  });
}

// Statuses whose Response may not have a body (Fetch standard, "null body status").
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** The parts of a Request undici's `dispatch` takes. */
type Outgoing = Pick<Dispatcher.DispatchOptions, "origin" | "path" | "method" | "headers" | "body">;

/** An answer read whole. */
interface Answer {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

/**
 * A `fetch` for ky: sends ky's Request through `agent` with undici's `dispatch()` and answers a
 * Response whose body was read whole (at most `maxBytes`). `dispatch()` is the API undici's own
 * `request()` and `fetch` are built on: the same HTTP client, connection pool and parser, without
 * the Request, WHATWG stream and Response `fetch` adds per call, nor the Node stream `request()`
 * adds (each of those layers cost a measurable share of a poll: docs/performance.md). undici may
 * change its handler interface at a major version only (its docs say so): package.json keeps it at
 * 7.x, and the box-connection tests cover every path here. It follows no redirect: the box does
 * not redirect its API, and following one could carry the session header elsewhere.
 */
export function fetchVia(agent: Agent, maxBytes = MAX_ANSWER_BYTES): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const { origin, path } = splitUrl(request.url);
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const answer = await readWhole(
      agent,
      {
        origin,
        path,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        // A buffer, not a stream: undici then sends a Content-Length rather than chunks.
        body: hasBody ? Buffer.from(await request.arrayBuffer()) : null,
      },
      request.signal,
      maxBytes,
    );
    return new Response(NULL_BODY.has(answer.status) ? null : answer.body, {
      status: answer.status,
      headers: answer.headers,
    });
  };
}

/**
 * Sends `outgoing` and collects its answer: settles once the answer has ended (or failed), so the
 * whole body arrives within ky's timeout. `signal` (ky's, through its Request) aborts the call;
 * an answer over `maxBytes`, declared or counted while it arrives, is aborted too. An aborted call
 * makes undici close its connection rather than reuse it mid-answer.
 */
function readWhole(agent: Agent, outgoing: Outgoing, signal: AbortSignal, maxBytes: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    const answer: Answer = { status: 0, headers: [], body: Buffer.alloc(0) };
    const chunks: Buffer[] = [];
    let total = 0;
    // Before undici starts the call there is nothing to abort yet: onRequestStart looks again.
    const onAbort = () => controller?.abort(signal.reason);
    const settle = (error: Error | undefined) => {
      signal.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve(answer);
    };
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    signal.addEventListener("abort", onAbort);
    agent.dispatch(outgoing, {
      // Called again when undici sends a read once more on a new connection (the box had closed
      // the idle one): whatever arrived before belongs to the lost attempt.
      onRequestStart: (c) => {
        controller = c;
        chunks.length = 0;
        total = 0;
        if (signal.aborted) c.abort(signal.reason);
      },
      onResponseStart: (c, status, headers) => {
        answer.status = status;
        answer.headers = headerPairs(headers);
        if (Number(headers["content-length"] ?? 0) > maxBytes) c.abort(new OversizedAnswerError(maxBytes));
      },
      onResponseData: (c, chunk) => {
        total += chunk.byteLength;
        if (total > maxBytes) c.abort(new OversizedAnswerError(maxBytes));
        else chunks.push(chunk);
      },
      onResponseEnd: () => {
        answer.body = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, total);
        settle(undefined);
      },
      onResponseError: (_c, error) => settle(error),
    });
  });
}

/** undici's header object (a repeated header as an array) as the pairs a Response takes. */
function headerPairs(headers: Record<string, string | string[] | undefined>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value ?? ""]) pairs.push([name, v]);
  }
  return pairs;
}

/**
 * A Request's URL (absolute, already normalised by the Request) as undici's origin and path
 * (without the fragment, which is never sent), without a WHATWG URL parse per call:
 * `scheme://authority` up to the first `/` after it.
 */
export function splitUrl(url: string): { origin: string; path: string } {
  const start = url.indexOf("//");
  const slash = start < 0 ? -1 : url.indexOf("/", start + 2);
  if (slash < 0) {
    const parsed = new URL(url);
    return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  }
  const hash = url.indexOf("#", slash);
  return { origin: url.slice(0, slash), path: url.slice(slash, hash < 0 ? undefined : hash) };
}
