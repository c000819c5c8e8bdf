// The box's HTTP transport: undici's Agent (its `request()`), wrapped as the `fetch` ky is handed
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

/**
 * A `fetch` for ky: sends ky's Request through `agent` with undici's `request()` and answers a
 * Response whose body was read whole (at most `maxBytes`). `request()` rather than undici's `fetch`:
 * the same HTTP client without a second Request, WHATWG streams and Response per call (fetch's
 * machinery cost about as much CPU per poll as the rest of the client: docs/performance.md). It
 * follows no redirect: the box does not redirect its API, and following one could carry the
 * session header elsewhere.
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
    const answer = await agent.request({
      origin,
      path,
      method: request.method as Dispatcher.HttpMethod,
      headers,
      // A buffer, not a stream: undici then sends a Content-Length rather than chunks.
      body: hasBody ? Buffer.from(await request.arrayBuffer()) : null,
      signal: request.signal,
    });
    const body = await readCapped(answer, maxBytes);
    const pairs: [string, string][] = [];
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const v of Array.isArray(value) ? value : [value ?? ""]) pairs.push([name, v]);
    }
    return new Response(NULL_BODY.has(answer.statusCode) ? null : body, {
      status: answer.statusCode,
      headers: pairs,
    });
  };
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

/** The whole body, refused once it exceeds `maxBytes` (declared or counted while it arrives). */
function readCapped(answer: Dispatcher.ResponseData, maxBytes: number): Promise<Buffer> {
  const declared = Number(answer.headers["content-length"] ?? 0);
  const body = answer.body;
  // A body destroyed before its end makes undici drop the connection rather than reuse it (the
  // abort error it then emits is this refusal's, nothing to report).
  const refuse = () => {
    body.once("error", () => undefined).destroy();
    return new OversizedAnswerError(maxBytes);
  };
  if (declared > maxBytes) return Promise.reject(refuse());
  // Events rather than `for await`: no async iterator and promise per chunk on every call.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    body.on("data", (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        body.removeAllListeners("data");
        reject(refuse());
        return;
      }
      chunks.push(chunk);
    });
    body.once("end", () =>
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, total)),
    );
    body.once("error", reject);
  });
}
