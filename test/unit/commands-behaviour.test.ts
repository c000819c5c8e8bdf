// Router behaviour around the calls: box errors passing through, transactions and duplicate
// delivery, per-resource ordering, refresh after success, never throwing, subscriptions.
import { describe, expect, it } from "vitest";
import { TransactionCache } from "../../src/bridge/commands/dedupe.js";
import { CommandRouter } from "../../src/bridge/commands.js";
import { FreeboxError } from "../../src/freebox/errors.js";
import { describeBoxError } from "../../src/freebox/messages.js";
import { body, deferred, FakeApi, makeContext } from "./commands.fake.js";

const BASE = "freebox2mqtt";

function setup(options?: { now?: () => number }) {
  const api = new FakeApi();
  const ctx = makeContext(api);
  const router = new CommandRouter(BASE, ctx, options);
  const send = (topic: string, payload: string | object) =>
    router.handle(
      `${BASE}/${topic}`,
      Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload)),
    );
  return { api, ctx, router, send };
}

/** Lets every pending promise callback run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("box errors come back with their code and a readable sentence", () => {
  // Built as the HTTP client builds them (src/freebox/http.ts: describeBoxError).
  const boxError = (what: string, code: string, msg: string) =>
    new FreeboxError(code, describeBoxError(what, code, msg));
  it.each([
    [
      "updateConnectionConfig",
      "connection/config/set/remote_access_port",
      "80",
      boxError("PUT connection/config/", "invalid_port", "Port invalide"),
      /^PUT connection\/config\/: invalid port \(box: "Port invalide"\)$/,
    ],
    [
      "updateConnectionConfig",
      "connection/config/set/remote_access",
      "ON",
      boxError("PUT connection/config/", "insecure_password", "Mot de passe trop faible"),
      /admin password is too weak/,
    ],
    [
      "addStaticLease",
      "dhcp/static_leases/add",
      JSON.stringify({ mac: "00:de:ad:b0:0b:55", ip: "192.168.1.5" }),
      boxError("POST dhcp/static_lease/", "exist", "Entrée déjà existante"),
      /^a static lease for 00:DE:AD:B0:0B:55 or for 192.168.1.5 already exists \(POST dhcp\/static_lease\/: already exists/,
    ],
    [
      "deleteStaticLease",
      "dhcp/static_leases/00:11:22:33:44:55/remove",
      "PRESS",
      boxError("DELETE dhcp/static_lease/00:11:22:33:44:55", "noent", "Entrée introuvable"),
      /^there is no static lease for 00:11:22:33:44:55 \(DELETE/,
    ],
    [
      "updateDhcpConfig",
      "dhcp/config/set/ip_range_end",
      "192.168.1.40",
      new FreeboxError("inval_ip_range", ""),
      /^the box refused: invalid IP range$/,
    ],
    [
      "updateIpv6Config",
      "connection/ipv6/set/ipv6_enabled",
      "ON",
      boxError("PUT connection/ipv6/config/", "busy", "Occupé"),
      /busy/,
    ],
    [
      "reboot",
      "system/reboot",
      "PRESS",
      new FreeboxError("timeout", "POST system/reboot/: no answer from the box within 10000 ms"),
      /no answer from the box within 10000 ms/,
    ],
    [
      "reboot",
      "system/reboot",
      "PRESS",
      new FreeboxError("unreachable", "POST system/reboot/: cannot reach the box"),
      /cannot reach the box/,
    ],
    [
      "updateConnectionConfig",
      "connection/config/set/ping",
      "ON",
      boxError("PUT connection/config/", "weird_new_code", "Quelque chose"),
      /the box answered error "weird_new_code" \(box: "Quelque chose"\)/,
    ],
  ] as const)("%s → %s", async (method, topic, payload, error, message) => {
    const { api, ctx, router, send } = setup();
    api.fail(method, error);
    const b = body(await send(topic, payload));
    expect(b).toMatchObject({ status: "error", code: error.code });
    expect(b.error).toMatch(message);
    await router.idle();
    expect(ctx.refreshed).toEqual([]);
    expect(ctx.lines.some((l) => l.level === "warn" && l.message.includes(topic))).toBe(true);
  });

  it("insufficient_rights names the missing right and how to grant it", async () => {
    const { api, send } = setup();
    api.fail(
      "updateConnectionConfig",
      new FreeboxError("insufficient_rights", "Accès refusé", { httpStatus: 403, missingRight: "settings" }),
    );
    const b = body(await send("connection/config/set", { ping: false, transaction: "x1" }));
    expect(b.code).toBe("insufficient_rights");
    expect(b.error).toMatch(/lacks the "settings" right/);
    expect(b.error).toMatch(/Gestion des accès → Applications/);
    expect(b.error).toMatch(/Modification des réglages/);
    expect(b.transaction).toBe("x1");
  });

  it("an exception that is not a box error becomes internal_error, never a throw", async () => {
    const { api, ctx, send } = setup();
    api.fail("updateDhcpConfig", new TypeError("cannot read properties of undefined"));
    const b = body(await send("dhcp/config/set/enabled", "ON"));
    expect(b).toEqual({
      status: "error",
      code: "internal_error",
      error: "internal error in freebox2mqtt: cannot read properties of undefined",
    });
    expect(ctx.lines.some((l) => l.level === "error")).toBe(true);
    api.fail("reboot", "a string thrown");
    expect(body(await send("system/reboot", "PRESS")).code).toBe("internal_error");
  });

  it("a failing DHCP read for the range check is answered with its code", async () => {
    const { api, ctx, send } = setup();
    ctx.knowsDhcp = false;
    api.fail("getDhcpConfig", new FreeboxError("timeout", "no answer"));
    expect(body(await send("dhcp/config/set/ip_range_start", "192.168.1.5")).code).toBe("timeout");
    expect(api.writes()).toEqual([]);
  });

  it("never echoes or logs a DynDNS password the box repeats in its error", async () => {
    const { api, ctx, send } = setup();
    const password = "hunter2-is-weak";
    api.fail("updateDdnsConfig", new FreeboxError("inval", `mot de passe ${password} invalide`));
    for (const res of [
      await send("connection/ddns/ovh/set", { password, transaction: 3 }),
      await send("connection/ddns/ovh/set/password", password),
    ]) {
      expect(res?.payload).not.toContain(password);
      expect(body(res)).toMatchObject({ code: "inval", error: "the box refused: invalid request" });
    }
    api.fail("updateDdnsConfig", new Error(`oops ${password}`));
    const res = await send("connection/ddns/noip/set/password", password);
    expect(body(res)).toEqual({
      status: "error",
      code: "internal_error",
      error: "internal error in freebox2mqtt",
    });
    expect(JSON.stringify(ctx.lines)).not.toContain(password);
  });
});

describe("transactions and duplicate delivery", () => {
  it("echoes the transaction on success", async () => {
    const { send } = setup();
    expect(body(await send("connection/config/set", { wol: true, transaction: "abc-1" }))).toMatchObject({
      status: "ok",
      transaction: "abc-1",
    });
    expect(body(await send("dhcp/static_leases/00:DE:AD:B0:0B:55/remove", { transaction: 42 }))).toEqual({
      status: "ok",
      data: null,
      transaction: 42,
    });
    expect(body(await send("system/reboot", { transaction: "r" })).transaction).toBe("r");
  });

  it("answers a redelivered transaction from cache without executing it again", async () => {
    const { api, send } = setup();
    const first = await send("dhcp/static_leases/add", {
      mac: "aa:aa:aa:aa:aa:aa",
      ip: "192.168.1.77",
      transaction: "t",
    });
    const again = await send("dhcp/static_leases/add", {
      mac: "aa:aa:aa:aa:aa:aa",
      ip: "192.168.1.77",
      transaction: "t",
    });
    expect(again).toEqual(first);
    expect(body(again).status).toBe("ok");
    expect(api.writes()).toHaveLength(1);
    // same transaction on another topic is another command; no transaction → always executed
    await send("dhcp/static_leases/AA:AA:AA:AA:AA:AA/set", { comment: "x", transaction: "t" });
    await send("system/reboot", "PRESS");
    await send("system/reboot", "PRESS");
    expect(api.writes().map((c) => c.method)).toEqual([
      "addStaticLease",
      "updateStaticLease",
      "reboot",
      "reboot",
    ]);
  });

  it("a reused transaction id with another payload is a new command", async () => {
    const { api, send } = setup();
    expect(body(await send("connection/config/set", { ping: false, transaction: "ha" })).status).toBe("ok");
    expect(body(await send("connection/config/set", { ping: true, transaction: "ha" })).status).toBe("ok");
    expect(api.writes().map((c) => c.args)).toEqual([[{ ping: false }], [{ ping: true }]]);
  });

  it("a duplicate arriving while the first is in flight waits for the same answer", async () => {
    const { api, send } = setup();
    const gate = api.hold("updateConnectionConfig");
    const a = send("connection/config/set", { ping: false, transaction: 9 });
    const b = send("connection/config/set", { ping: false, transaction: 9 });
    await flush();
    gate.resolve();
    expect(await b).toEqual(await a);
    expect(api.writes()).toHaveLength(1);
  });

  it("box errors are cached too; the cache forgets after 10 minutes", async () => {
    let now = 1_000_000;
    const { api, send } = setup({ now: () => now });
    api.fail("reboot", new FreeboxError("busy", "occupé"));
    expect(body(await send("system/reboot", { transaction: "z" })).code).toBe("busy");
    api.fail("reboot", undefined);
    now += 9 * 60 * 1000;
    expect(body(await send("system/reboot", { transaction: "z" })).code).toBe("busy");
    now += 2 * 60 * 1000;
    expect(body(await send("system/reboot", { transaction: "z" })).status).toBe("ok");
    expect(api.writes()).toHaveLength(2); // the first (failed) and the one after expiry
  });

  it("refusals are not cached: a corrected command with the same transaction runs", async () => {
    const { api, send } = setup();
    expect(body(await send("connection/config/set", { ping: "oui", transaction: 5 })).code).toBe(
      "invalid_request",
    );
    expect(body(await send("connection/config/set", { ping: true, transaction: 5 })).status).toBe("ok");
    expect(api.writes()).toHaveLength(1);
  });

  it("the cache is a bounded LRU", () => {
    const cache = new TransactionCache<number>(1000, 3, () => 0);
    for (const k of ["a", "b", "c"]) cache.set(k, Promise.resolve(1));
    expect(cache.get("a")).toBeDefined(); // a is now the most recent
    cache.set("d", Promise.resolve(2));
    expect(cache.size).toBe(3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    expect(TransactionCache.key("t", 1)).not.toBe(TransactionCache.key("t", "1"));
  });
});

describe("ordering and concurrency", () => {
  it("commands on one resource run one at a time, in arrival order", async () => {
    const { api, send } = setup();
    const slow = api.hold("updateConnectionConfig");
    const first = send("connection/config/set/ping", "OFF");
    const second = send("connection/config/set/ping", "ON");
    await flush();
    expect(api.events).toEqual(["start:updateConnectionConfig"]);
    slow.resolve();
    expect(body(await first).data).toMatchObject({ ping: false });
    expect(body(await second).data).toMatchObject({ ping: true });
    expect(api.events).toEqual([
      "start:updateConnectionConfig",
      "end:updateConnectionConfig",
      "start:updateConnectionConfig",
      "end:updateConnectionConfig",
    ]);
    expect(api.connection.ping).toBe(true);
  });

  it("a refused command does not wait behind a slow one, and a later one still queues", async () => {
    const { api, send } = setup();
    const slow = api.hold("updateDhcpConfig");
    const first = send("dhcp/config/set/enabled", "OFF");
    expect(body(await send("dhcp/config/set/enabled", "maybe")).code).toBe("invalid_request");
    const third = send("dhcp/config/set/enabled", "ON");
    await flush();
    expect(api.calls).toHaveLength(1);
    slow.resolve();
    await Promise.all([first, third]);
    expect(api.writes().map((c) => c.args[0])).toEqual([{ enabled: false }, { enabled: true }]);
  });

  it("different resources run concurrently", async () => {
    const { api, send } = setup();
    const slow = api.hold("updateConnectionConfig");
    const a = send("connection/config/set/wol", "ON");
    const b = await send("dhcp/config/set/enabled", "OFF");
    expect(body(b).status).toBe("ok");
    expect(api.events).toContain("end:updateDhcpConfig");
    expect(api.events).not.toContain("end:updateConnectionConfig");
    slow.resolve();
    expect(body(await a).status).toBe("ok");
  });

  it("answers before the refresh finishes; the next command on the resource waits for it", async () => {
    const { api, ctx, router, send } = setup();
    const refreshing = deferred();
    const refreshed: string[] = [];
    ctx.refresh = async (resource) => {
      await refreshing.promise;
      refreshed.push(resource);
    };
    expect(body(await send("connection/ipv6/set/ipv6_enabled", "OFF")).status).toBe("ok");
    expect(refreshed).toEqual([]);
    const next = send("connection/ipv6/set/ipv6_enabled", "ON");
    await flush();
    expect(api.writes()).toHaveLength(1);
    let idle = false;
    const waiting = router.idle().then(() => {
      idle = true;
    });
    await flush();
    expect(idle).toBe(false);
    refreshing.resolve();
    expect(body(await next).status).toBe("ok");
    await waiting;
    expect(refreshed).toEqual(["ipv6", "ipv6"]);
    expect(api.writes()).toHaveLength(2);
  });

  it("a failed refresh is logged and changes nothing for the answer or the queue", async () => {
    const { ctx, router, send } = setup();
    ctx.refresh = async () => {
      throw new FreeboxError("timeout", "slow");
    };
    expect(body(await send("connection/config/set/wol", "ON")).status).toBe("ok");
    expect(body(await send("connection/config/set/wol", "OFF")).status).toBe("ok");
    await router.idle();
    expect(
      ctx.lines.filter((l) => l.level === "warn" && /refreshing connection_config failed/.test(l.message)),
    ).toHaveLength(2);
  });

  it("bridge/request/refresh failing is answered with the code", async () => {
    const { ctx, send } = setup();
    ctx.refreshAll = async () => {
      throw new FreeboxError("unreachable", "down");
    };
    expect(body(await send("bridge/request/refresh", "x"))).toMatchObject({
      status: "error",
      code: "unreachable",
    });
  });
});

/** MQTT topic filter matching (MQTT 5.0 §4.7), written independently of the router. */
function matches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

describe("subscriptions and the bridge's own outputs", () => {
  const filters = new CommandRouter(BASE, makeContext(new FakeApi())).subscriptions();
  const mac = "aa:bb:cc:dd:ee:ff";
  const commands = [
    "connection/config/set",
    "connection/config/set/ping",
    "connection/ipv6/set",
    "connection/ipv6/set/delegations",
    "connection/ddns/ovh/set",
    "connection/ddns/noip/set/password",
    "dhcp/config/set",
    "dhcp/config/set/dns",
    "dhcp/static_leases/add",
    `dhcp/static_leases/${mac}/set`,
    `dhcp/static_leases/${mac}/remove`,
    "system/reboot",
    "bridge/request/refresh",
    "foo/set",
    "system/foo",
    "dhcp/static_leases/set",
    "connection/config/SET",
  ];
  const published = [
    "bridge/state",
    "bridge/info",
    "box/availability",
    "connection",
    "connection/config",
    "connection/ipv6",
    "connection/xdsl",
    "connection/ftth",
    "connection/ddns/ovh",
    "connection/ddns/dyndns",
    "connection/ddns/noip",
    "dhcp/config",
    "dhcp/static_leases",
    "dhcp/dynamic_leases",
    "system",
    "bridge/health",
    "dhcp/static_leases/aabbccddeeff",
    ...commands.map((c) => `bridge/response/${c}`),
  ];

  it.each(commands)("cover %s", (topic) => {
    expect(filters.some((f) => matches(f, `${BASE}/${topic}`))).toBe(true);
  });

  it.each(published)("never answer our own %s (no loop)", async (topic) => {
    const api = new FakeApi();
    const router = new CommandRouter(BASE, makeContext(api));
    expect(filters.some((f) => matches(f, `${BASE}/${topic}`))).toBe(true);
    expect(await router.handle(`${BASE}/${topic}`, Buffer.from('{"status":"ok"}'))).toBeNull();
    expect(api.calls).toEqual([]);
  });
});

describe("boxAnswered", () => {
  it("is told of each command whose call succeeded, not of refusals, failures or replays", async () => {
    const { api, ctx, send } = setup();
    await send("connection/config/set", { ping: false, transaction: "t" });
    await send("connection/config/set", { ping: false, transaction: "t" });
    expect(ctx.answered).toBe(1);
    await send("connection/config/set", { ping: "maybe" });
    api.fail("updateConnectionConfig", new FreeboxError("unreachable", "down"));
    await send("connection/config/set/ping", "ON");
    expect(ctx.answered).toBe(1);
  });
});
