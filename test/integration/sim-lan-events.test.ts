// The simulator's event WebSocket (freebox-api-lan-browser, "Event stream"), seen by a plain `ws`
// client: the session is checked at the upgrade, registration, notifications with the whole host,
// and the knobs that refuse or drop the stream.
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { LanHost } from "../../src/freebox/types.js";
import type { Simulator } from "../../src/sim/index.js";
import { openSession } from "../../src/sim/testing.js";
import { useSimulators } from "./sim-helpers.js";

const sim = useSimulators();
const sockets: WebSocket[] = [];
// Registered after the simulators' hook, so run before it: the sockets go first.
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.terminate();
});

async function box() {
  const s = await sim();
  const session = await openSession(s.url, "app", s.pairApp("app"));
  return { s, session };
}

/** The upgrade's outcome: "open", or the HTTP status and body the box answered instead. */
function connect(
  url: string,
  session: string | undefined,
): Promise<{ socket: WebSocket; status?: number; body?: string }> {
  const socket = new WebSocket(url.replace(/^http/, "ws"), {
    headers: session === undefined ? {} : { "X-Fbx-App-Auth": session },
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve({ socket }));
    socket.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => resolve({ socket, status: res.statusCode ?? 0, body }));
    });
    socket.once("error", reject);
  });
}

/** The next JSON message on the socket. */
async function next(socket: WebSocket): Promise<Record<string, unknown>> {
  const [data] = (await once(socket, "message")) as [Buffer];
  return JSON.parse(data.toString()) as Record<string, unknown>;
}

const EVENTS = ["lan_host_l3addr_reachable", "lan_host_l3addr_unreachable"];

async function registered(s: Simulator, session: string): Promise<WebSocket> {
  const { socket } = await connect(`${s.url}/api/v15/ws/event`, session);
  socket.send(JSON.stringify({ action: "register", events: EVENTS, request_id: 7 }));
  expect(await next(socket)).toEqual({ success: true, action: "register", request_id: 7 });
  expect(s.eventSubscribers).toBe(1);
  return socket;
}

describe("event stream", () => {
  it("refuses an upgrade without a live session with the box's 403", async () => {
    const { s } = await box();
    const none = await connect(`${s.url}/api/v15/ws/event`, undefined);
    expect(none.status).toBe(403);
    expect(JSON.parse(none.body ?? "")).toMatchObject({ success: false, error_code: "auth_required" });
    const stale = await connect(`${s.url}/api/v15/ws/event`, "not-a-session");
    expect(stale.status).toBe(403);
    expect(s.requests.at(-1)).toMatchObject({ path: "ws/event", authenticated: false });
  });

  it("sends each registered event with the whole LanHost, source and event split", async () => {
    const { s, session } = await box();
    const socket = await registered(s, session);
    const mac = s.state.staticLeases[0]?.mac ?? "";
    s.hostLeaves(mac);
    const left = await next(socket);
    expect(left).toMatchObject({
      action: "notification",
      success: true,
      source: "lan_host",
      event: "l3addr_unreachable",
    });
    expect((left.result as LanHost).l2ident?.id).toBe(mac);
    expect((left.result as LanHost).active).toBe(false);
    const fresh = s.hostArrives();
    const joined = await next(socket);
    expect(joined).toMatchObject({
      source: "lan_host",
      event: "l3addr_reachable",
      result: { id: fresh.id, active: true },
    });
  });

  it("one unsupported event fails the whole registration and the box closes the socket (1000)", async () => {
    const { s, session } = await box();
    const { socket } = await connect(`${s.url}/api/v15/ws/event`, session);
    const closed = once(socket, "close");
    socket.send(JSON.stringify({ action: "register", events: [...EVENTS, "vm_state_changed"] }));
    expect(await next(socket)).toEqual({
      action: "register",
      msg: "unsupported event vm_state_changed",
      success: false,
      error_code: "inval",
    });
    const [code] = (await closed) as [number];
    expect(code).toBe(1000);
    expect(s.eventSubscribers).toBe(0);
  });

  it("knobs: refuse the stream (404, older firmware) and drop open streams", async () => {
    const { s, session } = await box();
    const socket = await registered(s, session);
    const closed = once(socket, "close");
    s.dropEventStreams();
    const [code] = (await closed) as [number];
    expect(code).toBe(1006);
    s.faults.refuseEventStream = true;
    const refused = await connect(`${s.url}/api/v15/ws/event`, session);
    expect(refused.status).toBe(404);
  });

  it("an expired session is refused at the next upgrade; a version above the box's is a 404", async () => {
    const { s, session } = await box();
    s.expireSessions();
    expect((await connect(`${s.url}/api/v15/ws/event`, session)).status).toBe(403);
    const fresh = await openSession(s.url, "app2", s.pairApp("app2"));
    expect((await connect(`${s.url}/api/v99/ws/event`, fresh)).status).toBe(404);
  });
});
