// The box's connection (src/freebox/transport.ts) against scripted servers on loopback: what the
// box receives, keep-alive and its limits, boxes that close, stall, or answer garbage, and the
// remembered bodies that let an unchanged answer go undecoded.
import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpAnswerError } from "../../src/freebox/http1.js";
import { BoxConnection, RememberedBody } from "../../src/freebox/transport.js";
import { APP_ID, captureLogs, failure, makeClient, tempDir } from "./client-helpers.js";

interface Box {
  url: URL;
  /** Connections accepted so far. */
  connections: number;
  /** Each request as received: head and body. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A box that reads whole requests (head and Content-Length body) and lets `answer` write whatever
 * bytes it likes on the socket, the `n`-th request being number 0.
 */
async function scriptedBox(answer: (socket: Socket, n: number) => void): Promise<Box> {
  const sockets = new Set<Socket>();
  const box: Box = {
    url: new URL("http://127.0.0.1"),
    connections: 0,
    requests: [],
    close: async () => undefined,
  };
  const server: Server = createServer((socket) => {
    box.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let pending = "";
    socket.on("data", (data: Buffer) => {
      pending += data.toString("latin1");
      for (;;) {
        const end = pending.indexOf("\r\n\r\n");
        if (end === -1) return;
        const length = Number(/\r\nContent-Length: (\d+)/i.exec(pending.slice(0, end))?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        box.requests.push(pending.slice(0, end + 4 + length));
        pending = pending.slice(end + 4 + length);
        answer(socket, box.requests.length - 1);
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  box.url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  box.close = () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return box;
}

const ok = (body: string, fields = "") =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${fields}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

let box: Box | undefined;
let connection: BoxConnection | undefined;
afterEach(async () => {
  connection?.close();
  await box?.close();
  box = undefined;
  connection = undefined;
});

async function start(
  answer: (socket: Socket, n: number) => void,
): Promise<{ box: Box; connection: BoxConnection }> {
  box = await scriptedBox(answer);
  connection = new BoxConnection(box.url, undefined);
  return { box, connection };
}

const get = (c: BoxConnection, b: Box, path = "/api/v15/connection/", remembered?: RememberedBody) =>
  c.exchange(
    { method: "GET", url: new URL(path, b.url), headers: [["x-fbx-app-auth", "session"]] },
    remembered,
  );

describe("the box's connection", () => {
  it("sends the request as written: method, path, Host, fields, keep-alive and body", async () => {
    const { box, connection } = await start((socket) => socket.write(ok('{"success":true}')));
    const body = new TextEncoder().encode('{"ping":true}');
    const url = new URL("/api/v15/connection/config/?x=1", box.url);
    const answer = await connection.exchange({
      method: "PUT",
      url,
      headers: [["content-type", "application/json"]],
      body,
    });
    expect(answer).toMatchObject({ status: 200, statusText: "OK", text: '{"success":true}' });
    expect(box.requests).toEqual([
      `PUT /api/v15/connection/config/?x=1 HTTP/1.1\r\nHost: ${url.host}\r\ncontent-type: application/json\r\n` +
        'Content-Length: 13\r\nConnection: keep-alive\r\n\r\n{"ping":true}',
    ]);
  });

  it("keeps one connection for call after call, and opens another once the box closed it", async () => {
    const { box, connection } = await start((socket, n) => {
      if (n === 2) socket.end(ok(`"${n}"`, "Connection: close\r\n"));
      else if (n === 4)
        socket.end(ok(`"${n}"`)); // closed without saying so, once answered
      else socket.write(ok(`"${n}"`));
    });
    const texts: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) texts.push((await get(connection, box)).text);
    expect(box.connections).toBe(2);
    texts.push((await get(connection, box)).text);
    // The box's close reaches the idle connection before the next call.
    await new Promise((resolve) => setTimeout(resolve, 50));
    texts.push((await get(connection, box)).text);
    expect(texts).toEqual(['"0"', '"1"', '"2"', '"3"', '"4"', '"5"']);
    expect(box.connections).toBe(3);
    expect(connection.opened).toBe(3);
  });

  it("does not reuse a connection the box will close within a second (Keep-Alive: timeout=1)", async () => {
    const { box, connection } = await start((socket) => socket.write(ok("{}", "Keep-Alive: timeout=1\r\n")));
    await get(connection, box);
    await get(connection, box);
    expect(box.connections).toBe(2);
  });

  it("reads chunked answers as Node's own server writes them", async () => {
    const parts = ['{"success":true,', '"result":', `"${"é".repeat(3000)}"`, "}"];
    const server = createHttpServer((_req, res) => {
      let i = 0;
      const next = () => (i < parts.length ? res.write(parts[i++], () => setImmediate(next)) : res.end());
      next();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
    const own = new BoxConnection(url, undefined);
    try {
      const answer = await own.exchange({ method: "GET", url, headers: [] });
      expect(answer.headers).toContainEqual(["transfer-encoding", "chunked"]);
      expect(answer.text).toBe(parts.join(""));
      expect((await own.exchange({ method: "GET", url, headers: [] })).text).toBe(parts.join(""));
      expect(own.opened).toBe(1);
    } finally {
      own.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it("garbage instead of HTTP: an HttpAnswerError, the connection dropped, the next call fine", async () => {
    const { box, connection } = await start((socket, n) =>
      socket.write(n === 0 ? "220 mail.example ESMTP\r\n\r\n" : ok("{}")),
    );
    const error = await get(connection, box).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpAnswerError);
    expect((await get(connection, box)).text).toBe("{}");
    expect(box.connections).toBe(2);
  });

  it("bytes nobody asked for drop the connection; the next call opens another", async () => {
    const { box, connection } = await start((socket) => {
      socket.write(ok("{}"));
      setTimeout(() => socket.write("HTTP/1.1 200 OK\r\n"), 20);
    });
    await get(connection, box);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await get(connection, box)).text).toBe("{}");
    expect(box.connections).toBe(2);
  });

  it("a box that stops mid-answer: the call ends with the signal's reason, the next one works", async () => {
    const { box, connection } = await start((socket, n) => {
      if (n === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"success":');
      else socket.write(ok("{}"));
    });
    const controller = new AbortController();
    const call = connection.exchange({
      method: "GET",
      url: new URL("/a", box.url),
      headers: [],
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort(new Error("too slow"));
    await expect(call).rejects.toThrow("too slow");
    expect((await get(connection, box)).text).toBe("{}");
    expect(box.connections).toBe(2);
  });

  it("a box that closes mid-answer: the call fails as incomplete", async () => {
    const { box, connection } = await start((socket) =>
      socket.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"),
    );
    await expect(get(connection, box)).rejects.toThrow("closed before the answer was complete");
  });

  it("nothing listening: the socket's own error", async () => {
    const { box, connection } = await start(() => undefined);
    await box.close();
    await expect(get(connection, box)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("close() ends a call still running", async () => {
    const { box, connection } = await start(() => undefined);
    const call = get(connection, box);
    await new Promise((resolve) => setTimeout(resolve, 30));
    connection.close();
    await expect(call).rejects.toThrow("the connection to the box was closed");
  });
});

describe("remembered bodies", () => {
  it("an answer equal to the kept one is not decoded and gives the kept result; an error answer is not kept", async () => {
    const bodies = ['{"a":1}', '{"a":1}', '{"a":2}', '{"error":"busy"}', '{"a":2}'];
    const { box, connection } = await start((socket, n) => socket.write(ok(bodies[n] ?? "")));
    const remembered = new RememberedBody();
    const first = await get(connection, box, "/r", remembered);
    expect(first.text).toBe('{"a":1}');
    remembered.keep(first.bytes as NonNullable<typeof first.bytes>, "result 1");
    const second = await get(connection, box, "/r", remembered);
    expect(second).toMatchObject({ text: undefined, result: "result 1" });
    const third = await get(connection, box, "/r", remembered);
    expect(third.text).toBe('{"a":2}');
    remembered.keep(third.bytes as NonNullable<typeof third.bytes>, "result 2");
    const busy = await get(connection, box, "/r", remembered);
    expect(busy.text).toBe('{"error":"busy"}');
    remembered.release(busy.bytes as NonNullable<typeof busy.bytes>);
    expect(await get(connection, box, "/r", remembered)).toMatchObject({
      text: undefined,
      result: "result 2",
    });
    expect(remembered.text()).toBe('{"a":2}');
  });

  it("a second answer of the same URL, read before the first is kept, does not overwrite it", async () => {
    const bodies = ['{"a":1}', '{"a":2}', '{"a":1}'];
    const { box, connection } = await start((socket, n) => socket.write(ok(bodies[n] ?? "")));
    const remembered = new RememberedBody();
    const first = await get(connection, box, "/r", remembered);
    const second = await get(connection, box, "/r", remembered);
    remembered.keep(first.bytes as NonNullable<typeof first.bytes>, "result 1");
    remembered.release(second.bytes as NonNullable<typeof second.bytes>);
    expect(await get(connection, box, "/r", remembered)).toMatchObject({
      text: undefined,
      result: "result 1",
    });
  });
});

describe("through the client", () => {
  it("a box answering garbage is bad_response, not unreachable", async () => {
    const { box } = await start((socket) => socket.end("garbage\r\n\r\n"));
    const dir = await tempDir();
    const client = makeClient(box.url.origin, dir.path, captureLogs().logger, { appId: APP_ID });
    try {
      const error = await failure(client.apiVersion());
      expect(error.code).toBe("bad_response");
      expect(error.message).toContain("not valid HTTP");
    } finally {
      await client.close();
      await dir.remove();
    }
  });
});
