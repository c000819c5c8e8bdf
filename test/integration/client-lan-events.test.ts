// The client's LAN browser calls and its event stream (freebox-api-lan-browser) against the
// simulator: notifications, reconnection after a drop, an unreachable box and an expired
// session, a box without the stream (404), a refused registration, the frame cap, HTTPS with the
// Freebox name for a bare IP, and a bounded stop.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { FreeboxClient } from "../../src/freebox/client.js";
import { type BoxNotification, EventStream, type EventStreamOptions } from "../../src/freebox/events.js";
import type { LanHost } from "../../src/freebox/types.js";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/sim/index.js";
import { APP_ID, captureLogs, expectNoSecret, failure, makeClient, tempDir } from "./client-helpers.js";
import { sleep, until } from "./mqtt-helpers.js";

const LAN_EVENTS = ["lan_host_l3addr_reachable", "lan_host_l3addr_unreachable"];
const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url)), "utf8");

let sim: Simulator;
let dir: { path: string; remove(): Promise<void> };
const clients: FreeboxClient[] = [];
const streams: EventStream[] = [];

afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.stop()));
  for (const c of clients.splice(0)) await c.close();
  await sim.close();
  await dir.remove();
});

async function start(options: SimulatorOptions = {}, extraCa?: string[]) {
  sim = await startSimulator(options);
  dir = await tempDir();
  const logs = captureLogs();
  const client = makeClient(sim.url, dir.path, logs.logger, {
    appToken: sim.pairApp(APP_ID),
    ...(extraCa ? { extraCa } : {}),
  });
  clients.push(client);
  return { client, logs };
}

/** A stream on `source` (a client, or a scripted box) that records what it is told. */
function stream(
  source: EventStreamOptions["source"],
  logs: ReturnType<typeof captureLogs>,
  over: Partial<EventStreamOptions> = {},
) {
  const seen = { ready: 0, down: 0, unavailable: [] as string[], notifications: [] as BoxNotification[] };
  const s = new EventStream({
    source,
    events: LAN_EVENTS,
    logger: logs.logger,
    backoff: { baseMs: 10, maxMs: 100 },
    handlers: {
      onReady: () => seen.ready++,
      onDown: () => seen.down++,
      onUnavailable: (reason) => seen.unavailable.push(reason),
      onNotification: (n) => seen.notifications.push(n),
    },
    ...over,
  });
  streams.push(s);
  s.start();
  return { s, seen };
}

const upgrades = () => sim.requests.filter((r) => r.path === "ws/event").length;
const macOf = (n: BoxNotification | undefined) => (n?.result as LanHost | undefined)?.l2ident?.id;

describe("LAN browser calls", () => {
  it("lists the interfaces and each one's hosts; an empty interface is an empty list", async () => {
    const { client } = await start({ lanHosts: 4 });
    expect((await client.listLanInterfaces()).map((i) => i.name)).toEqual(["pub", "wifiguest"]);
    expect(await client.listLanHosts("pub")).toHaveLength(3 + 4 + 2);
    expect(await client.listLanHosts("wifiguest")).toHaveLength(2);
    sim.state.hosts = {};
    expect(await client.listLanHosts("pub")).toEqual([]);
    expect(await client.listLanHosts("wifiguest")).toEqual([]);
  });

  it("bridge mode is a FreeboxError nodev; a bad interface name is refused before any call", async () => {
    const { client } = await start();
    sim.faults.bridgeMode = true;
    expect((await failure(client.listLanInterfaces())).code).toBe("nodev");
    expect((await failure(client.listLanHosts("pub"))).code).toBe("nodev");
    sim.clearRequests();
    const error = await failure(client.listLanHosts("../system"));
    expect(error.code).toBe("inval");
    expect(error.message).toContain('"../system"');
    expect(sim.requests).toHaveLength(0);
  });
});

describe("event stream", () => {
  it("registers with the session header and delivers each notification by source_event name", async () => {
    const { client, logs } = await start();
    const { seen } = stream(client, logs);
    await until(() => seen.ready === 1 && sim.eventSubscribers === 1, 5000, "registration");
    expect(sim.requests.find((r) => r.path === "ws/event")).toMatchObject({ authenticated: true, major: 15 });
    const mac = sim.state.staticLeases[0]?.mac ?? "";
    sim.hostLeaves(mac);
    sim.hostArrives(mac);
    await until(() => seen.notifications.length === 2, 5000, "two notifications");
    expect(seen.notifications.map((n) => n.name)).toEqual(LAN_EVENTS.slice().reverse());
    expect(macOf(seen.notifications[0])).toBe(mac);
    expect((seen.notifications[1]?.result as LanHost | undefined)?.active).toBe(true);
  });

  it("reconnects after a drop and after the box was unreachable (a reboot), registering again", async () => {
    const { client, logs } = await start();
    const { seen } = stream(client, logs);
    await until(() => seen.ready === 1, 5000, "registration");
    sim.dropEventStreams();
    await until(() => seen.ready === 2 && sim.eventSubscribers === 1, 5000, "reconnection");
    expect(seen.down).toBe(1);
    sim.faults.unreachable = true;
    await until(() => seen.down === 2, 5000, "the stream going down");
    await until(() => upgrades() >= 2 && logs.matching("next attempt").length >= 2, 5000, "failed attempts");
    sim.faults.unreachable = false;
    await until(() => seen.ready === 3, 5000, "the stream back");
    expect(logs.matching("event stream back")).toHaveLength(2);
    sim.hostArrives();
    await until(() => seen.notifications.length === 1, 5000, "a notification after reconnecting");
  });

  it("a session refused at the upgrade (403) gets a new session, then the stream", async () => {
    const { client, logs } = await start();
    const { seen } = stream(client, logs);
    await until(() => seen.ready === 1, 5000, "registration");
    const logins = () => sim.requests.filter((r) => r.path === "login/session/").length;
    expect(logins()).toBe(1);
    sim.expireSessions();
    sim.dropEventStreams();
    await until(() => seen.ready === 2, 5000, "reconnection with a new session");
    expect(logins()).toBe(2);
    const refused = sim.requests.filter((r) => r.path === "ws/event" && !r.authenticated);
    expect(refused).toHaveLength(1);
    expect(logs.matching("refused the session at the upgrade (403)")).toHaveLength(1);
  });

  it("a box without the stream (404) is polled only: said once at info level, never tried again", async () => {
    const { client, logs } = await start();
    sim.faults.refuseEventStream = true;
    const { seen } = stream(client, logs);
    await until(() => seen.unavailable.length === 1, 5000, "unavailable");
    expect(seen.unavailable[0]).toMatch(/404/);
    await sleep(100); // ten backoff periods: a retry would show as a second upgrade
    expect(upgrades()).toBe(1);
    const said = logs.matching("polled only");
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('"level":"info"');
    expect(seen.ready).toBe(0);
  });

  it("a refused registration (one unsupported event) is polled only too, with the box's reason", async () => {
    const { client, logs } = await start();
    const { seen } = stream(client, logs, { events: [...LAN_EVENTS, "vm_state_changed"] });
    await until(() => seen.unavailable.length === 1, 5000, "unavailable");
    expect(seen.unavailable[0]).toContain("unsupported event vm_state_changed");
    expect(seen.ready).toBe(0);
  });

  it("a frame above the cap ends the connection, which comes back", async () => {
    const { client, logs } = await start();
    const { seen } = stream(client, logs, { maxFrameBytes: 4096 });
    await until(() => seen.ready === 1, 5000, "registration");
    const mac = sim.state.staticLeases[0]?.mac ?? "";
    const host = sim.state.hosts[mac];
    if (host) host.padding = "x".repeat(8192);
    sim.hostLeaves(mac);
    await until(() => seen.ready === 2, 5000, "reconnection");
    expect(seen.notifications).toHaveLength(0);
    expect(logs.matching("Max payload size exceeded")).not.toHaveLength(0);
  });

  it("wss: the test CA trusted and 127.0.0.1 verified as mafreebox.freebox.fr; no leak of the session", async () => {
    const tls = { key: fixture("leaf.key"), cert: fixture("leaf.pem") };
    const { client, logs } = await start({ tls }, [fixture("ca.pem")]);
    const { seen } = stream(client, logs);
    await until(() => seen.ready === 1, 5000, "registration over wss");
    const target = await client.eventStreamTarget();
    expect(target.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/api\/v15\/ws\/event$/);
    expect(target.tls?.servername).toBe("mafreebox.freebox.fr");
    expectNoSecret(logs.lines.join("\n"), [target.sessionToken]);
  });

  it("wss refuses a chain it cannot verify, and keeps trying without getting ready", async () => {
    const tls = { key: fixture("leaf.key"), cert: fixture("leaf.pem") };
    const { client, logs } = await start({ tls });
    // Without the CA the session itself cannot open: the stream waits for one.
    const { seen } = stream(client, logs);
    await until(() => logs.matching("next attempt").length >= 2, 5000, "two attempts");
    expect(seen.ready).toBe(0);
    expect(logs.matching("certificate").length).toBeGreaterThan(0);
  });

  it("stop closes the stream (the box sees it go) and schedules nothing", async () => {
    const { client, logs } = await start();
    const { s, seen } = stream(client, logs);
    await until(() => seen.ready === 1 && sim.eventSubscribers === 1, 5000, "registration");
    await s.stop();
    await until(() => sim.eventSubscribers === 0, 5000, "the box seeing the close");
    const before = upgrades();
    await sleep(100);
    expect(upgrades()).toBe(before);
    expect(seen.down).toBe(0);
  });
});

describe("event stream against a scripted box", () => {
  /** A WebSocket server on loopback that registers clients; `behave` scripts each connection. */
  async function scriptedBox(behave: (socket: import("ws").WebSocket, index: number) => void) {
    const { WebSocketServer } = await import("ws");
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0, autoPong: false });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    let connections = 0;
    server.on("connection", (socket) => behave(socket, connections++));
    const port = (server.address() as { port: number }).port;
    return {
      source: {
        eventStreamTarget: async () => ({
          url: `ws://127.0.0.1:${port}/api/v15/ws/event`,
          sessionToken: "t",
        }),
        dropSession: () => undefined,
      },
      connections: () => connections,
      close: () =>
        new Promise<void>((resolve) => {
          for (const client of server.clients) client.terminate();
          server.close(() => resolve());
        }),
    };
  }

  const register = (socket: import("ws").WebSocket) =>
    socket.on("message", () => socket.send(JSON.stringify({ success: true, action: "register" })));

  it("a box that answered pings and then stops is cut and connected again", async () => {
    // afterEach closes a simulator and a directory: these tests need neither, but have them.
    sim = await startSimulator();
    dir = await tempDir();
    const box = await scriptedBox((socket, index) => {
      register(socket);
      // The first connection answers one ping, then none; later ones answer every ping.
      let answered = 0;
      socket.on("ping", () => {
        if (index > 0 || answered++ === 0) socket.pong();
      });
    });
    const { s, seen } = stream(box.source, captureLogs(), {
      backoff: { baseMs: 10, maxMs: 50 },
      pingIntervalMs: 30,
    });
    await until(() => seen.ready === 2 && box.connections() === 2, 5000, "a second connection");
    await s.stop();
    await box.close();
  });

  it("a box that never answers the registration is cut and tried again", async () => {
    sim = await startSimulator(); // for afterEach, as above
    dir = await tempDir();
    const box = await scriptedBox((socket, index) => {
      if (index > 0) register(socket);
    });
    const { s, seen } = stream(box.source, captureLogs(), {
      backoff: { baseMs: 10, maxMs: 50 },
      handshakeTimeoutMs: 50,
    });
    await until(
      () => seen.ready === 1 && box.connections() === 2,
      5000,
      "registered on the second connection",
    );
    await s.stop();
    await box.close();
  });
});
