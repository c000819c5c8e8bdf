// Every endpoint of freebox-api-connection and freebox-api-dhcp, plus system/, against the
// simulator: the request the box received and the typed result.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FreeboxClient } from "../../src/freebox/client.js";
import { DDNS_PROVIDERS, type DdnsProvider } from "../../src/freebox/types.js";
import { type Simulator, startSimulator } from "../../src/sim/index.js";
import { APP_ID, captureLogs, failure, makeClient, tempDir } from "./client-helpers.js";

let sim: Simulator;
let client: FreeboxClient;
let dir: { path: string; remove(): Promise<void> };

async function setup(options: Parameters<typeof startSimulator>[0] = {}, settings = true) {
  sim = await startSimulator({ port: 0, ...options });
  const token = sim.pairApp(APP_ID, { settings });
  dir = await tempDir();
  client = makeClient(sim.url, dir.path, captureLogs().logger, { appToken: token });
}

afterEach(async () => {
  await client.close();
  await sim.close();
  await dir.remove();
});

/** The API calls received since the last clear, without discovery and login. */
const calls = () =>
  sim.requests
    .filter((r) => r.major !== null && !r.path.startsWith("login/"))
    .map((r) => `${r.method} ${r.path}`);
const last = () => sim.requests.at(-1);

describe("connection endpoints", () => {
  beforeEach(() => setup());

  it("GET connection/ through the box's major with a session", async () => {
    const status = await client.getConnectionStatus();
    expect(status).toMatchObject({ state: "up", media: "ftth" });
    expect(typeof status.bandwidth_down).toBe("number");
    expect(status.ipv4).toBe(sim.state.connection.ipv4);
    expect(last()).toMatchObject({ method: "GET", path: "connection/", major: 15, authenticated: true });
    expect(client.apiMajor).toBe(15);
  });

  it("ipv4/ipv6 are absent when the line is down", async () => {
    sim.setLinkState("down");
    const status = await client.getConnectionStatus();
    expect(status.state).toBe("down");
    expect(status.ipv4).toBeUndefined();
  });

  it("GET and PUT connection/config/", async () => {
    expect(await client.getConnectionConfig()).toMatchObject({ ping: true, wol: false });
    const updated = await client.updateConnectionConfig({ ping: false, wol: true });
    expect(updated).toMatchObject({ ping: false, wol: true });
    expect(last()).toMatchObject({
      method: "PUT",
      path: "connection/config/",
      body: { ping: false, wol: true },
    });
    expect(sim.state.config.wol).toBe(true);
  });

  it("GET and PUT connection/ipv6/config/", async () => {
    const ipv6 = await client.getIpv6Config();
    expect(ipv6.delegations).toHaveLength(8);
    const prefix = ipv6.delegations[2]?.prefix ?? "";
    const updated = await client.updateIpv6Config({
      delegations: [{ prefix, next_hop: "fe80::be30:5bff:feb5:fcc7" }],
    });
    expect(updated.delegations[2]?.next_hop).toBe("fe80::be30:5bff:feb5:fcc7");
    expect(last()).toMatchObject({ method: "PUT", path: "connection/ipv6/config/" });
  });

  it("GET connection/ftth/ on fibre and connection/xdsl/ on xDSL", async () => {
    const ftth = await client.getFtth();
    expect(typeof ftth.sfp_present).toBe("boolean");
    expect(last()?.path).toBe("connection/ftth/");
    sim.setMedia("xdsl");
    const xdsl = await client.getXdsl();
    expect(xdsl.status.status).toBeTypeOf("string");
    expect(typeof xdsl.down.rate).toBe("number");
    expect(last()?.path).toBe("connection/xdsl/");
  });

  it.each(DDNS_PROVIDERS)("DynDNS %s: status, config, update (password sent, never returned)", async (p) => {
    const status = await client.getDdnsStatus(p);
    expect(status.status).toBe("disabled");
    expect(last()?.path).toBe(`connection/ddns/${p}/status/`);
    expect(await client.getDdnsConfig(p)).toMatchObject({ enabled: false });
    expect(last()?.path).toBe(`connection/ddns/${p}/`);
    const updated = await client.updateDdnsConfig(p, {
      enabled: true,
      user: "me",
      hostname: "me.example.net",
      password: "ddns-secret-pw",
    });
    expect(updated).toMatchObject({ enabled: true, user: "me", hostname: "me.example.net" });
    expect(updated).not.toHaveProperty("password");
    expect(last()).toMatchObject({ method: "PUT", path: `connection/ddns/${p}/`, body: { user: "me" } });
  });

  it("refuses an unknown DynDNS provider before any call", async () => {
    sim.clearRequests();
    const error = await failure(client.getDdnsConfig("duckdns" as DdnsProvider));
    expect(error.code).toBe("invalid_provider");
    expect(error.message).toContain('"duckdns"');
    await failure(client.updateDdnsConfig("../dhcp" as DdnsProvider, { enabled: true }));
    expect(sim.requests).toHaveLength(0);
  });
});

describe("answers are read afresh", () => {
  beforeEach(() => setup());

  // No answer is kept between calls: the bridge's change detection works on what it publishes.
  it("every GET reaches the box and gives its current answer; an error answer is an error", async () => {
    const first = await client.getConnectionConfig();
    sim.state.config.wol = !first.wol;
    expect((await client.getConnectionConfig()).wol).toBe(!first.wol);
    sim.faults.busy = 1;
    expect((await failure(client.getConnectionConfig())).code).toBe("busy");
    expect(await client.getConnectionConfig()).toEqual({ ...first, wol: !first.wol });
    expect(calls()).toEqual(Array(4).fill("GET connection/config/"));
  });
});

describe("DHCP endpoints", () => {
  beforeEach(() => setup());

  it("GET and PUT dhcp/config/", async () => {
    const config = await client.getDhcpConfig();
    expect(config).toMatchObject({ gateway: "192.168.1.254", netmask: "255.255.255.0" });
    expect(config.dns).toHaveLength(5);
    const updated = await client.updateDhcpConfig({ ip_range_end: "192.168.1.60", always_broadcast: true });
    expect(updated).toMatchObject({ ip_range_end: "192.168.1.60", always_broadcast: true });
    expect(last()).toMatchObject({ method: "PUT", path: "dhcp/config/", major: 15 });
  });

  it("lists, gets, adds, updates and deletes static leases (id = MAC, URL-encoded)", async () => {
    const leases = await client.listStaticLeases();
    expect(leases.length).toBe(sim.state.staticLeases.length);
    const first = leases[0];
    if (!first) throw new Error("no static lease");
    expect(first.id).toBe(first.mac);

    const one = await client.getStaticLease(first.id);
    expect(one).toMatchObject({ id: first.id, ip: first.ip });
    expect(last()?.path).toBe(`dhcp/static_lease/${encodeURIComponent(first.id)}`);

    const added = await client.addStaticLease({
      mac: "00:00:00:11:11:11",
      ip: "192.168.1.222",
      comment: "nas",
    });
    expect(added).toMatchObject({ id: "00:00:00:11:11:11", ip: "192.168.1.222", comment: "nas" });
    expect(last()).toMatchObject({
      method: "POST",
      path: "dhcp/static_lease/",
      body: { ip: "192.168.1.222" },
    });

    const updated = await client.updateStaticLease("00:00:00:11:11:11", { comment: "Mon PC" });
    expect(updated.comment).toBe("Mon PC");
    expect(last()).toMatchObject({ method: "PUT", body: { comment: "Mon PC" } });

    await expect(client.deleteStaticLease("00:00:00:11:11:11")).resolves.toBeUndefined();
    expect(last()?.method).toBe("DELETE");
    expect(sim.state.staticLeases.some((l) => l.mac === "00:00:00:11:11:11")).toBe(false);
    expect((await failure(client.getStaticLease("00:00:00:11:11:11"))).code).toBe("noent");
  });

  it("an id with a slash cannot escape the lease path", async () => {
    sim.clearRequests();
    await failure(client.getStaticLease("../config"));
    expect(last()?.path).not.toBe("dhcp/config/");
    sim.clearRequests();
    for (const id of ["", ".", ".."])
      expect((await failure(client.deleteStaticLease(id))).code).toBe("inval");
    expect(sim.requests).toHaveLength(0);
  });

  it("lists dynamic leases", async () => {
    const leases = await client.listDynamicLeases();
    expect(leases.length).toBe(sim.state.dynamicLeases.length);
    expect(leases[0]).toMatchObject({ is_static: expect.any(Boolean), lease_remaining: expect.any(Number) });
    expect(last()).toMatchObject({ method: "GET", path: "dhcp/dynamic_lease/" });
  });
});

describe("system, reboot, logout, permissions", () => {
  it("GET system/ in the v6+ shape", async () => {
    await setup();
    const system = await client.getSystem();
    expect(system.mac).toBe(sim.state.system.mac);
    expect(system.sensors.length).toBeGreaterThan(0);
    expect(system.fans[0]?.id).toBe("fan0_speed");
    expect(system.sensors.some((s) => s.value === undefined)).toBe(true);
  });

  it("GET system/ in the v5 flat shape becomes sensors[]/fans[]", async () => {
    await setup({ apiVersion: "5.0", media: "xdsl" });
    const system = await client.getSystem();
    expect(client.apiMajor).toBe(5);
    expect(last()).toMatchObject({ path: "system/", major: 5 });
    expect(system.sensors.map((s) => s.id)).toContain("temp_cpum");
    expect(system.fans.length).toBeGreaterThan(0);
    expect(system.temp_cpum).toBeTypeOf("number");
  });

  it("POST system/reboot/, then the box comes back", async () => {
    await setup({ rebootMs: 200 });
    await client.reboot();
    expect(calls()).toContain("POST system/reboot/");
    expect(last()).toMatchObject({ method: "POST", path: "system/reboot/", authenticated: true });
    // Back after rebootMs with every session forgotten: one re-login, then the call succeeds.
    await new Promise((r) => setTimeout(r, 400));
    sim.clearRequests();
    expect((await client.getConnectionStatus()).state).toBe("up");
    expect(sim.requests.filter((r) => r.path === "login/session/")).toHaveLength(1);
  });

  it("permissions() reports the session's rights, missing keys false", async () => {
    await setup({}, false);
    const permissions = await client.permissions();
    expect(permissions.settings).toBe(false);
    expect(permissions.wdo).toBe(false);
    expect(typeof permissions.explorer).toBe("boolean");
  });

  it("logout ends the session; the next call opens a new one", async () => {
    await setup();
    await client.getConnectionStatus();
    await client.logout();
    expect(sim.requests.some((r) => r.method === "POST" && r.path === "login/logout/")).toBe(true);
    sim.clearRequests();
    await client.getConnectionStatus();
    expect(sim.requests.filter((r) => r.path === "login/session/")).toHaveLength(1);
  });

  it("reuses one keep-alive connection across calls", async () => {
    await setup();
    for (let i = 0; i < 20; i++) await client.getConnectionStatus();
    await Promise.all([client.getDhcpConfig(), client.getConnectionConfig(), client.listDynamicLeases()]);
    expect(sim.connections).toBe(1);
  });

  it("the constructor does nothing until a call", async () => {
    await setup();
    expect(sim.requests).toHaveLength(0);
    expect(client.apiMajor).toBeUndefined();
  });
});

describe("version capping", () => {
  it.each([
    ["16.0", undefined, 15],
    ["15.0", undefined, 15],
    ["12.3", undefined, 12],
    ["15.0", 8, 8],
    ["10.0", 12, 10],
  ])("box %s with FREEBOX_API_VERSION %s uses v%i", async (apiVersion, max, major) => {
    sim = await startSimulator({ port: 0, apiVersion });
    const token = sim.pairApp(APP_ID, { settings: true });
    dir = await tempDir();
    client = makeClient(sim.url, dir.path, captureLogs().logger, {
      appToken: token,
      maxApiVersion: max ?? null,
    });
    await client.getDhcpConfig();
    expect(client.apiMajor).toBe(major);
    expect((await client.apiVersion()).api_version).toBe(apiVersion);
    expect(sim.requests.filter((r) => r.major !== null).every((r) => r.major === major)).toBe(true);
  });
});
