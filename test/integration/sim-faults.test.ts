// Every fault knob of the simulator, as a client sees it.
import { Agent, request } from "node:http";
import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import type { SimulatorOptions } from "../../src/sim/index.js";
import { call, openSession } from "../../src/sim/testing.js";
import { useSimulators } from "./sim-helpers.js";

const sim = useSimulators();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function box(options: SimulatorOptions = {}) {
  const s = await sim(options);
  const token = s.pairApp("app", { settings: true });
  const session = await openSession(s.url, "app", token);
  const get = (path: string) => call(s.url, "GET", path, { session });
  const raw = (path: string) => fetch(`${s.url}/api/v15/${path}`, { headers: { "X-Fbx-App-Auth": session } });
  return { s, token, session, get, raw };
}

/** GET /api_version through node:http with the given agent: the status and the socket used. */
function httpGetWithSocket(url: string, agent: Agent): Promise<{ status: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api_version`, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, socket: req.socket as Socket }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function httpGet(url: string, agent: Agent): Promise<number> {
  return (await httpGetWithSocket(url, agent)).status;
}

describe("counted faults", () => {
  it("status5xx: next N answer 502 with HTML, then normal; /api_version untouched", async () => {
    const { s, raw, get } = await box();
    s.faults.status5xx = 2;
    expect((await fetch(`${s.url}/api_version`)).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const res = await raw("connection/");
      expect(res.status).toBe(502);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(await res.text()).toContain("502 Bad Gateway");
    }
    expect(s.faults.status5xx).toBe(0);
    expect((await get("connection/")).body.success).toBe(true);
  });

  it("malformed: 200 with a body that is not JSON", async () => {
    const { s, raw, get } = await box();
    s.faults.malformed = 1;
    const res = await raw("connection/");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
    expect((await get("connection/")).body.success).toBe(true);
  });

  it("drop: the connection is reset without an answer", async () => {
    const { s, raw, get } = await box();
    s.faults.drop = 1;
    await expect(raw("connection/")).rejects.toThrow();
    expect(s.faults.drop).toBe(0);
    expect((await get("connection/")).body.success).toBe(true);
  });

  it("busy: HTTP 200 with error_code busy", async () => {
    const { s, get } = await box();
    s.faults.busy = 1;
    const res = await get("dhcp/config/");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, error_code: "busy", msg: expect.any(String) });
    expect((await get("dhcp/config/")).body.success).toBe(true);
  });

  it("ratelimitLogin: only POST login/session/ answers 403 ratelimited", async () => {
    const { s, token, get } = await box();
    s.faults.ratelimitLogin = 1;
    expect((await get("connection/")).body.success).toBe(true);
    expect(s.faults.ratelimitLogin).toBe(1);
    await expect(openSession(s.url, "app", token)).rejects.toThrow(/ratelimited/);
    const res = await call(s.url, "POST", "login/session/", { body: { app_id: "app", password: "x" } });
    expect(res.body.error_code).toBe("invalid_token");
    await expect(openSession(s.url, "app", token)).resolves.toEqual(expect.any(String));
  });

  it("match: counted faults apply only to matching paths, /api_version included if it matches", async () => {
    const { s, raw, get } = await box();
    s.faults.match = /^dhcp\//;
    s.faults.status5xx = 1;
    expect((await get("connection/")).body.success).toBe(true);
    expect((await raw("dhcp/config/")).status).toBe(502);
    expect((await raw("dhcp/config/")).status).toBe(200);
    s.faults.match = /api_version/g;
    s.faults.busy = 2;
    expect((await get("connection/")).body.success).toBe(true);
    const version = (await (await fetch(`${s.url}/api_version`)).json()) as Record<string, unknown>;
    expect(version).toMatchObject({ success: false, error_code: "busy" });
    expect(s.faults.busy).toBe(1);
  });
});

describe("state faults", () => {
  it("latencyMs delays every answer", async () => {
    const { s, get } = await box();
    s.faults.latencyMs = 80;
    const start = Date.now();
    await get("connection/");
    expect(Date.now() - start).toBeGreaterThanOrEqual(75);
  });

  it("netdown: connection/* answer netdown, the rest works", async () => {
    const { s, get } = await box();
    s.faults.netdown = true;
    const res = await get("connection/config/");
    expect(res.status).toBe(200);
    expect(res.body.error_code).toBe("netdown");
    expect((await get("dhcp/config/")).body.success).toBe(true);
    s.faults.netdown = false;
    expect((await get("connection/")).body.success).toBe(true);
  });

  it("expireEveryCall: every authenticated call finds its session expired", async () => {
    const { s, token, get } = await box();
    s.faults.expireEveryCall = true;
    expect((await get("connection/")).body.error_code).toBe("auth_required");
    const fresh = await openSession(s.url, "app", token);
    const res = await call(s.url, "GET", "connection/", { session: fresh });
    expect(res.status).toBe(403);
    expect(res.body.error_code).toBe("auth_required");
    s.faults.expireEveryCall = false;
    const third = await openSession(s.url, "app", token);
    expect((await call(s.url, "GET", "connection/", { session: third })).body.success).toBe(true);
  });

  it("hang: requests are never answered while on", async () => {
    const { s, raw, get } = await box();
    s.faults.hang = true;
    const hung = fetch(`${s.url}/api/v15/connection/`, { signal: AbortSignal.timeout(100) });
    await expect(hung).rejects.toThrow();
    s.faults.hang = false;
    expect((await get("connection/")).body.success).toBe(true);
    expect((await raw("connection/")).status).toBe(200);
  });

  it("unreachable: new connections and open sockets are cut, until turned off", async () => {
    const { s, get } = await box();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const { status, socket } = await httpGetWithSocket(s.url, agent);
    expect(status).toBe(200);
    expect(socket.destroyed).toBe(false);
    const closed = new Promise((resolve) => socket.once("close", resolve));
    s.faults.unreachable = true;
    // The kept-alive socket is cut by the box, not by the client.
    await closed;
    await expect(fetch(`${s.url}/api_version`)).rejects.toThrow();
    s.faults.unreachable = false;
    expect((await get("connection/")).body.success).toBe(true);
    agent.destroy();
  });
});

describe("connections counter", () => {
  it("counts TCP connections: one for keep-alive, one per request without", async () => {
    const s = await sim();
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 5; i++) expect(await httpGet(s.url, keepAlive)).toBe(200);
    expect(s.connections).toBe(1);
    keepAlive.destroy();
    const noKeepAlive = new Agent({ keepAlive: false });
    for (let i = 0; i < 3; i++) expect(await httpGet(s.url, noKeepAlive)).toBe(200);
    expect(s.connections).toBe(4);
    await sleep(0);
  });
});
