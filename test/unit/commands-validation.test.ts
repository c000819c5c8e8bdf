// Refusals: every invalid input is answered with invalid_request (or unknown_command) and a
// sentence naming the field, and the box receives nothing at all (README: "invalid
// input never reaches the box").
import { describe, expect, it } from "vitest";
import { CommandRouter } from "../../src/bridge/commands.js";
import { body, FakeApi, makeContext } from "./commands.fake.js";

const BASE = "fbx";

async function refused(topic: string, payload: string | Buffer, options?: { maxPayloadBytes?: number }) {
  const api = new FakeApi();
  const ctx = makeContext(api);
  const router = new CommandRouter(BASE, ctx, options);
  const res = await router.handle(
    `${BASE}/${topic}`,
    typeof payload === "string" ? Buffer.from(payload) : payload,
  );
  await router.idle();
  expect(api.calls).toEqual([]);
  expect(ctx.refreshed).toEqual([]);
  const b = body(res);
  expect(b.status).toBe("error");
  return { res, b, ctx };
}

const j = (value: unknown) => JSON.stringify(value);

describe("invalid_request, nothing sent to the box", () => {
  it.each<[string, string, RegExp]>([
    // payload shape
    ["connection/config/set", "{ping: true}", /payload is not valid JSON/],
    ["connection/config/set", "", /the payload is empty/],
    ["connection/config/set", "[1,2]", /must be a JSON object, got an array/],
    ["connection/config/set", "null", /must be a JSON object, got null/],
    ["connection/config/set", '"ON"', /must be a JSON object, got a string/],
    ["connection/config/set", "{}", /nothing to change in connection\/config/],
    ["connection/config/set", j({ transaction: "t1" }), /nothing to change/],
    ["dhcp/static_leases/00:11:22:33:44:55/set", "{}", /nothing to change/],
    ["connection/config/set", `${"[".repeat(5000)}${"]".repeat(5000)}`, /deeper than 16 levels/],
    ["connection/config/set", `{"ping":${"[".repeat(10_000)}`, /deeper than 16 levels/],
    // wrong types
    ["connection/config/set", j({ ping: "yes" }), /ping must be a boolean.*got "yes"/],
    ["connection/config/set", j({ ping: "ON" }), /ping must be a boolean/],
    ["connection/config/set", j({ wol: 1 }), /wol must be a boolean.*got 1/],
    ["connection/config/set/ping", "yes", /ping must be a boolean.*got "yes"/],
    ["connection/config/set/ping", "1", /ping must be a boolean/],
    ["connection/config/set/ping", "", /the payload is empty/],
    // ports
    [
      "connection/config/set",
      j({ remote_access_port: 0 }),
      /remote_access_port must be an integer port from 1 to 65535, got 0/,
    ],
    ["connection/config/set", j({ remote_access_port: 65536 }), /got 65536/],
    ["connection/config/set", j({ remote_access_port: 80.5 }), /got 80.5/],
    ["connection/config/set", j({ remote_access_port: "80" }), /got "80"/],
    ["connection/config/set/remote_access_port", "-1", /got -1/],
    ["connection/config/set/remote_access_port", "8e3", /got "8e3"/],
    ["connection/config/set/remote_access_port", "99999999999999999999", /remote_access_port/],
    // read-only and unknown fields
    ["connection/config/set", j({ is_secure_pass: true }), /is_secure_pass is read-only/],
    ["connection/config/set", j({ remote_access_ip: "1.2.3.4" }), /remote_access_ip is read-only/],
    ["connection/config/set", j({ api_remote_access: true }), /api_remote_access is read-only/],
    ["connection/config/set", j({ adblock_not_set: true }), /adblock_not_set is read-only/],
    ["connection/config/set/is_secure_pass", "ON", /is_secure_pass is read-only/],
    [
      "connection/config/set",
      j({ pong: true }),
      /unknown field "pong" in connection\/config \(writable: ping/,
    ],
    ["connection/config/set", j({ constructor: true }), /unknown field "constructor"/],
    ["connection/config/set", '{"__proto__": {"ping": true}}', /unknown field "__proto__"/],
    ["connection/config/set/toString", "ON", /unknown field "toString"/],
    ["connection/config/set", j({ ping: true, gateway: "x" }), /unknown field "gateway"/],
    ["connection/ipv6/set", j({ ipv6ll: "fe80::1" }), /ipv6ll is read-only/],
    ["dhcp/config/set", j({ gateway: "192.168.1.1" }), /gateway is read-only in dhcp\/config/],
    ["dhcp/config/set/netmask", "255.255.0.0", /netmask is read-only/],
    [
      "dhcp/static_leases/add",
      j({ mac: "00:11:22:33:44:55", ip: "192.168.1.9", hostname: "x" }),
      /hostname is read-only/,
    ],
    [
      "dhcp/static_leases/add",
      j({ mac: "00:11:22:33:44:55", ip: "192.168.1.9", id: "x" }),
      /id is read-only/,
    ],
    ["dhcp/static_leases/00:DE:AD:B0:0B:55/set", j({ host: {} }), /host is read-only/],
    ["dhcp/static_leases/00:DE:AD:B0:0B:55/set", j({ mac: "00:DE:AD:B0:0B:56" }), /mac is read-only/],
    ["connection/ddns/ovh/set", j({ status: "ok" }), /status is read-only/],
    // several problems listed, capped
    [
      "connection/config/set",
      j({ ping: 1, wol: 2, a: 1, b: 2, c: 3, d: 4, e: 5 }),
      /ping.*; wol.*\(and 2 more\)$/,
    ],
    // IPv6
    ["connection/ipv6/set", j({ delegations: {} }), /delegations must be an array/],
    [
      "connection/ipv6/set",
      j({
        delegations: Array.from({ length: 9 }, (_, i) => ({ prefix: `2a01:e30::${i}/64`, next_hop: "" })),
      }),
      /delegations has 9 entries, at most 8/,
    ],
    [
      "connection/ipv6/set",
      j({ delegations: [{ prefix: "2a01:e30:d252:a2a2::/64" }] }),
      /needs both "prefix" and "next_hop"/,
    ],
    [
      "connection/ipv6/set",
      j({ delegations: [{ prefix: "2a01::/64", next_hop: "", x: 1 }] }),
      /unknown field "x" in delegations\[0\]/,
    ],
    [
      "connection/ipv6/set",
      j({ delegations: [{ prefix: "2a01::/64", next_hop: "2a01::1" }] }),
      /delegations\[0\].next_hop must be a link-local.*"2a01::1"/,
    ],
    [
      "connection/ipv6/set",
      j({ delegations: [{ prefix: "2a01::/64", next_hop: "fe80::1%eth0" }] }),
      /next_hop/,
    ],
    [
      "connection/ipv6/set",
      j({ delegations: [{ prefix: "2a01::/129", next_hop: "" }] }),
      /delegations\[0\].prefix must be an IPv6 prefix/,
    ],
    ["connection/ipv6/set", j({ delegations: [{ prefix: "192.168.1.0/24", next_hop: "" }] }), /prefix/],
    ["connection/ipv6/set", j({ delegations: ["x"] }), /delegations\[0\] must be an object/],
    [
      "connection/ipv6/set",
      j({
        delegations: [
          { prefix: "2a01::/64", next_hop: "" },
          { prefix: "2A01::/64", next_hop: "" },
        ],
      }),
      /appears twice/,
    ],
    ["connection/ipv6/set/delegations", "not json", /delegations is not valid JSON/],
    // DynDNS
    [
      "connection/ddns/foo/set",
      j({ enabled: true }),
      /unknown DynDNS provider "foo" \(known: ovh, dyndns, noip\)/,
    ],
    ["connection/ddns/OVH/set/enabled", "ON", /unknown DynDNS provider "OVH"/],
    [
      "connection/ddns/ovh/set",
      j({ hostname: "h".repeat(256) }),
      /hostname is too long \(256 characters, at most 255\)/,
    ],
    ["connection/ddns/ovh/set/user", "u".repeat(300), /user is too long/],
    ["connection/ddns/ovh/set", j({ user: 42 }), /user must be a string, got 42/],
    ["connection/ddns/ovh/set/hostname", "bad\nhost", /hostname must not contain control characters/],
    // DHCP config
    [
      "dhcp/config/set",
      j({ ip_range_start: "192.168.1.256" }),
      /ip_range_start must be an IPv4 address.*"192.168.1.256"/,
    ],
    ["dhcp/config/set", j({ ip_range_start: "192.168.01.2" }), /"192.168.01.2"/],
    ["dhcp/config/set", j({ ip_range_start: "192.168.1" }), /ip_range_start must be an IPv4/],
    ["dhcp/config/set/ip_range_end", "1.2.3.4.5", /ip_range_end must be an IPv4/],
    [
      "dhcp/config/set",
      j({ ip_range_start: "10.0.0.2" }),
      /ip_range_start "10.0.0.2" is outside the LAN 192.168.1.254\/255.255.255.0/,
    ],
    [
      "dhcp/config/set",
      j({ ip_range_end: "192.168.1.255" }),
      /ip_range_end "192.168.1.255" is outside the LAN/,
    ],
    ["dhcp/config/set", j({ ip_range_start: "192.168.1.0" }), /outside the LAN/],
    [
      "dhcp/config/set",
      j({ ip_range_start: "192.168.1.100", ip_range_end: "192.168.1.20" }),
      /ip_range_start "192.168.1.100" is after ip_range_end "192.168.1.20"/,
    ],
    // the current end is 192.168.1.50
    ["dhcp/config/set/ip_range_start", "192.168.1.60", /is after ip_range_end "192.168.1.50"/],
    ["dhcp/config/set", j({ dns: "8.8.8.8" }), /dns must be an array/],
    ["dhcp/config/set", j({ dns: ["8.8.8.8", "x"] }), /dns\[1\] must be an IPv4 address.*"x"/],
    ["dhcp/config/set", j({ dns: ["1.1.1.1", "", "", "", "", ""] }), /dns has 6 entries, at most 5/],
    ["dhcp/config/set/dns", "8.8.8.8, 8.8.8", /dns\[1\] must be an IPv4 address.*"8.8.8"/],
    ["dhcp/config/set/dns", "[8.8.8.8]", /dns is not valid JSON/],
    // static leases
    ["dhcp/static_leases/add", j({ mac: "00:11:22:33:44:55" }), /needs "mac" and "ip"/],
    [
      "dhcp/static_leases/add",
      j({ mac: "00-11-22-33-44-55", ip: "192.168.1.9" }),
      /mac must be a MAC address.*"00-11-22-33-44-55"/,
    ],
    [
      "dhcp/static_leases/add",
      j({ mac: "00:11:22:33:44:5", ip: "192.168.1.9" }),
      /mac must be a MAC address/,
    ],
    [
      "dhcp/static_leases/add",
      j({ mac: "00:11:22:33:44:55", ip: "192.168.2.9" }),
      /ip "192.168.2.9" is outside the LAN/,
    ],
    [
      "dhcp/static_leases/add",
      j({ mac: "00:11:22:33:44:55", ip: "192.168.1.254" }),
      /ip "192.168.1.254" is the box's own address/,
    ],
    [
      "dhcp/static_leases/add",
      j({ mac: "00:11:22:33:44:55", ip: "192.168.1.9", comment: "c".repeat(256) }),
      /comment is too long/,
    ],
    [
      "dhcp/static_leases/add",
      j({ mac: "00:11:22:33:44:55", ip: "192.168.1.9", comment: 5 }),
      /comment must be a string/,
    ],
    [
      "dhcp/static_leases/00:11:22:33:44:gg/set",
      j({ comment: "x" }),
      /the MAC address in the topic must be a MAC address.*"00:11:22:33:44:gg"/,
    ],
    ["dhcp/static_leases/0011223344/remove", "PRESS", /MAC address in the topic/],
    ["dhcp/static_leases/00-11-22-33-44-55/remove", "PRESS", /MAC address in the topic/],
    ["dhcp/static_leases/00:DE:AD:B0:0B:55/set", j({ ip: "8.8.8.8" }), /ip "8.8.8.8" is outside the LAN/],
    // transaction must be echoable
    ["connection/config/set", j({ ping: true, transaction: { a: 1 } }), /transaction must be a string/],
    // topics
    ["connection/config/set/pi+ng", "ON", /topic segment "pi\+ng" contains a wildcard or control character/],
    ["dhcp/static_leases/#/remove", "PRESS", /topic segment "#"/],
    ["connection/config/set/ping\u0000", "ON", /topic segment "ping\\u0000"/],
  ])("%s #%#", async (topic, payload, message) => {
    const { b } = await refused(topic, payload);
    expect(b.code).toBe("invalid_request");
    expect(b.error).toMatch(message);
  });

  it("refuses payloads over the size limit unread, and invalid UTF-8", async () => {
    let r = await refused("connection/config/set/ping", Buffer.alloc(17 * 1024, 0x20));
    expect(r.b.error).toMatch(/payload is 17408 bytes, more than the limit of 16384/);
    r = await refused("system/reboot", Buffer.alloc(200, 0x41), { maxPayloadBytes: 100 });
    expect(r.b.error).toMatch(/more than the limit of 100/);
    r = await refused("connection/ddns/ovh/set/hostname", Buffer.from([0x66, 0xff, 0xfe]));
    expect(r.b.error).toMatch(/not valid UTF-8/);
  });

  it("publishes the answer to a topic without wildcards or control characters", async () => {
    const { res } = await refused("dhcp/static_leases/+/set", j({ comment: "x" }));
    expect(res?.topic).toBe("fbx/bridge/response/dhcp/static_leases/_/set");
    const control = await refused("connection/config/set/\u0007x", "ON");
    expect(control.res?.topic).toBe("fbx/bridge/response/connection/config/set/_x");
  });

  it("echoes the transaction of an object payload on a refusal", async () => {
    const { b } = await refused("connection/config/set", j({ ping: "maybe", transaction: "abc" }));
    expect(b).toEqual({
      status: "error",
      code: "invalid_request",
      error: 'ping must be a boolean (true/false, or ON/OFF as a single value), got "maybe"',
      transaction: "abc",
    });
    const n = await refused("dhcp/config/set", j({ gateway: "1.1.1.1", transaction: 7 }));
    expect(n.b.transaction).toBe(7);
    const empty = await refused("connection/config/set", j({ transaction: "t1" }));
    expect(empty.b).toMatchObject({ code: "invalid_request", transaction: "t1" });
    // a transaction that cannot be echoed as given is refused and not echoed
    const bad = await refused("connection/config/set", j({ ping: true, transaction: [1] }));
    expect(bad.b).not.toHaveProperty("transaction");
  });

  it("never quotes a DynDNS password in a refusal or a log line", async () => {
    const secret = "Pa55-w0rd-secret";
    for (const [topic, payload] of [
      ["connection/ddns/ovh/set", j({ password: `${secret}${"x".repeat(300)}` })],
      ["connection/ddns/ovh/set/password", `${secret}${"x".repeat(300)}`],
      ["connection/ddns/ovh/set/password", `${secret}\n`],
      ["connection/ddns/ovh/set", j({ password: [secret] })],
      ["connection/ddns/ovh/set", `{"password": "${secret}", }`],
      ["connection/ddns/ovh/set", j(secret)],
      ["connection/ddns/ovh/set", j({ password: secret, pasword: secret })],
    ] as const) {
      const { res, ctx } = await refused(topic, payload);
      expect(res?.payload).not.toContain(secret);
      expect(JSON.stringify(ctx.lines)).not.toContain(secret);
    }
  });
});

describe("unknown_command", () => {
  it.each([
    "foo/set",
    "connection/set",
    "connection/config/set/ping/extra",
    "connection/ddns/ovh/status/set",
    "dhcp/static_leases/add/x",
    "dhcp/static_leases/00:11:22:33:44:55/set/comment",
    "system/reboot/now",
    "bridge/request/restart",
    "bridge/request",
    "dhcp/dynamic_leases/remove",
  ])("%s", async (topic) => {
    const { b, res } = await refused(topic, "{}");
    expect(res?.topic).toBe(`fbx/bridge/response/${topic}`);
    expect(b.code).toBe("unknown_command");
    expect(String(b.error).startsWith(`unknown command topic ${JSON.stringify(topic)}`)).toBe(true);
  });
});

describe("unknown_command names the nearest command topic", () => {
  it.each([
    ["system/foo", "fbx/system/reboot"],
    ["connection/config/SET", "fbx/connection/config/set"],
    ["dhcp/static_leases/set", "fbx/dhcp/static_leases/<mac>/set"],
    ["dhcp/static_leases/AA:BB:CC:DD:EE:FF/sett", "fbx/dhcp/static_leases/AA:BB:CC:DD:EE:FF/set"],
    ["connection/ddns/ovh/sett/hostname", "fbx/connection/ddns/ovh/set/hostname"],
    ["bridge/request/refrsh", "fbx/bridge/request/refresh"],
    ["dhcp/confg/set", "fbx/dhcp/config/set"],
    ["connection/set", "fbx/connection/config/set"],
  ])("%s → did you mean %s?", async (topic, nearest) => {
    const { b } = await refused(topic, "{}");
    expect(b.code).toBe("unknown_command");
    expect(b.error).toBe(
      `unknown command topic ${JSON.stringify(topic)}: did you mean ${JSON.stringify(nearest)}?`,
    );
  });

  it.each(["zzz/qqq", "foo/set", "x".repeat(300)])("%s: nothing close, no suggestion", async (topic) => {
    const { b } = await refused(topic, "{}");
    expect(b.code).toBe("unknown_command");
    expect(b.error).not.toContain("did you mean");
  });
});

describe("empty payloads are never commands", () => {
  const commands = [
    "system/reboot",
    "dhcp/static_leases/00:11:22:33:44:55/remove",
    "dhcp/config/set/dns",
    "connection/ddns/ovh/set/hostname",
    "connection/ddns/noip/set/password",
    "bridge/request/refresh",
  ];

  it.each(commands)("%s, not retained: invalid_request, nothing sent", async (topic) => {
    const { b, res } = await refused(topic, "");
    expect(res?.topic).toBe(`fbx/bridge/response/${topic}`);
    expect(b).toEqual({
      status: "error",
      code: "invalid_request",
      error: "the payload is empty: an empty message only clears a retained one, it is never a command",
    });
  });

  it.each([...commands, "system/foo"])(
    "%s, retained (a clear seen at subscription): no answer, no log line",
    async (topic) => {
      const api = new FakeApi();
      const ctx = makeContext(api);
      const router = new CommandRouter(BASE, ctx);
      expect(await router.handle(`${BASE}/${topic}`, Buffer.alloc(0), true)).toBeNull();
      await router.idle();
      expect(api.calls).toEqual([]);
      expect(ctx.lines).toEqual([]);
    },
  );

  it("a retained non-empty command is not run either, and says how to clear it", async () => {
    const api = new FakeApi();
    const ctx = makeContext(api);
    const router = new CommandRouter(BASE, ctx);
    expect(await router.handle(`${BASE}/system/reboot`, Buffer.from("PRESS"), true)).toBeNull();
    expect(api.calls).toEqual([]);
    expect(ctx.lines.map((l) => l.level)).toEqual(["warn"]);
  });
});

describe("topics near MQTT's 65,535-byte limit", () => {
  // `fbx/<relative>` fits, `fbx/bridge/response/<relative>` (16 bytes longer) does not.
  const relative = (bytes: number, unit = "a") => `system/${unit.repeat(bytes)}`;

  it("a command whose response topic would not fit is ignored with a log line, not answered", async () => {
    const api = new FakeApi();
    const ctx = makeContext(api);
    const router = new CommandRouter(BASE, ctx);
    const topic = `${BASE}/${relative(65_535 - 4 - 7 - 5)}`;
    expect(Buffer.byteLength(topic)).toBe(65_530);
    expect(await router.handle(topic, Buffer.from("PRESS"))).toBeNull();
    expect(api.calls).toEqual([]);
    expect(ctx.lines.filter((l) => l.level === "warn").map((l) => l.message)).toEqual([
      expect.stringMatching(/response topic would exceed MQTT's limit of 65535 bytes/),
    ]);
  });

  it("the limit counts UTF-8 bytes, not characters", async () => {
    const api = new FakeApi();
    const router = new CommandRouter(BASE, makeContext(api));
    // 21,000 × "é" is 21,000 characters but 42,000 bytes; × 1.5 goes over.
    expect(await router.handle(`${BASE}/${relative(32_760, "é")}`, Buffer.from("x"))).toBeNull();
    const fits = await router.handle(`${BASE}/${relative(30_000, "é")}`, Buffer.from("x"));
    expect(fits?.topic).toBe(`${BASE}/bridge/response/${relative(30_000, "é")}`);
    expect(body(fits).code).toBe("unknown_command");
  });
});

describe("static leases only for a device's own MAC address", () => {
  const bad: [string, RegExp][] = [
    ["01:00:5E:00:00:FB", /is a multicast address/],
    ["33:33:00:00:00:01", /is a multicast address/],
    ["ff:ff:ff:ff:ff:ff", /is the broadcast address/],
    ["00:00:00:00:00:00", /is the all-zero address/],
  ];
  it.each(bad)("add with %s: invalid_request", async (mac, message) => {
    const { b } = await refused("dhcp/static_leases/add", j({ mac, ip: "192.168.1.9" }));
    expect(b.code).toBe("invalid_request");
    expect(b.error).toMatch(message);
  });

  it.each(bad)("set and remove on %s: invalid_request", async (mac, message) => {
    for (const topic of [
      `dhcp/static_leases/${mac}/set`,
      `dhcp/static_leases/${mac.replaceAll(":", "")}/remove`,
    ]) {
      const { b } = await refused(topic, topic.endsWith("set") ? j({ comment: "x" }) : "PRESS");
      expect(b.code).toBe("invalid_request");
      expect(b.error).toMatch(message);
    }
  });
});
