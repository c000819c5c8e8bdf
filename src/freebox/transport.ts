// One HTTP exchange with the box over Node's own http/https client, on the client's keep-alive
// agent (tls.ts), the answer read whole. ky sits above it (http.ts) for timeouts and retries.
//
// Node's client rather than the undici package: Node's fetch, which ky needs anyway, already
// carries a copy of undici, and a second one cost ~6 MB of memory for no measurable speed
// (npm run bench, README "Performance").
import { type Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

export interface Exchange {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Uint8Array | undefined;
  signal?: AbortSignal | undefined;
}

export interface Answer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /**
   * The body, as the socket delivered it. Not joined here: an unchanged answer is recognised chunk
   * by chunk (http.ts), and joining would allocate a large buffer per poll of a large LAN, which
   * malloc then keeps in pieces (npm run bench, footprint).
   */
  chunks: Buffer[];
}

/**
 * Sends one request and reads the whole answer. Rejects with the socket's own error (ECONNREFUSED,
 * ECONNRESET, a TLS code…), an AbortError when `signal` fires, or a plain Error when the
 * connection closes before the answer is complete.
 */
/** Whether `chunks`, end to end, hold exactly the bytes of `bytes` (nothing is copied). */
export function sameBytes(chunks: readonly Buffer[], bytes: Buffer): boolean {
  let offset = 0;
  for (const chunk of chunks) {
    const end = offset + chunk.length;
    if (end > bytes.length || bytes.compare(chunk, 0, chunk.length, offset, end) !== 0) return false;
    offset = end;
  }
  return offset === bytes.length;
}

export function exchange(agent: Agent, call: Exchange): Promise<Answer> {
  const send = call.url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      call.url,
      { agent, method: call.method, headers: call.headers, ...(call.signal ? { signal: call.signal } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? "",
            headers: res.headers,
            chunks,
          }),
        );
        // Settles nothing after "end"; before it, the box closed the connection mid-answer.
        res.on("close", () => {
          if (!res.complete) reject(new Error("the connection closed before the answer was complete"));
        });
      },
    );
    req.on("error", reject);
    req.end(call.body && call.body.byteLength > 0 ? call.body : undefined);
  });
}
