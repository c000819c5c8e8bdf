// Every command topic of README "Commands", in both forms where it has two:
// the box receives the right call, the answer is published on the right topic, the state is
// refreshed. Refusals are in commands-validation.test.ts, the rest in commands-behaviour.test.ts.
import { describe, expect, it } from "vitest";
import { CommandRouter } from "../../src/bridge/commands.js";
import { body, FakeApi, makeContext } from "./commands.fake.js";

const BASE = "freebox2mqtt";

function setup() {
  const api = new FakeApi();
  const ctx = makeContext(api);
  const router = new CommandRouter(BASE, ctx);
  const send = (topic: string, payload: string | object) =>
    router.handle(
      `${BASE}/${topic}`,
      Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload)),
    );
  return { api, ctx, router, send };
}

describe("CommandRouter: connection/config", () => {
  it("applies a JSON object of writable fields and answers with the box's result", async () => {
    const { api, ctx, router, send } = setup();
    const res = await send("connection/config/set", { ping: false, remote_access_port: 8080, wol: true });
    expect(res?.topic).toBe(`${BASE}/bridge/response/connection/config/set`);
    const b = body(res);
    expect(b.status).toBe("ok");
    expect(b.data).toMatchObject({ ping: false, remote_access_port: 8080, wol: true, is_secure_pass: false });
    expect(api.writes().map((c) => c.args)).toEqual([[{ ping: false, remote_access_port: 8080, wol: true }]]);
    await router.idle();
    expect(ctx.refreshed).toEqual(["connection_config"]);
  });

  it.each([
    ["ping", "OFF", { ping: false }],
    ["ping", "on", { ping: true }],
    ["wol", "True", { wol: true }],
    ["adblock", "false", { adblock: false }],
    ["remote_access", " ON\n", { remote_access: true }],
    ["allow_token_request", "FALSE", { allow_token_request: false }],
    ["remote_access_port", "8443", { remote_access_port: 8443 }],
  ])("set/%s with raw %j", async (field, raw, expected) => {
    const { api, send } = setup();
    const res = await send(`connection/config/set/${field}`, raw);
    expect(res?.topic).toBe(`${BASE}/bridge/response/connection/config/set/${field}`);
    expect(body(res).status).toBe("ok");
    expect(api.writes()).toMatchObject([{ method: "updateConnectionConfig", args: [expected] }]);
  });
});

describe("CommandRouter: connection/ipv6", () => {
  const delegation = { prefix: "2a01:e30:d252:a2a2::/64", next_hop: "fe80::be30:5bff:feb5:fcc7" };

  it("object form with ipv6_enabled and delegations", async () => {
    const { api, ctx, router, send } = setup();
    const res = await send("connection/ipv6/set", { ipv6_enabled: false, delegations: [delegation] });
    expect(body(res)).toMatchObject({ status: "ok", data: { ipv6_enabled: false } });
    expect(api.writes()).toMatchObject([
      { method: "updateIpv6Config", args: [{ ipv6_enabled: false, delegations: [delegation] }] },
    ]);
    await router.idle();
    expect(ctx.refreshed).toEqual(["ipv6"]);
  });

  it("raw forms: set/ipv6_enabled and set/delegations (JSON array)", async () => {
    const { api, send } = setup();
    expect(body(await send("connection/ipv6/set/ipv6_enabled", "OFF")).status).toBe("ok");
    const cleared = [{ prefix: "2a01:e30:d252:a2a2::/64", next_hop: "" }];
    expect(body(await send("connection/ipv6/set/delegations", JSON.stringify(cleared))).status).toBe("ok");
    expect(api.writes().map((c) => c.args[0])).toEqual([{ ipv6_enabled: false }, { delegations: cleared }]);
  });
});

describe("CommandRouter: connection/ddns/<provider>", () => {
  it.each(["ovh", "dyndns", "noip"] as const)(
    "object form on %s, password never echoed",
    async (provider) => {
      const { api, ctx, router, send } = setup();
      const res = await send(`connection/ddns/${provider}/set`, {
        enabled: true,
        hostname: "home.example.net",
        user: "me",
        password: "s3cret-Pa55",
      });
      expect(res?.topic).toBe(`${BASE}/bridge/response/connection/ddns/${provider}/set`);
      expect(body(res)).toEqual({
        status: "ok",
        data: { enabled: true, hostname: "home.example.net", user: "me" },
      });
      expect(res?.payload).not.toContain("s3cret-Pa55");
      expect(api.writes()).toMatchObject([
        {
          method: "updateDdnsConfig",
          args: [
            provider,
            { enabled: true, hostname: "home.example.net", user: "me", password: "s3cret-Pa55" },
          ],
        },
      ]);
      await router.idle();
      expect(ctx.refreshed).toEqual([`ddns_${provider}`]);
    },
  );

  it.each([
    ["enabled", "ON", { enabled: true }],
    ["hostname", "my.host", { hostname: "my.host" }],
    ["user", "bob smith", { user: "bob smith" }],
    ["password", "p@ss word", { password: "p@ss word" }],
  ])("set/%s raw", async (field, raw, expected) => {
    const { api, ctx, send } = setup();
    const res = await send(`connection/ddns/noip/set/${field}`, raw);
    expect(body(res).status).toBe("ok");
    expect(res?.payload).not.toContain("p@ss word");
    expect(api.writes()).toMatchObject([{ method: "updateDdnsConfig", args: ["noip", expected] }]);
    expect(JSON.stringify(ctx.lines)).not.toContain("p@ss word");
  });

  it("a box answer holding the password is never echoed", async () => {
    const { api, send } = setup();
    api.updateDdnsConfig = async () => ({
      enabled: true,
      hostname: "h",
      user: "u",
      password: "leaky-secret",
    });
    const res = await send("connection/ddns/ovh/set/password", "leaky-secret");
    expect(res?.payload).not.toContain("leaky-secret");
    expect(body(res)).toMatchObject({ status: "ok", data: { enabled: true, hostname: "h", user: "u" } });
  });
});

describe("CommandRouter: dhcp/config", () => {
  it("object form within the LAN", async () => {
    const { api, ctx, router, send } = setup();
    const res = await send("dhcp/config/set", {
      sticky_assign: false,
      ip_range_start: "192.168.1.10",
      ip_range_end: "192.168.1.99",
      dns: ["1.1.1.1", ""],
    });
    expect(body(res)).toMatchObject({ status: "ok", data: { ip_range_start: "192.168.1.10" } });
    expect(api.writes()).toMatchObject([
      {
        method: "updateDhcpConfig",
        args: [
          {
            sticky_assign: false,
            ip_range_start: "192.168.1.10",
            ip_range_end: "192.168.1.99",
            dns: ["1.1.1.1", ""],
          },
        ],
      },
    ]);
    await router.idle();
    expect(ctx.refreshed).toEqual(["dhcp_config"]);
  });

  it.each([
    ["enabled", "OFF", { enabled: false }],
    ["sticky_assign", "true", { sticky_assign: true }],
    ["always_broadcast", "ON", { always_broadcast: true }],
    ["ip_range_start", "192.168.1.20", { ip_range_start: "192.168.1.20" }],
    ["ip_range_end", "192.168.1.200", { ip_range_end: "192.168.1.200" }],
    ["dns", '["8.8.8.8","8.8.4.4"]', { dns: ["8.8.8.8", "8.8.4.4"] }],
    ["dns", "192.168.1.254, 1.1.1.1", { dns: ["192.168.1.254", "1.1.1.1"] }],
    ["dns", "[]", { dns: [] }],
  ])("set/%s raw %j", async (field, raw, expected) => {
    const { api, send } = setup();
    expect(body(await send(`dhcp/config/set/${field}`, raw)).status).toBe("ok");
    expect(api.writes()).toMatchObject([{ method: "updateDhcpConfig", args: [expected] }]);
  });

  it("reads the DHCP config when its state is not known yet", async () => {
    const { api, ctx, send } = setup();
    ctx.knowsDhcp = false;
    expect(body(await send("dhcp/config/set/ip_range_end", "192.168.1.60")).status).toBe("ok");
    expect(api.calls.map((c) => c.method)).toEqual(["getDhcpConfig", "updateDhcpConfig"]);
  });
});

describe("CommandRouter: static leases", () => {
  it("add with lower-case MAC (normalized), comment optional", async () => {
    const { api, ctx, router, send } = setup();
    const res = await send("dhcp/static_leases/add", {
      mac: "aa:bb:cc:dd:ee:0f",
      ip: "192.168.1.222",
      comment: "NAS",
    });
    expect(res?.topic).toBe(`${BASE}/bridge/response/dhcp/static_leases/add`);
    expect(body(res)).toMatchObject({ status: "ok", data: { id: "AA:BB:CC:DD:EE:0F", ip: "192.168.1.222" } });
    expect(api.writes()).toMatchObject([
      { method: "addStaticLease", args: [{ mac: "AA:BB:CC:DD:EE:0F", ip: "192.168.1.222", comment: "NAS" }] },
    ]);
    await send("dhcp/static_leases/add", { mac: "AA:BB:CC:DD:EE:10", ip: "192.168.1.223" });
    expect(api.writes()[1]?.args).toEqual([{ mac: "AA:BB:CC:DD:EE:10", ip: "192.168.1.223" }]);
    await router.idle();
    expect(ctx.refreshed).toEqual(["static_leases", "static_leases"]);
  });

  it("set by MAC in any case", async () => {
    const { api, send } = setup();
    const res = await send("dhcp/static_leases/00:de:ad:b0:0b:55/set", {
      comment: "Mon PC",
      ip: "192.168.1.3",
    });
    expect(res?.topic).toBe(`${BASE}/bridge/response/dhcp/static_leases/00:de:ad:b0:0b:55/set`);
    expect(body(res)).toMatchObject({ status: "ok", data: { comment: "Mon PC", ip: "192.168.1.3" } });
    expect(api.writes()).toMatchObject([
      { method: "updateStaticLease", args: ["00:DE:AD:B0:0B:55", { comment: "Mon PC", ip: "192.168.1.3" }] },
    ]);
  });

  it("remove with any payload", async () => {
    const { api, ctx, router, send } = setup();
    const res = await send("dhcp/static_leases/00:De:aD:B0:0b:55/remove", "\u0000\u00ff whatever");
    expect(body(res)).toEqual({ status: "ok", data: null });
    expect(api.writes()).toMatchObject([{ method: "deleteStaticLease", args: ["00:DE:AD:B0:0B:55"] }]);
    await router.idle();
    expect(ctx.refreshed).toEqual(["static_leases"]);
  });
});

describe("CommandRouter: lease topics named like the lease's state topic", () => {
  it("accepts the 12 hex digits of <base>/dhcp/static_leases/<mac>", async () => {
    const { api, send } = setup();
    const res = await send("dhcp/static_leases/00deadb00b55/set", { comment: "NAS" });
    expect(body(res)).toMatchObject({ status: "ok" });
    await send("dhcp/static_leases/00DEADB00B55/remove", "PRESS");
    expect(api.writes()).toMatchObject([
      { method: "updateStaticLease", args: ["00:DE:AD:B0:0B:55", { comment: "NAS" }] },
      { method: "deleteStaticLease", args: ["00:DE:AD:B0:0B:55"] },
    ]);
  });
});

describe("CommandRouter: system and bridge", () => {
  it.each(["PRESS", "anything"])(
    "system/reboot with %j reboots, then reads the connection",
    async (payload) => {
      const { api, ctx, router, send } = setup();
      const res = await send("system/reboot", payload);
      expect(res?.topic).toBe(`${BASE}/bridge/response/system/reboot`);
      expect(body(res)).toEqual({ status: "ok", data: null });
      expect(api.writes().map((c) => c.method)).toEqual(["reboot"]);
      await router.idle();
      // The box is going away: reading the connection at once shows it offline without a poll.
      expect(ctx.refreshed).toEqual(["connection"]);
    },
  );

  it("bridge/request/refresh polls everything and is answered", async () => {
    const { api, ctx, send } = setup();
    const res = await send("bridge/request/refresh", "PRESS");
    expect(res?.topic).toBe(`${BASE}/bridge/response/bridge/request/refresh`);
    expect(body(res)).toEqual({ status: "ok", data: null });
    expect(ctx.refreshAllCount).toBe(1);
    expect(api.calls).toEqual([]);
  });

  it("works under a multi-level base topic", async () => {
    const api = new FakeApi();
    const router = new CommandRouter("home/fbx", makeContext(api));
    const res = await router.handle("home/fbx/connection/config/set/ping", Buffer.from("OFF"));
    expect(res?.topic).toBe("home/fbx/bridge/response/connection/config/set/ping");
    expect(await router.handle("freebox2mqtt/connection/config/set/ping", Buffer.from("OFF"))).toBeNull();
  });
});

describe("CommandRouter: topics that are not commands", () => {
  it.each([
    "freebox2mqtt/connection",
    "freebox2mqtt/connection/config",
    "freebox2mqtt/connection/ddns/ovh",
    "freebox2mqtt/dhcp/static_leases",
    "freebox2mqtt/bridge/state",
    "freebox2mqtt/bridge/info",
    "freebox2mqtt/box/availability",
    "freebox2mqtt/bridge/response/connection/config/set",
    "freebox2mqtt/bridge/response/system/reboot",
    "freebox2mqtt/bridge/health",
    "freebox2mqtt/dhcp/static_leases/00deadb00b55",
    "freebox2mqtt",
    "other/connection/config/set",
    "freebox2mqttx/connection/config/set",
    "homeassistant/status",
  ])("%s → null, nothing called", async (topic) => {
    const { api, router } = setup();
    expect(await router.handle(topic, Buffer.from("ON"))).toBeNull();
    expect(api.calls).toEqual([]);
  });
});
