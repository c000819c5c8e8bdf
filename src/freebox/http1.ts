// HTTP/1.1 on the box's connection (RFC 9112): the request head we send, and the answer read as
// the socket delivers it, in pieces of any size: status line, header fields, then a body framed by
// Content-Length, chunked transfer coding, or the end of the connection. transport.ts drives it.
//
// Our own reader rather than Node's http client: see transport.ts. It is strict where a mistake
// would mean reading the wrong bytes as an answer (framing, sizes) and refuses what it does not
// understand with an HttpAnswerError, which the client reports as a box that answered garbage.

/** A box whose answer is not HTTP/1.x as we can read it. The message never quotes the answer. */
export class HttpAnswerError extends Error {
  readonly code = "ERR_BAD_HTTP_ANSWER";
}

/** A header field as received: name in lower case, value trimmed. */
export type HeaderField = [name: string, value: string];

export interface AnswerHead {
  status: number;
  statusText: string;
  headers: HeaderField[];
  /** Whether the connection may carry the next call once this answer is read. */
  keepAlive: boolean;
  /** The box's `Keep-Alive: timeout=N`, in seconds, when it sent one. */
  keepAliveSeconds: number | undefined;
  framing: Framing;
}

/** The fields that frame the body, each repeated field joined into one list. */
export interface Framing {
  contentLength?: string;
  transferEncoding?: string;
}

/** Where the body's bytes go, as they arrive (framing removed). */
export interface BodySink {
  write(data: Buffer, start: number, end: number): void;
}

/** Node's own default limit for the head of an answer. */
export const MAX_HEAD_BYTES = 16 * 1024;
const MAX_LINE_BYTES = 1024;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const STATUS_START = /^HTTP\/1\.[01] [1-9]\d\d(?:[ \r\n]|$)/;
// Status line, then field lines: a token, a colon right after it (RFC 9112 §5.1), a value on the
// same line. A folded line (obsolete, §5.2) or any other line does not match.
const HEAD =
  /^HTTP\/1\.([01]) ([1-9]\d\d)(?: ([^\r\n]*))?\r?((?:\n[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\r\n]*\r?)*)$/;
const FRAMING_FIELD = /\n(content-length|transfer-encoding|connection|keep-alive):([^\r\n]*)/gi;
const CRLF2 = Buffer.from("\r\n\r\n", "latin1");
const FORBIDDEN = /[\r\n\0]/;
const LF = 10;

/**
 * The head of a request: request line, Host, the given fields, keep-alive, and Content-Length
 * when there is a body (or the method is one that carries one). Refuses a field that would split
 * the head, though ky's Headers already refuse them.
 */
export function requestHead(
  method: string,
  url: URL,
  headers: Iterable<HeaderField>,
  bodyLength: number,
): string {
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const [name, value] of headers) {
    if (!TOKEN.test(name) || FORBIDDEN.test(value)) throw new TypeError(`invalid header field ${name}`);
    // Set here, from what is actually sent.
    if (/^(host|content-length|connection|transfer-encoding|keep-alive)$/i.test(name)) continue;
    head += `${name}: ${value}\r\n`;
  }
  if (bodyLength > 0 || method === "POST" || method === "PUT") head += `Content-Length: ${bodyLength}\r\n`;
  return `${head}Connection: keep-alive\r\n\r\n`;
}

type Phase =
  | "head"
  | "length"
  | "chunk-size"
  | "chunk-data"
  | "chunk-end"
  | "trailers"
  | "until-close"
  | "done";

/** Reads one answer, fed the connection's bytes in order. */
export class AnswerReader {
  head: AnswerHead | undefined;
  #phase: Phase = "head";
  /** The head, or the current line (chunk size, chunk end, trailer), as received so far. */
  #text = "";
  #remaining = 0;
  #bodyBytes = 0;
  #sawBytes = false;

  constructor(
    /** A HEAD request: the answer has no body whatever its fields say. */
    private readonly headRequest: boolean,
    private readonly sink: BodySink,
    private readonly maxBodyBytes: number,
  ) {}

  get done(): boolean {
    return this.#phase === "done";
  }

  /** Whether any byte of the answer arrived (a connection closed before that may be a stale one). */
  get started(): boolean {
    return this.#sawBytes;
  }

  /**
   * Reads bytes [start, end) of `data`. Returns where the answer ended: `end` if it needs more (or
   * ended exactly there), less if bytes follow it, which a box must not send unasked.
   */
  push(data: Buffer, start: number, end: number): number {
    if (end > start) this.#sawBytes = true;
    let at = start;
    while (at < end && this.#phase !== "done") {
      switch (this.#phase) {
        case "head":
          at = this.#readHead(data, at, end);
          break;
        case "length":
        case "chunk-data":
        case "until-close":
          at = this.#readBody(data, at, end);
          break;
        default:
          at = this.#readLine(data, at, end);
      }
    }
    return at;
  }

  /** The connection ended: completes an answer framed by it, else the answer is incomplete. */
  finish(): void {
    if (this.#phase === "until-close") this.#phase = "done";
    if (this.#phase !== "done") throw new Error("the connection closed before the answer was complete");
  }

  #readHead(data: Buffer, start: number, end: number): number {
    // Usually the whole head is in the first read: found without copying the body into a string.
    if (this.#text === "") {
      const stop = data.subarray(start, end).indexOf(CRLF2);
      const text = stop === -1 ? "" : data.toString("latin1", start, start + stop);
      // (A head of bare LFs ends earlier, at its first empty line: read below.)
      if (stop !== -1 && !text.includes("\n\n")) return this.#headRead(text, start + stop + 4);
    }
    const before = this.#text.length;
    // Latin-1: one character per byte, so offsets in the text are offsets in the data.
    this.#text += data.toString("latin1", start, Math.min(end, start + MAX_HEAD_BYTES + 4 - before));
    // The head ends at an empty line: LF, an optional CR, LF (bare LFs are tolerated).
    const from = Math.max(0, before - 3);
    const candidates = [this.#text.indexOf("\n\r\n", from), this.#text.indexOf("\n\n", from)];
    const lf = Math.min(...candidates.filter((i) => i !== -1));
    if (lf === Number.POSITIVE_INFINITY) {
      if (this.#text.length > MAX_HEAD_BYTES)
        throw new HttpAnswerError(`the answer's head exceeds ${MAX_HEAD_BYTES} bytes`);
      return end;
    }
    const text = this.#text;
    this.#text = "";
    const used = lf + (text[lf + 1] === "\r" ? 3 : 2) - before;
    return this.#headRead(text.slice(0, text[lf - 1] === "\r" ? lf - 1 : lf), start + used);
  }

  /** The head is read (`text`, without its empty line); the answer goes on at `next`. */
  #headRead(text: string, next: number): number {
    if (text.length > MAX_HEAD_BYTES)
      throw new HttpAnswerError(`the answer's head exceeds ${MAX_HEAD_BYTES} bytes`);
    const head = parseHead(text);
    // 1xx are interim answers: the real one follows (101 would switch protocols: never asked for).
    if (head.status === 101) throw new HttpAnswerError("the box switched protocols unasked");
    if (head.status >= 200) this.#startBody(head);
    return next;
  }

  #startBody(head: AnswerHead): void {
    this.head = head;
    const { contentLength, transferEncoding } = head.framing;
    if (this.headRequest || head.status === 204 || head.status === 304) {
      this.#phase = "done";
      return;
    }
    if (transferEncoding !== undefined) {
      // Framed by chunks only when chunked is the last coding; a length next to it is ignored and
      // the connection not reused (RFC 9112 §6.3).
      if (contentLength !== undefined) head.keepAlive = false;
      if (transferEncoding.split(",").at(-1)?.trim().toLowerCase() === "chunked") {
        this.#phase = "chunk-size";
        return;
      }
      head.keepAlive = false;
      this.#phase = "until-close";
      return;
    }
    if (contentLength !== undefined) {
      // "10" or, from a proxy that merged two fields, "10, 10": one number however written.
      const lengths = contentLength.split(",").map((l) => l.trim());
      const first = lengths[0] ?? "";
      if (!/^\d{1,15}$/.test(first) || lengths.some((l) => l !== first)) {
        throw new HttpAnswerError("the answer's Content-Length is not one valid number");
      }
      this.#remaining = Number(first);
      this.#countBody(this.#remaining);
      this.#phase = this.#remaining === 0 ? "done" : "length";
      return;
    }
    head.keepAlive = false;
    this.#phase = "until-close";
  }

  #countBody(bytes: number): void {
    this.#bodyBytes += bytes;
    if (this.#bodyBytes > this.maxBodyBytes) {
      throw new HttpAnswerError(`the answer's body exceeds ${this.maxBodyBytes} bytes`);
    }
  }

  #readBody(data: Buffer, start: number, end: number): number {
    if (this.#phase === "until-close") {
      this.#countBody(end - start);
      this.sink.write(data, start, end);
      return end;
    }
    const stop = Math.min(end, start + this.#remaining);
    this.sink.write(data, start, stop);
    this.#remaining -= stop - start;
    if (this.#remaining === 0) this.#phase = this.#phase === "length" ? "done" : "chunk-end";
    return stop;
  }

  /** Chunk sizes, chunk ends and trailers: one line each, CRLF (or a bare LF) ended. */
  #readLine(data: Buffer, start: number, end: number): number {
    const newline = data.indexOf(LF, start);
    const stop = newline === -1 || newline >= end ? end : newline;
    this.#text += data.toString("latin1", start, stop);
    if (this.#text.length > MAX_LINE_BYTES)
      throw new HttpAnswerError("a line of the chunked body is too long");
    if (stop === end) return end;
    const line = this.#text.endsWith("\r") ? this.#text.slice(0, -1) : this.#text;
    this.#text = "";
    this.#endLine(line);
    return stop + 1;
  }

  #endLine(line: string): void {
    if (this.#phase === "chunk-end") {
      if (line !== "") throw new HttpAnswerError("a chunk of the body is longer than its size");
      this.#phase = "chunk-size";
    } else if (this.#phase === "chunk-size") {
      const size = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/.exec(line)?.[1];
      if (size === undefined) throw new HttpAnswerError("a chunk size of the body is not hexadecimal");
      this.#remaining = Number.parseInt(size, 16);
      this.#countBody(this.#remaining);
      this.#phase = this.#remaining === 0 ? "trailers" : "chunk-data";
    } else if (line === "") {
      // The empty line after the trailers (none, usually) ends the answer.
      this.#phase = "done";
    }
  }
}

/**
 * Status line and header fields of an answer's head (without its empty line). The head is checked
 * and the fields that frame the body are found by a regular expression each, in one pass over the
 * text; the list of all fields is only built if someone reads it.
 */
function parseHead(text: string): AnswerHead {
  const head = HEAD.exec(text);
  if (!head) {
    throw new HttpAnswerError(
      STATUS_START.test(text)
        ? "a header field of the answer is malformed"
        : "the box's answer is not HTTP/1.x",
    );
  }
  const fields = head[4] ?? "";
  const framing: Framing = {};
  let connection = "";
  let keepAliveField = "";
  FRAMING_FIELD.lastIndex = 0;
  for (let m = FRAMING_FIELD.exec(fields); m; m = FRAMING_FIELD.exec(fields)) {
    const name = (m[1] as string).toLowerCase();
    const value = (m[2] as string).trim();
    // Repeated fields are one list, comma-separated (RFC 9110 §5.3).
    if (name === "content-length") framing.contentLength = listed(framing.contentLength, value);
    else if (name === "transfer-encoding") framing.transferEncoding = listed(framing.transferEncoding, value);
    else if (name === "connection") connection += `,${value.toLowerCase()}`;
    else keepAliveField += `,${value}`;
  }
  const tokens = connection.split(",").map((t) => t.trim());
  const timeout = /[,;\s]timeout=(\d+)/i.exec(keepAliveField)?.[1];
  return new Head(
    Number(head[2]),
    head[3] ?? "",
    fields,
    framing,
    head[1] === "0" ? tokens.includes("keep-alive") : !tokens.includes("close"),
    timeout === undefined ? undefined : Number(timeout),
  );
}

const listed = (known: string | undefined, value: string) =>
  known === undefined ? value : `${known}, ${value}`;

class Head implements AnswerHead {
  #headers: HeaderField[] | undefined;

  constructor(
    readonly status: number,
    readonly statusText: string,
    /** The header lines, each after its line break. */
    private readonly fields: string,
    readonly framing: Framing,
    public keepAlive: boolean,
    readonly keepAliveSeconds: number | undefined,
  ) {}

  get headers(): HeaderField[] {
    this.#headers ??= this.fields
      .split("\n")
      .slice(1)
      .map((line) => {
        const colon = line.indexOf(":");
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
      });
    return this.#headers;
  }
}
