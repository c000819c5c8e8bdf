// The wire: node:http (or node:https) server, sockets, request bodies, the request log and the
// fault knobs that act below the API (latency, 502, truncated body, reset, hang, unreachable).
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { advertisedMajor, dispatch, isApiVersionPath, type ParsedRequest, parsePath } from "./dispatch.js";
import { errorReply, notFoundReply, type Reply, SimApiError } from "./envelope.js";
import { refuseUpgrade, type SimEventHub } from "./events.js";
import { BAD_GATEWAY_HTML, type CountedFault, TRUNCATED_JSON, takeCountedFault } from "./faults.js";
import type { SimCore } from "./routes.js";
import type { SimRequest } from "./types.js";

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_LOGGED_REQUESTS = 20_000;

export interface ServerOptions {
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** True while rebooting or `faults.unreachable`: connections are cut at once. */
  isDown(): boolean;
  /** Observer of every logged request (SimulatorOptions.onRequest). */
  onRequest?: ((request: SimRequest) => void) | undefined;
  /** The event WebSocket (events.ts): upgrades of API paths go there. */
  events: SimEventHub;
}

export class SimServer {
  readonly requests: SimRequest[] = [];
  connections = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly core: SimCore,
    private readonly options: ServerOptions,
  ) {
    const listener = (req: IncomingMessage, res: ServerResponse): void => this.onRequest(req, res);
    this.server = options.tls
      ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener)
      : createHttpServer(listener);
    this.server.on("connection", (socket: Socket) => this.onConnection(socket));
    this.server.on("clientError", (_error, socket) => socket.destroy());
    this.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        const address = this.server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  }

  /** Cuts every open connection (reboot, unreachable). */
  destroySockets(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.destroySockets();
    await closed;
  }

  private onConnection(socket: Socket): void {
    // A rebooting or unreachable box accepts nothing: the client sees a reset.
    if (this.options.isDown()) {
      socket.destroy();
      return;
    }
    this.connections++;
    this.sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => this.sockets.delete(socket));
  }

  /** GET /api/v<n>/ws/event with `Upgrade: websocket`: logged like any request, then events.ts. */
  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => {});
    const fullPath = (req.url ?? "/").split("?")[0] ?? "/";
    const { major, path } = parsePath(fullPath);
    const sessionToken = sessionHeader(req);
    this.log({
      method: req.method ?? "GET",
      path,
      major,
      body: undefined,
      authenticated: this.core.auth.isLive(sessionToken),
      at: Date.now(),
    });
    if (this.options.isDown()) {
      socket.destroy();
      return;
    }
    if (major === null || major < 1 || major > advertisedMajor(this.core)) {
      // Not an API path, or a version the box does not have: its 404, no upgrade.
      refuseUpgrade(socket, notFoundReply(major !== null && major > advertisedMajor(this.core)));
      return;
    }
    this.options.events.upgrade(path, sessionToken, req, socket, head);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.socket.destroy();
      else chunks.push(chunk);
    });
    req.on("end", () => this.onBody(req, res, Buffer.concat(chunks).toString("utf8")));
  }

  private onBody(req: IncomingMessage, res: ServerResponse, text: string): void {
    const method = req.method ?? "GET";
    const fullPath = (req.url ?? "/").split("?")[0] ?? "/";
    const { major, path } = parsePath(fullPath);
    let body: unknown;
    let bodyInvalid = false;
    if (text.trim() !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
        bodyInvalid = true;
      }
    }
    const sessionToken = sessionHeader(req);
    this.log({
      method,
      path,
      major,
      body,
      authenticated: this.core.auth.isLive(sessionToken),
      at: Date.now(),
    });
    const parsed: ParsedRequest = { method, fullPath, path, major, body, bodyInvalid, sessionToken };

    if (this.options.isDown()) {
      req.socket.destroy();
      return;
    }
    // A hung box keeps the connection open and never answers; close() or the client ends it.
    if (this.core.faults.hang) return;
    const fault = takeCountedFault(this.core.faults, {
      apiCall: major !== null && !isApiVersionPath(fullPath),
      path,
      fullPath,
      isLogin: method === "POST" && /^login\/session\/?$/.test(path),
    });
    const latency = this.core.faults.latencyMs;
    if (latency > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.answer(req, res, parsed, fault);
      }, latency);
      this.timers.add(timer);
    } else {
      this.answer(req, res, parsed, fault);
    }
  }

  private answer(
    req: IncomingMessage,
    res: ServerResponse,
    parsed: ParsedRequest,
    fault: CountedFault | null,
  ): void {
    if (fault === "drop") {
      resetSocket(req.socket);
      return;
    }
    const after: Array<() => void> = [];
    let reply: Reply;
    if (fault === "status5xx") {
      reply = { status: 502, body: BAD_GATEWAY_HTML, contentType: "text/html" };
    } else if (fault === "malformed") {
      reply = { status: 200, body: TRUNCATED_JSON, contentType: "application/json; charset=utf-8" };
    } else if (fault === "busy") {
      reply = errorReply(new SimApiError("busy"));
    } else if (fault === "ratelimited") {
      reply = errorReply(new SimApiError("ratelimited"));
    } else {
      reply = dispatch(this.core, parsed, (callback) => after.push(callback));
    }
    if (after.length > 0) {
      res.once("finish", () => {
        for (const callback of after) callback();
      });
    }
    this.core.logger.debug(() => `${parsed.method} ${parsed.fullPath} → ${reply.status}`);
    res.writeHead(reply.status, {
      "Content-Type": reply.contentType,
      "Content-Length": Buffer.byteLength(reply.body),
    });
    res.end(reply.body);
  }

  private log(entry: SimRequest): void {
    this.requests.push(entry);
    if (this.requests.length > MAX_LOGGED_REQUESTS) this.requests.shift();
    this.options.onRequest?.(entry);
  }
}

function sessionHeader(req: IncomingMessage): string | undefined {
  const header = req.headers["x-fbx-app-auth"];
  return Array.isArray(header) ? header[0] : header;
}

/** A TCP reset (ECONNRESET) where the socket allows it, else a plain close. */
function resetSocket(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
