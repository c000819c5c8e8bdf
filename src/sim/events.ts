// The box's event WebSocket, GET /api/v<n>/ws/event (freebox-api-lan-browser, "Event stream"),
// served by `ws` on the simulator's own HTTP server. The session header is checked at the
// upgrade (a missing or expired session is refused there, 403); a client registers the events
// it wants, and one unsupported name fails the whole registration, after which the box closes the
// socket (close code 1000, as captured on a real box).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { errorReply, notFoundReply, type Reply, SimApiError } from "./envelope.js";
import type { SimCore } from "./routes.js";

/** Events this box knows (a Pop has no VMs: vm_* are unsupported, the page). */
export const SUPPORTED_EVENTS: ReadonlySet<string> = new Set([
  "lan_host_l3addr_reachable",
  "lan_host_l3addr_unreachable",
]);

/** The largest frame the box accepts (the doc's 1 MB). */
const MAX_FRAME_BYTES = 1024 * 1024;

interface Subscriber {
  socket: WebSocket;
  events: ReadonlySet<string>;
}

export class SimEventHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly sockets = new Set<WebSocket>();
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly core: SimCore) {}

  /** Registered subscribers (tests wait for the bridge's registration). */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** The upgrade of an API path (`path` after /api/vN/); anything else is the box's 404. */
  upgrade(
    path: string,
    sessionToken: string | undefined,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): void {
    if (!/^ws\/event\/?$/.test(path) || this.core.faults.refuseEventStream) {
      refuseUpgrade(socket, notFoundReply(false));
      return;
    }
    try {
      this.core.auth.check(sessionToken, this.core.faults.expireEveryCall);
    } catch (error) {
      if (!(error instanceof SimApiError)) throw error;
      error.extra.uid ??= this.core.state.box.uid;
      refuseUpgrade(socket, errorReply(error));
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** A notification to every subscriber of `source_event` (the page's notification shape). */
  emit(source: string, event: string, result: unknown): void {
    const name = `${source}_${event}`;
    let text: string | undefined;
    for (const subscriber of this.subscribers) {
      if (!subscriber.events.has(name)) continue;
      text ??= JSON.stringify({ action: "notification", success: true, source, event, result });
      subscriber.socket.send(text);
    }
  }

  /** Cuts every stream without a close frame, as a dropped link or a rebooting box does. */
  dropAll(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  close(): void {
    this.dropAll();
    this.wss.close();
  }

  private accept(socket: WebSocket): void {
    this.sockets.add(socket);
    let subscriber: Subscriber | undefined;
    socket.on("error", () => {});
    socket.on("close", () => {
      this.sockets.delete(socket);
      if (subscriber) this.subscribers.delete(subscriber);
    });
    socket.on("message", (data: RawData) => {
      const request = parse(data);
      const requestId = request?.request_id === undefined ? {} : { request_id: request.request_id };
      if (request?.action !== "register" || !Array.isArray(request.events)) {
        socket.send(
          JSON.stringify({ success: false, error_code: "inval", msg: "Requête invalide", ...requestId }),
        );
        return;
      }
      const events = request.events.map(String);
      const unsupported = events.find((name) => !SUPPORTED_EVENTS.has(name));
      if (unsupported !== undefined) {
        socket.send(
          JSON.stringify({
            action: "register",
            msg: `unsupported event ${unsupported}`,
            success: false,
            error_code: "inval",
            ...requestId,
          }),
        );
        socket.close(1000);
        return;
      }
      if (subscriber) this.subscribers.delete(subscriber);
      subscriber = { socket, events: new Set(events) };
      this.subscribers.add(subscriber);
      socket.send(JSON.stringify({ success: true, action: "register", ...requestId }));
    });
  }
}

function parse(data: RawData): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(data.toString());
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An HTTP answer on the raw socket instead of the upgrade, then the connection ends. */
export function refuseUpgrade(socket: Duplex, reply: Reply): void {
  const reason = reply.status === 403 ? "Forbidden" : reply.status === 404 ? "Not Found" : "Error";
  socket.end(
    `HTTP/1.1 ${reply.status} ${reason}\r\nContent-Type: ${reply.contentType}\r\n` +
      `Content-Length: ${Buffer.byteLength(reply.body)}\r\nConnection: close\r\n\r\n${reply.body}`,
  );
}
