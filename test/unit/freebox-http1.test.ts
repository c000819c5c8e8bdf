// The HTTP/1.1 reader and request head of the box's connection (src/freebox/http1.ts), fed bytes
// the way a socket delivers them: whole, or cut at every possible place.
import { describe, expect, it } from "vitest";
import { AnswerReader, HttpAnswerError, MAX_HEAD_BYTES, requestHead } from "../../src/freebox/http1.js";

interface Read {
  status: number;
  body: string;
  keepAlive: boolean;
  keepAliveSeconds: number | undefined;
  headers: [string, string][];
  /** Bytes left after the answer. */
  rest: number;
}

/** Feeds `wire` in the given pieces; `closed` ends the connection after them. */
function read(
  wire: string,
  cuts: number[] = [],
  options: { head?: boolean; closed?: boolean; max?: number } = {},
): Read {
  const bytes = Buffer.from(wire, "latin1");
  const parts: Buffer[] = [];
  const reader = new AnswerReader(
    options.head ?? false,
    { write: (d, s, e) => void parts.push(Buffer.from(d.subarray(s, e))) },
    options.max ?? 1 << 20,
  );
  let rest = 0;
  const points = [0, ...cuts, bytes.length];
  for (let i = 0; i + 1 < points.length && !reader.done; i++) {
    // Each piece in a larger buffer, as the connection's read buffer holds stale bytes after it.
    const piece = Buffer.concat([bytes.subarray(points[i], points[i + 1]), Buffer.from("\r\n\r\nSTALE")]);
    const length = (points[i + 1] as number) - (points[i] as number);
    const ended = reader.push(piece, 0, length);
    if (reader.done) rest = bytes.length - ((points[i] as number) + ended);
  }
  if (options.closed) reader.finish();
  if (!reader.done || !reader.head) throw new Error("the answer is not complete");
  const { status, keepAlive, keepAliveSeconds, headers } = reader.head;
  return {
    status,
    body: Buffer.concat(parts).toString("latin1"),
    keepAlive,
    keepAliveSeconds,
    headers,
    rest,
  };
}

const refused = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpAnswerError) {
      expect(error.code).toBe("ERR_BAD_HTTP_ANSWER");
      return error.message;
    }
    throw error;
  }
  throw new Error("not refused");
};

/** Every way of cutting `wire` in two pieces, and in single bytes. */
const everyCut = (wire: string) => [
  ...Array.from({ length: wire.length - 1 }, (_, i) => [i + 1]),
  Array.from({ length: wire.length - 1 }, (_, i) => i + 1),
];

const LENGTH =
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{"success":true}';
const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7;ext=1\r\n{"succe\r\n9\r\nss":true}\r\n0\r\nX-Trailer: yes\r\n\r\n';

describe("AnswerReader", () => {
  it("reads a Content-Length answer, whole or cut anywhere", () => {
    const whole = read(LENGTH);
    expect(whole).toMatchObject({ status: 200, body: '{"success":true}', keepAlive: true, rest: 0 });
    expect(whole.headers).toEqual([
      ["content-type", "application/json"],
      ["content-length", "16"],
    ]);
    for (const cuts of everyCut(LENGTH)) expect(read(LENGTH, cuts).body).toBe('{"success":true}');
  });

  it("reads a chunked answer with extensions and trailers, whole or cut anywhere", () => {
    expect(read(CHUNKED)).toMatchObject({ status: 200, body: '{"success":true}', keepAlive: true, rest: 0 });
    for (const cuts of everyCut(CHUNKED)) expect(read(CHUNKED, cuts).body).toBe('{"success":true}');
  });

  it("reads until the connection closes when nothing frames the body, and does not reuse it", () => {
    const wire = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it";
    expect(read(wire, [20, 50], { closed: true })).toMatchObject({ body: "all of it", keepAlive: false });
    const other = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz";
    expect(read(other, [], { closed: true })).toMatchObject({ body: "xyz", keepAlive: false });
  });

  it("has no body for HEAD, 204 and 304, whatever the fields say", () => {
    expect(read("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", [], { head: true }).body).toBe("");
    expect(read("HTTP/1.1 204 No Content\r\n\r\n").status).toBe(204);
    expect(read("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n").body).toBe("");
  });

  it("skips interim 1xx answers", () => {
    expect(read(`HTTP/1.1 100 Continue\r\n\r\n${LENGTH}`, [10, 30])).toMatchObject({
      status: 200,
      body: '{"success":true}',
    });
  });

  it("tolerates bare LFs, no reason phrase, and odd spacing around values", () => {
    const wire = "HTTP/1.1 404\nContent-Length:   3  \nX-Empty:\n\nabc";
    expect(read(wire)).toMatchObject({ status: 404, body: "abc" });
    expect(read(wire, [16]).headers).toEqual([
      ["content-length", "3"],
      ["x-empty", ""],
    ]);
  });

  it("knows when the connection may be reused, and the box's idle hint", () => {
    const http10 = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
    expect(read(http10).keepAlive).toBe(false);
    expect(read(http10.replace("\r\n\r\n", "\r\nConnection: Keep-Alive\r\n\r\n")).keepAlive).toBe(true);
    const close = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    expect(read(close).keepAlive).toBe(false);
    const hint = "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: 0\r\n\r\n";
    expect(read(hint)).toMatchObject({ keepAlive: true, keepAliveSeconds: 5 });
    // A length next to chunks: the chunks frame the body, the connection is not trusted further.
    const both =
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n";
    expect(read(both)).toMatchObject({ body: "x", keepAlive: false });
    // "10, 10": a merged repeated field, still one length.
    expect(read("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok").body).toBe("ok");
  });

  it("says where the answer ended when more bytes follow it", () => {
    expect(read(`${LENGTH}HTTP/1.1 200 OK\r\n`).rest).toBe(17);
  });

  it("refuses what is not HTTP/1.x, without quoting it", () => {
    const message = refused(() => read("SSH-2.0-OpenSSH secret-ish\r\n\r\n"));
    expect(message).toBe("the box's answer is not HTTP/1.x");
    expect(refused(() => read("HTTP/2 200\r\n\r\n"))).toContain("not HTTP/1.x");
    expect(refused(() => read("HTTP/1.1 099 Low\r\n\r\n"))).toContain("not HTTP/1.x");
    expect(refused(() => read("HTTP/1.1 101 Switching Protocols\r\n\r\n"))).toContain("switched protocols");
  });

  it("refuses malformed fields: space before the colon, folded lines, lines without a colon", () => {
    for (const field of ["Content-Length : 2", " folded", "NoColonHere", ": empty-name", "Bad Name: x"]) {
      expect(refused(() => read(`HTTP/1.1 200 OK\r\n${field}\r\n\r\nok`))).toContain("malformed");
    }
  });

  it("refuses lengths and chunk sizes it cannot trust", () => {
    for (const length of ["abc", "-1", "2, 3", "", "1e3", "99999999999999999"]) {
      expect(refused(() => read(`HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\n\r\nok`))).toContain(
        "Content-Length",
      );
    }
    const chunked = (body: string) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}`;
    expect(refused(() => read(chunked("zz\r\nxx\r\n0\r\n\r\n")))).toContain("not hexadecimal");
    expect(refused(() => read(chunked("1\r\nxyz\r\n0\r\n\r\n")))).toContain("longer than its size");
    expect(refused(() => read(chunked(`${"1".repeat(2000)}\r\n`)))).toContain("too long");
  });

  it("refuses a head or a body larger than allowed", () => {
    const huge = `HTTP/1.1 200 OK\r\nX-Pad: ${"a".repeat(MAX_HEAD_BYTES)}\r\n\r\n`;
    expect(refused(() => read(huge))).toContain(`exceeds ${MAX_HEAD_BYTES} bytes`);
    expect(refused(() => read(huge, [100, 9000]))).toContain(`exceeds ${MAX_HEAD_BYTES} bytes`);
    expect(refused(() => read(LENGTH, [], { max: 10 }))).toContain("body exceeds 10 bytes");
    const chunks = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n";
    expect(refused(() => read(chunks, [], { max: 10 }))).toContain("body exceeds 10 bytes");
    const unframed = `HTTP/1.1 200 OK\r\n\r\n${"x".repeat(11)}`;
    expect(refused(() => read(unframed, [], { max: 10 }))).toContain("body exceeds 10 bytes");
  });

  it("an answer cut short by the end of the connection is incomplete", () => {
    for (const wire of ["", "HTTP/1.1 200 OK\r\n", LENGTH.slice(0, -3), CHUNKED.slice(0, -5)]) {
      expect(() => read(wire, [], { closed: true })).toThrow("closed before the answer was complete");
    }
  });
});

describe("requestHead", () => {
  const url = new URL("http://127.0.0.1:8080/api/v15/dhcp/static_lease/?x=1");

  it("writes the request line, Host, the fields, keep-alive and the body's length", () => {
    expect(requestHead("PUT", url, [["content-type", "application/json"]], 12)).toBe(
      "PUT /api/v15/dhcp/static_lease/?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\ncontent-type: application/json\r\n" +
        "Content-Length: 12\r\nConnection: keep-alive\r\n\r\n",
    );
    expect(requestHead("GET", new URL("https://mafreebox.freebox.fr/api_version"), [], 0)).toBe(
      "GET /api_version HTTP/1.1\r\nHost: mafreebox.freebox.fr\r\nConnection: keep-alive\r\n\r\n",
    );
    expect(requestHead("POST", url, [], 0)).toContain("Content-Length: 0\r\n");
  });

  it("sets the framing fields itself, and refuses a field that would split the head", () => {
    const head = requestHead(
      "GET",
      url,
      [
        ["Host", "evil"],
        ["content-length", "5"],
        ["connection", "close"],
      ],
      0,
    );
    expect(head).not.toMatch(/evil|close|Content-Length/);
    expect(() => requestHead("GET", url, [["x-a", "1\r\nInjected: yes"]], 0)).toThrow(TypeError);
    expect(() => requestHead("GET", url, [["bad name", "1"]], 0)).toThrow(TypeError);
  });
});
