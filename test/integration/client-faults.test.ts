// Each fault knob of the simulator, and how the client reports it: timeouts, GET retries with
// backoff (never for writes), invalid answers, resets, an unreachable box, busy and netdown.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FreeboxClient } from "../../src/freebox/client.js";
import { type Simulator, startSimulator } from "../../src/sim/index.js";
import { APP_ID, captureLogs, expectNoSecret, failure, makeClient, tempDir } from "./client-helpers.js";

let sim: Simulator;
let client: FreeboxClient;
let dir: { path: string; remove(): Promise<void> };
let token: string;

beforeEach(async () => {
  sim = await startSimulator({ port: 0 });
  token = sim.pairApp(APP_ID, { settings: true });
  dir = await tempDir();
  client = makeClient(sim.url, dir.path, captureLogs().logger, { appToken: token, timeoutMs: 300 });
  // Discovery and session first, so that each test counts only its own calls.
  await client.getConnectionStatus();
  sim.clearRequests();
});
afterEach(async () => {
  await client.close();
  await sim.close();
  await dir.remove();
});

const count = (method: string, path: string) =>
  sim.requests.filter((r) => r.method === method && r.path === path).length;

describe("timeouts", () => {
  it("latency above timeoutMs is a timeout, with the bound in the message", async () => {
    sim.faults.latencyMs = 600;
    const started = Date.now();
    const error = await failure(client.getConnectionStatus());
    expect(error.code).toBe("timeout");
    expect(error.message).toContain("300 ms");
    expect(error.isTransport).toBe(true);
    // Not retried: one timeout is reported at once.
    expect(Date.now() - started).toBeLessThan(550);
    sim.faults.latencyMs = 0;
    await client.getConnectionStatus();
  });

  it("a box that never answers is a timeout, for reads and writes", async () => {
    sim.faults.hang = true;
    expect((await failure(client.getDhcpConfig())).code).toBe("timeout");
    expect((await failure(client.updateDhcpConfig({ enabled: true }))).code).toBe("timeout");
    sim.faults.hang = false;
    expect((await client.getDhcpConfig()).enabled).toBeTypeOf("boolean");
  });
});

describe("5xx answers", () => {
  it("a GET is retried with backoff and succeeds", async () => {
    sim.faults.status5xx = 2;
    expect((await client.getConnectionConfig()).ping).toBeTypeOf("boolean");
    expect(count("GET", "connection/config/")).toBe(3);
  });

  it("a GET still failing after the retries is http_error with the status", async () => {
    sim.faults.status5xx = 5;
    const error = await failure(client.getConnectionConfig());
    expect(error.code).toBe("http_error");
    expect(error.httpStatus).toBe(502);
    expect(count("GET", "connection/config/")).toBe(3);
  });

  it("a PUT is never retried", async () => {
    sim.faults.status5xx = 1;
    const error = await failure(client.updateConnectionConfig({ wol: true }));
    expect(error.code).toBe("http_error");
    expect(count("PUT", "connection/config/")).toBe(1);
  });

  it("neither are POST and DELETE", async () => {
    sim.faults.status5xx = 2;
    await failure(client.addStaticLease({ mac: "00:00:00:11:11:11", ip: "192.168.1.222" }));
    const id = sim.state.staticLeases[0]?.mac ?? "";
    await failure(client.deleteStaticLease(id));
    expect(count("POST", "dhcp/static_lease/")).toBe(1);
    expect(sim.requests.filter((r) => r.method === "DELETE")).toHaveLength(1);
  });
});

describe("invalid answers and broken connections", () => {
  it("a truncated JSON answer is bad_response", async () => {
    sim.faults.malformed = 1;
    const error = await failure(client.getConnectionStatus());
    expect(error.code).toBe("bad_response");
    expect(error.isTransport).toBe(true);
  });

  it("a reset connection: GET retried, PUT reported as unreachable", async () => {
    sim.faults.drop = 1;
    expect((await client.getConnectionStatus()).state).toBe("up");
    expect(count("GET", "connection/")).toBe(2);
    sim.clearRequests();
    sim.faults.drop = 1;
    const error = await failure(client.updateConnectionConfig({ wol: true }));
    expect(error.code).toBe("unreachable");
    expect(count("PUT", "connection/config/")).toBe(1);
  });

  it("an unreachable box is unreachable; calls work again once it is back", async () => {
    sim.faults.unreachable = true;
    const error = await failure(client.getConnectionStatus());
    expect(error.code).toBe("unreachable");
    expect(error.message).toContain(sim.url);
    expectNoSecret(error, [token]);
    sim.faults.unreachable = false;
    expect((await client.getConnectionStatus()).state).toBe("up");
  });

  it("nothing listening: unreachable at discovery", async () => {
    const url = sim.url;
    await sim.close();
    const lone = makeClient(url, dir.path, captureLogs().logger, { appToken: token });
    const error = await failure(lone.getConnectionStatus());
    expect(error.code).toBe("unreachable");
    expect(error.message).toContain("ECONNREFUSED");
    await lone.close();
    sim = await startSimulator({ port: 0 });
  });

  it("match limits a counted fault to matching paths", async () => {
    sim.faults.match = /^dhcp\//;
    sim.faults.malformed = 1;
    await client.getConnectionStatus();
    expect((await failure(client.getDhcpConfig())).code).toBe("bad_response");
  });
});

describe("box errors from fault knobs", () => {
  it("busy surfaces as busy and is not retried", async () => {
    sim.faults.busy = 1;
    const error = await failure(client.getDhcpConfig());
    expect(error.code).toBe("busy");
    expect(error.message).toContain("busy");
    expect(count("GET", "dhcp/config/")).toBe(1);
  });

  it("netdown on connection/* only", async () => {
    sim.faults.netdown = true;
    expect((await failure(client.getConnectionStatus())).code).toBe("netdown");
    expect((await failure(client.getDdnsStatus("ovh"))).code).toBe("netdown");
    expect((await client.getDhcpConfig()).enabled).toBeTypeOf("boolean");
  });
});

describe("documented error codes produced by the simulator", () => {
  it("connection page: invalid_port, port_outside_range, insecure_password, invalid_next_hop, inval", async () => {
    expect((await failure(client.updateConnectionConfig({ remote_access_port: 70000 }))).code).toBe(
      "invalid_port",
    );
    sim.state.connection.ipv4_port_range = [0, 16383];
    expect((await failure(client.updateConnectionConfig({ remote_access_port: 20000 }))).code).toBe(
      "port_outside_range",
    );
    sim.state.config.is_secure_pass = false;
    expect((await failure(client.updateConnectionConfig({ remote_access: true }))).code).toBe(
      "insecure_password",
    );
    const prefix = sim.state.ipv6.delegations[0]?.prefix ?? "";
    expect(
      (await failure(client.updateIpv6Config({ delegations: [{ prefix, next_hop: "2001:db8::1" }] }))).code,
    ).toBe("invalid_next_hop");
    expect(
      (await failure(client.updateIpv6Config({ delegations: [{ prefix: "nope", next_hop: "" }] }))).code,
    ).toBe("inval");
  });

  it("DHCP page: inval_ip_range, inval_ip_range_net, exist, noent, inval_netmask, inval_gw_net", async () => {
    const check = async (p: Promise<unknown>, code: string) => expect((await failure(p)).code).toBe(code);
    await check(
      client.updateDhcpConfig({ ip_range_start: "192.168.1.60", ip_range_end: "192.168.1.50" }),
      "inval_ip_range",
    );
    await check(
      client.updateDhcpConfig({ ip_range_start: "10.0.0.2", ip_range_end: "10.0.0.9" }),
      "inval_ip_range_net",
    );
    const taken = sim.state.staticLeases[0];
    await check(client.addStaticLease({ mac: taken?.mac ?? "", ip: "192.168.1.201" }), "exist");
    await check(client.getStaticLease("00:11:22:33:44:55"), "noent");
    sim.state.dhcp.netmask = "255.0.255.0";
    await check(client.updateDhcpConfig({ enabled: true }), "inval_netmask");
    sim.state.dhcp.netmask = "255.255.255.0";
    sim.state.dhcp.gateway = "192.168.1.255";
    await check(client.updateDhcpConfig({ enabled: true }), "inval_gw_net");
  });
});
