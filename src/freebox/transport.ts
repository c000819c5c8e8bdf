// The box's HTTP transport: undici's fetch over one undici Agent, handed to ky as its `fetch`
// (http.ts). undici parses HTTP (llhttp), keeps the connection alive between calls and takes the
// trust store and expected server name per connection (tls.ts), which Node's global fetch cannot be
// given. Nothing here reads HTTP itself.
//
// The answer is read whole before the returned promise settles, so that ky's timeout, which only
// runs until `fetch` resolves, covers the body as well as the head: a box that sends its headers and
// then stalls is a timeout, not a call that hangs. Reading it here is also where its size is capped.
import { Agent, fetch as undiciFetch } from "undici";
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
 * A `fetch` for ky: sends ky's Request through `agent` and answers a Response whose body was read
 * whole (at most `maxBytes`). ky's Request is the global one, which undici's fetch does not take as
 * is (it is another class than undici's own), so it is passed on as URL and init.
 */
export function fetchVia(agent: Agent, maxBytes = MAX_ANSWER_BYTES): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    const answer = await undiciFetch(request.url, {
      method: request.method,
      headers: [...request.headers],
      // A buffer, not a stream: undici then sends a Content-Length rather than chunks.
      body: hasBody ? new Uint8Array(await request.arrayBuffer()) : null,
      signal: request.signal,
      dispatcher: agent,
      // The box does not redirect its API; following one could carry the session header elsewhere.
      redirect: "manual",
    });
    const body = await readCapped(answer, maxBytes);
    return new Response(NULL_BODY.has(answer.status) ? null : body, {
      status: answer.status,
      statusText: answer.statusText,
      headers: [...answer.headers],
    });
  };
}

/** The whole body, refused once it exceeds `maxBytes` (declared or counted while it arrives). */
async function readCapped(
  answer: { headers: Headers; body: ReadableStream<Uint8Array> | null },
  maxBytes: number,
) {
  const declared = Number(answer.headers.get("content-length") ?? 0);
  if (declared > maxBytes) {
    await answer.body?.cancel().catch(() => undefined);
    throw new OversizedAnswerError(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  if (!answer.body) return Buffer.alloc(0);
  let total = 0;
  // Leaving the loop early (the throw) cancels the stream, and undici drops the connection.
  for await (const chunk of answer.body) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new OversizedAnswerError(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
