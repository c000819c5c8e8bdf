// The box's HTTP connection (src/freebox/http.ts over undici, transport.ts) against scripted
// servers on loopback: keep-alive and a box that closes it, writes never replayed, a timeout that
// covers the whole answer, oversized answers, and boxes that answer garbage or go away mid-call.
import { once } from "node:events";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FreeboxHttp, type Method } from "../../src/freebox/http.js";
import { captureLogs, failure } from "./client-helpers.js";

interface Box {
  origin: string;
  /** TCP connections accepted so far. */
  connections: number;
  /** "METHOD path" of each request, in order. */
  requests: string[];
  close(): Promise<void>;
}

const envelope = (result: unknown) => JSON.stringify({ success: true, result });

/** A box built on Node's HTTP server: `answer` writes the n-th answer (n from 0). */
async function httpBox(answer: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<Box> {
  const server = createHttpServer((req, res) => {
    box.requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => answer(req, res, box.requests.length - 1));
  });
  return listen(server);
}

/** A box that reads request heads and writes whatever bytes `answer` likes (no body expected). */
async function rawBox(answer: (socket: Socket, n: number) => void): Promise<Box> {
  const server = createServer((socket) => {
    socket.on("error", () => undefined);
    let pending = "";
    socket.on("data", (data: Buffer) => {
      pending += data.toString("latin1");
      for (let end = pending.indexOf("\r\n\r\n"); end !== -1; end = pending.indexOf("\r\n\r\n")) {
        box.requests.push(pending.slice(0, pending.indexOf(" HTTP/")));
        pending = pending.slice(end + 4);
        answer(socket, box.requests.length - 1);
      }
    });
  });
  return listen(server);
}

let box: Box;
let http: FreeboxHttp | undefined;

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<Box> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    box.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  box = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: 0,
    requests: [],
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return box;
}

afterEach(async () => {
  await http?.close();
  http = undefined;
  await box?.close();
});

function client(options: { timeoutMs?: number; maxAnswerBytes?: number } = {}): FreeboxHttp {
  http = new FreeboxHttp({
    url: new URL(box.origin),
    timeoutMs: options.timeoutMs ?? 2000,
    retry: { limit: 2, baseMs: 5 },
    logger: captureLogs().logger,
    extraCa: [],
    ...(options.maxAnswerBytes === undefined ? {} : { maxAnswerBytes: options.maxAnswerBytes }),
  });
  return http;
}

const call = (h: FreeboxHttp, method: Method = "GET", path = "/api/v15/connection/") =>
  h.call({
    method,
    url: `${box.origin}${path}`,
    what: `${method} ${path}`,
    sessionToken: "session",
    ...(method === "GET" ? {} : { json: { ping: true } }),
  });

describe("keep-alive", () => {
  it("one connection serves call after call, reads and writes", async () => {
    await httpBox((_req, res, n) => res.end(envelope(n)));
    const h = client();
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await call(h, i === 2 ? "PUT" : "GET"));
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(box.connections).toBe(1);
  });

  it("a box that closed the idle connection: the next call opens another and works", async () => {
    const sockets: Socket[] = [];
    await httpBox((req, res, n) => {
      sockets.push(req.socket);
      res.end(envelope(n));
    });
    const h = client();
    expect(await call(h)).toBe(0);
    // The box drops the idle connection, as a box does after its keep-alive timeout.
    const closed = once(sockets[0] as Socket, "close");
    sockets[0]?.destroy();
    await closed;
    expect(await call(h)).toBe(1);
    expect(await call(h)).toBe(2);
    // A new connection; how many depends on when undici saw the close (undici may have tried the
    // old one first), which no user sees.
    expect(box.connections).toBeGreaterThanOrEqual(2);
  });

  it("a box that says Connection: close is answered, and the next call reconnects", async () => {
    await httpBox((_req, res, n) => {
      if (n === 0) res.setHeader("Connection", "close");
      res.end(envelope(n));
    });
    const h = client();
    expect([await call(h), await call(h)]).toEqual([0, 1]);
    expect(box.connections).toBe(2);
  });
});

describe("retries", () => {
  it("a write whose connection broke is reported once, never sent again", async () => {
    await rawBox((socket) => socket.destroy());
    const h = client();
    const error = await failure(call(h, "PUT", "/api/v15/connection/config/"));
    expect(error.code).toBe("unreachable");
    expect(box.requests).toEqual(["PUT /api/v15/connection/config/"]);
  });

  it("a read whose connection broke is asked again, and succeeds", async () => {
    await rawBox((socket, n) => {
      if (n === 0) socket.destroy();
      else {
        const body = envelope("ok");
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      }
    });
    expect(await call(client())).toBe("ok");
    expect(box.requests).toEqual(["GET /api/v15/connection/", "GET /api/v15/connection/"]);
  });
});

describe("timeouts", () => {
  it("cover the whole answer: headers sent, then a body that never ends, is a timeout", async () => {
    await rawBox((socket, n) => {
      if (n === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"success":');
      else {
        const body = envelope("later");
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      }
    });
    const h = client({ timeoutMs: 200 });
    const error = await failure(call(h));
    expect(error.code).toBe("timeout");
    expect(error.message).toContain("200 ms");
    // Not retried, and the stalled connection is not reused.
    expect(box.requests).toHaveLength(1);
    expect(await call(h)).toBe("later");
    expect(box.connections).toBe(2);
  });
});

describe("answers refused", () => {
  it("an answer larger than the cap is bad_response, declared or counted, and not asked again", async () => {
    const big = envelope("x".repeat(2000));
    await httpBox((req, res) => {
      // Chunked (no Content-Length) for the second path: the size is only known while reading.
      if (req.url?.endsWith("chunked/")) res.write(big.slice(0, 1000));
      else res.setHeader("Content-Length", Buffer.byteLength(big));
      res.end(req.url?.endsWith("chunked/") ? big.slice(1000) : big);
    });
    const h = client({ maxAnswerBytes: 1024 });
    for (const path of ["/api/v15/lan/", "/api/v15/chunked/"]) {
      const error = await failure(call(h, "GET", path));
      expect(error.code).toBe("bad_response");
      expect(error.message).toContain("larger than 1024 bytes");
    }
    expect(box.requests).toEqual(["GET /api/v15/lan/", "GET /api/v15/chunked/"]);
  });

  it("garbage instead of HTTP is bad_response, not unreachable; the next call is fine", async () => {
    await rawBox((socket, n) => {
      if (n < 3) socket.end("220 mail.example ESMTP\r\n\r\n");
      else {
        const body = envelope("fine");
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      }
    });
    const h = client();
    const error = await failure(call(h));
    expect(error.code).toBe("bad_response");
    expect(error.message).toContain("not valid HTTP");
    expect(await call(h)).toBe("fine");
  });

  it("a box that closes mid-answer: unreachable, the call is not taken as complete", async () => {
    await rawBox((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"success":true'));
    const error = await failure(call(client(), "PUT"));
    expect(error.code).toBe("unreachable");
  });
});

describe("close", () => {
  it("ends a call still running (unreachable); a later call opens a new connection", async () => {
    await httpBox((_req, res, n) => {
      if (n > 0) res.end(envelope(n));
    });
    const h = client();
    const running = call(h);
    await new Promise<void>((resolve) => {
      const check = () => (box.requests.length > 0 ? resolve() : setImmediate(check));
      check();
    });
    await h.close();
    expect((await failure(running)).code).toBe("unreachable");
    expect(await call(h)).toBe(1);
    expect(box.connections).toBe(2);
  });
});
