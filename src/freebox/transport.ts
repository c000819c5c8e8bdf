// The connection to the box: one socket, kept alive between calls, over which we speak HTTP/1.1
// ourselves (http1.ts). ky sits above it (http.ts) for timeouts and retries.
//
// Not Node's http client, which this was until the footprint was measured (npm run bench, README
// "Performance"): for every read of the socket it allocates a buffer with malloc and copies each
// piece of the body into another one. At 1,000 leases a poll moved ~860 KB through malloc, which
// then kept ~6 MB in pieces, and its request and stream machinery cost more CPU than the rest of a
// poll. Here every read lands in the connection's one read buffer (`onread`), the body is gathered
// in a buffer reused from answer to answer, and an answer identical to the last one of its URL is
// recognised there and never even decoded.
import { connect as netConnect, type OnReadOpts, type Socket } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import { AnswerReader, type BodySink, type HeaderField, requestHead } from "./http1.js";
import type { TlsSettings } from "./tls.js";

/** An idle connection is closed after this, or sooner if the box's `Keep-Alive` hint says so. */
const IDLE_MS = 30_000;
/** The largest answer read: a box with thousands of devices sends a few MB. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const READ_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);

export interface Exchange {
  method: string;
  url: URL;
  headers: Iterable<HeaderField>;
  body?: Uint8Array | undefined;
  signal?: AbortSignal | undefined;
}

export interface Answer {
  status: number;
  statusText: string;
  headers: HeaderField[];
  /** The body as text; undefined when it is, byte for byte, the one `remembered` kept. */
  text: string | undefined;
  /** When `text` is undefined: the result `remembered` kept with that body. */
  result?: unknown;
  /** A successful answer's body, for `remembered.keep()` or `release()`. */
  bytes?: Bytes;
  remembered?: RememberedBody;
}

// UTF-8 as a WHATWG Response's text() reads it: a leading byte order mark is dropped.
const UTF8 = new TextDecoder();

/** A buffer that grows to the largest body it was given, and is then reused. */
export class Bytes implements BodySink {
  #bytes = EMPTY;
  length = 0;

  get view(): Buffer {
    return this.#bytes.subarray(0, this.length);
  }

  write(data: Buffer, start: number, end: number): void {
    const total = this.length + end - start;
    if (total > this.#bytes.length) {
      // A quarter more than asked: a resource whose size moves a little is not reallocated.
      const grown = Buffer.allocUnsafeSlow(Math.max(16 * 1024, Math.ceil(total * 1.25)));
      this.#bytes.copy(grown, 0, 0, this.length);
      this.#bytes = grown;
    }
    data.copy(this.#bytes, this.length, start, end);
    this.length = total;
  }

  /** Lets a buffer made large by one exceptional answer go. */
  trim(): void {
    if (this.#bytes.length > 1024 * 1024 && this.#bytes.length > 4 * this.length) {
      this.#bytes = EMPTY;
      this.length = 0;
    }
  }
}

/**
 * The last answer of one GET URL that gave a result, its body and that result: the next answer is
 * compared with it byte for byte, and not even decoded when equal.
 *
 * Each answer is read into a buffer of its own that the caller then keeps or releases, so that a
 * second call of the same URL, read while the first is being parsed, cannot overwrite it. Two
 * buffers in turn serve a URL whose answer changes at every poll: no allocation once they grew.
 */
export class RememberedBody {
  #kept = new Bytes();
  #result: unknown;
  #known = false;
  #spare: Bytes | undefined = new Bytes();

  /** The buffer the next answer is read into. */
  take(): Bytes {
    const bytes = this.#spare ?? new Bytes();
    this.#spare = undefined;
    bytes.length = 0;
    return bytes;
  }

  /** The result kept, if `bytes` hold the body it came from. */
  matches(bytes: Bytes): { result: unknown } | undefined {
    return this.#known && bytes.view.equals(this.#kept.view) ? { result: this.#result } : undefined;
  }

  /** `result` came from `bytes`: they are now what the next answer is compared with. */
  keep(bytes: Bytes, result: unknown): void {
    this.#spare = this.#kept;
    this.#kept = bytes;
    this.#result = result;
    this.#known = true;
  }

  /** `bytes` are not kept (an error, or the same body again): they will hold a next answer. */
  release(bytes: Bytes): void {
    this.#spare ??= bytes;
  }

  /** The kept body, as text. */
  text(): string {
    return UTF8.decode(this.#kept.view);
  }
}

interface Call {
  socket: Socket;
  reader: AnswerReader;
  sink: Bytes;
  remembered: RememberedBody | undefined;
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException("This operation was aborted", "AbortError");

/**
 * One connection to the box, opened on the first call and after the box or the idle timer closed
 * it. One call at a time (call-gate.ts queues them).
 */
export class BoxConnection {
  /** Connections opened so far. */
  opened = 0;
  readonly #readBuffer = Buffer.allocUnsafeSlow(READ_BYTES);
  /** Where the body of an answer nobody remembers is read. */
  readonly #body = new Bytes();
  #socket: Socket | undefined;
  #call: Call | undefined;

  constructor(
    private readonly url: URL,
    private readonly tls: TlsSettings | undefined,
  ) {}

  /**
   * Sends one request and reads the whole answer. Rejects with the socket's own error
   * (ECONNREFUSED, ECONNRESET, a TLS code…), the signal's reason when it fires, an HttpAnswerError
   * for an answer that is not HTTP, or a plain Error when the connection closes mid-answer.
   */
  exchange(call: Exchange, remembered?: RememberedBody): Promise<Answer> {
    if (this.#call) return Promise.reject(new Error("one call at a time on the box's connection"));
    const { signal } = call;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    let head: string;
    try {
      head = requestHead(call.method, call.url, call.headers, call.body?.byteLength ?? 0);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const socket = this.#socket && !this.#socket.destroyed ? this.#socket : this.#open();
      const sink = remembered?.take() ?? this.#body;
      sink.length = 0;
      const onAbort = () => this.#fail(socket, abortReason(signal as AbortSignal));
      const settled = () => {
        signal?.removeEventListener("abort", onAbort);
        this.#call = undefined;
      };
      this.#call = {
        socket,
        reader: new AnswerReader(call.method === "HEAD", sink, MAX_BODY_BYTES),
        sink,
        remembered,
        resolve: (answer) => {
          settled();
          resolve(answer);
        },
        reject: (error) => {
          settled();
          remembered?.release(sink);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      socket.ref();
      socket.setTimeout(0);
      socket.cork();
      socket.write(head, "latin1");
      if (call.body && call.body.byteLength > 0) socket.write(call.body);
      socket.uncork();
    });
  }

  /** Closes the connection now; a call still running fails. */
  close(): void {
    const socket = this.#socket;
    if (socket) this.#fail(socket, new Error("the connection to the box was closed"));
  }

  #open(): Socket {
    const host = this.url.hostname.replace(/^\[|\]$/g, "");
    const port = Number(this.url.port) || (this.tls ? 443 : 80);
    const onread: OnReadOpts = {
      buffer: this.#readBuffer,
      callback: (bytes) => {
        this.#onRead(socket, bytes);
        return true;
      },
    };
    const tls = this.tls;
    const socket: Socket = tls
      ? tlsConnect({
          host,
          port,
          ca: tls.ca,
          rejectUnauthorized: true,
          ...(tls.servername ? { servername: tls.servername } : {}),
          // Honoured by tls.connect (Node passes it to the socket), missing from its types.
          ...({ onread } as ConnectionOptions),
        })
      : netConnect({ host, port, onread });
    socket.setNoDelay(true);
    socket.on("error", (error) => this.#fail(socket, error));
    socket.on("end", () => this.#ended(socket));
    socket.on("close", () => this.#ended(socket));
    socket.on("timeout", () => this.#drop(socket));
    this.#socket = socket;
    this.opened++;
    return socket;
  }

  #onRead(socket: Socket, bytes: number): void {
    const call = this.#call;
    // Bytes nobody asked for: the connection is no longer in step with the calls.
    if (!call || call.socket !== socket) {
      this.#drop(socket);
      return;
    }
    let end: number;
    try {
      end = call.reader.push(this.#readBuffer, 0, bytes);
    } catch (error) {
      this.#fail(socket, error);
      return;
    }
    if (call.reader.done) this.#complete(socket, call, end < bytes);
  }

  /** The box ended the connection: an answer framed by its end is complete, any other is not. */
  #ended(socket: Socket): void {
    const call = this.#call;
    if (!call || call.socket !== socket) {
      this.#drop(socket);
      return;
    }
    try {
      call.reader.finish();
    } catch (error) {
      this.#fail(socket, error);
      return;
    }
    this.#complete(socket, call, true);
  }

  #complete(socket: Socket, call: Call, closing: boolean): void {
    const head = call.reader.head;
    if (!head) {
      this.#fail(socket, new Error("the connection closed before the answer was complete"));
      return;
    }
    const hintMs = head.keepAliveSeconds === undefined ? IDLE_MS : head.keepAliveSeconds * 1000 - 1000;
    if (closing || !head.keepAlive || hintMs <= 0) {
      this.#drop(socket);
    } else {
      socket.setTimeout(Math.min(IDLE_MS, hintMs));
      // An idle connection does not keep the process alive.
      socket.unref();
    }
    const answer: Answer = {
      status: head.status,
      statusText: head.statusText,
      headers: head.headers,
      text: undefined,
    };
    const { remembered, sink } = call;
    const success = head.status >= 200 && head.status < 300;
    const same = success ? remembered?.matches(sink) : undefined;
    if (same) {
      answer.result = same.result;
    } else {
      answer.text = UTF8.decode(sink.view);
      if (remembered && success) {
        answer.bytes = sink;
        answer.remembered = remembered;
      }
    }
    sink.trim();
    if (remembered && !answer.bytes) remembered.release(sink);
    call.resolve(answer);
  }

  #fail(socket: Socket, error: unknown): void {
    this.#drop(socket);
    const call = this.#call;
    if (call && call.socket === socket) call.reject(error);
  }

  #drop(socket: Socket): void {
    if (this.#socket === socket) this.#socket = undefined;
    socket.destroy();
  }
}
