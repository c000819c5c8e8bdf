// Property-based: thousands of random topics and payloads thrown at the router. It never throws,
// answers exactly the command-looking topics under the base on a publishable topic, and every
// call that reaches the box passes predicates written here independently of src/bridge/validate.ts.
import { isIPv6 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CommandRouter } from "../../src/bridge/commands.js";
import { FreeboxError } from "../../src/freebox/errors.js";
import { type Call, FakeApi, makeContext } from "./commands.fake.js";

const BASE = "fbx";
const WRITES = [
  "updateConnectionConfig",
  "updateIpv6Config",
  "updateDdnsConfig",
  "updateDhcpConfig",
  "addStaticLease",
  "updateStaticLease",
  "deleteStaticLease",
  "reboot",
];

// ---------- generators ----------

const macs = fc.oneof(
  fc.constantFrom(
    "aa:bb:cc:dd:ee:ff",
    "00:DE:AD:B0:0B:55",
    "00-11-22-33-44-55",
    "aabbccddeeff",
    "zz:zz:zz:zz:zz:zz",
    "01:00:5e:00:00:fb",
    "ff:ff:ff:ff:ff:ff",
    "00:00:00:00:00:00",
  ),
  fc
    .array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 })
    .map((b) => b.map((x) => x.toString(16).padStart(2, "0")).join(":")),
);
const segment = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "connection",
      "config",
      "set",
      "ipv6",
      "ddns",
      "ovh",
      "dyndns",
      "noip",
      "foo",
      "dhcp",
      "static_leases",
      "add",
      "remove",
      "system",
      "reboot",
      "bridge",
      "request",
      "refresh",
      "response",
      "ping",
      "wol",
      "adblock",
      "remote_access",
      "remote_access_port",
      "allow_token_request",
      "ipv6_enabled",
      "delegations",
      "enabled",
      "hostname",
      "user",
      "password",
      "sticky_assign",
      "always_broadcast",
      "ip_range_start",
      "ip_range_end",
      "dns",
      "gateway",
      "netmask",
      "comment",
      "is_secure_pass",
      "constructor",
      "__proto__",
      "toString",
    ),
  },
  { weight: 2, arbitrary: macs },
  { weight: 1, arbitrary: fc.constantFrom("+", "#", "", "\u0000", "a\u0007b", "\ud800", "x\u007f", "é") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
);
const commandTemplates = fc.oneof(
  fc.constantFrom("connection/config", "connection/ipv6", "dhcp/config").chain((area) =>
    fc.oneof(
      fc.constant(`${area}/set`),
      segment.map((f) => `${area}/set/${f}`),
    ),
  ),
  fc
    .tuple(fc.constantFrom("ovh", "dyndns", "noip", "OVH", "x"), fc.option(segment))
    .map(([p, f]) => (f === null ? `connection/ddns/${p}/set` : `connection/ddns/${p}/set/${f}`)),
  fc.tuple(macs, fc.constantFrom("set", "remove")).map(([m, v]) => `dhcp/static_leases/${m}/${v}`),
  fc.constantFrom("dhcp/static_leases/add", "system/reboot", "bridge/request/refresh"),
);
const topics = fc.oneof(
  { weight: 5, arbitrary: commandTemplates.map((t) => `${BASE}/${t}`) },
  {
    weight: 4,
    arbitrary: fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `${BASE}/${s.join("/")}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(segment, { minLength: 1, maxLength: 4 })
      .map((s) => `${BASE}/bridge/response/${s.join("/")}`),
  },
  { weight: 1, arbitrary: fc.array(segment, { maxLength: 5 }).map((s) => `other/${s.join("/")}`) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(BASE, `${BASE}/`, `${BASE}x/connection/config/set`, "fbx/set") },
);

const ipv4ish = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(192, 10, 256, 1),
      fc.constantFrom(168, 0, 1),
      fc.constantFrom(1, 2, 0),
      fc.integer({ min: -1, max: 300 }),
    )
    .map((p) => p.join(".")),
  fc.constantFrom(
    "192.168.1.254",
    "192.168.1.0",
    "192.168.1.255",
    "192.168.01.5",
    "192.168.1",
    "",
    "8.8.8.8",
  ),
);
const hostish = fc.oneof(
  fc.constantFrom("fe80::1", "", "2a01::1", "fe80::1%eth0", "febf::ffff"),
  fc.string({ maxLength: 8 }),
);
const prefixish = fc.constantFrom(
  "2a01:e30:d252:a2a0::/64",
  "2a01:e30:d252:a2a2::/64",
  "2a01::/129",
  "x",
  "::/0",
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.boolean(),
  fc.integer({ min: -10, max: 70000 }),
  fc.double(),
  ipv4ish,
  macs,
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", minLength: 250, maxLength: 260 }),
  fc.array(ipv4ish, { maxLength: 7 }),
  fc.array(fc.record({ prefix: prefixish, next_hop: hostish }, { requiredKeys: [] }), { maxLength: 10 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(null),
);
const fieldName = fc.oneof(
  { weight: 5, arbitrary: segment },
  { weight: 1, arbitrary: fc.constantFrom("transaction", "mac", "ip") },
);
const objects = fc
  .tuple(
    fc.dictionary(fieldName, value, { maxKeys: 6 }),
    fc.option(fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant({ a: 1 }))),
  )
  .map(([o, t]) => JSON.stringify(t === null ? o : { ...o, transaction: t }));
const payloads: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: objects.map((s) => Buffer.from(s)) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          "ON",
          "OFF",
          "on",
          "true",
          "FALSE",
          "PRESS",
          "",
          "8080",
          "0",
          "65536",
          "192.168.1.20",
          "8.8.8.8, 1.1.1.1",
          "[]",
        ),
        ipv4ish,
        macs,
        fc.string({ maxLength: 30 }),
      )
      .map((s) => Buffer.from(s)),
  },
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }).map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 10, max: 20_000 })
      .map((n) => Buffer.from(`${"[".repeat(n)}1${"]".repeat(n)}`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 10, max: 3_000 })
      .map((n) => Buffer.from(`${'{"a":'.repeat(n)}1${"}".repeat(n)}`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 16_000, max: 40_000 })
      .map((n) => Buffer.from(JSON.stringify({ hostname: "h".repeat(n) }))),
  },
);

/** Plausible commands (mostly valid, sometimes just off), so that many calls reach the box. */
const lanish = fc.oneof(
  fc.integer({ min: 0, max: 256 }).map((x) => `192.168.1.${x}`),
  ipv4ish,
);
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const opt = { requiredKeys: [] as [] };
const msg = (topic: string, payload: Buffer): [string, Buffer] => [topic, payload];
const plausible: fc.Arbitrary<[string, Buffer]> = fc.oneof(
  fc
    .record(
      { ping: fc.boolean(), wol: fc.boolean(), remote_access_port: fc.integer({ min: 0, max: 70000 }) },
      opt,
    )
    .map((o) => msg(`${BASE}/connection/config/set`, json(o))),
  fc
    .tuple(
      fc.constantFrom("ping", "wol", "adblock", "remote_access", "allow_token_request", "remote_access_port"),
      fc.constantFrom("ON", "OFF", "true", "8080", "0", "x"),
    )
    .map(([f, v]) => msg(`${BASE}/connection/config/set/${f}`, Buffer.from(v))),
  fc
    .record(
      {
        ipv6_enabled: fc.boolean(),
        delegations: fc.array(fc.record({ prefix: prefixish, next_hop: hostish }), { maxLength: 9 }),
      },
      opt,
    )
    .map((o) => msg(`${BASE}/connection/ipv6/set`, json(o))),
  fc
    .tuple(
      fc.constantFrom("ovh", "dyndns", "noip"),
      fc.record(
        {
          enabled: fc.boolean(),
          hostname: fc.string({ maxLength: 20 }),
          user: fc.string({ maxLength: 20 }),
          password: fc.string({ maxLength: 20 }),
        },
        opt,
      ),
    )
    .map(([p, o]) => msg(`${BASE}/connection/ddns/${p}/set`, json(o))),
  fc
    .record(
      {
        enabled: fc.boolean(),
        ip_range_start: lanish,
        ip_range_end: lanish,
        dns: fc.array(fc.oneof(ipv4ish, fc.constant("")), { maxLength: 6 }),
      },
      opt,
    )
    .map((o) => msg(`${BASE}/dhcp/config/set`, json(o))),
  fc
    .tuple(fc.constantFrom("ip_range_start", "ip_range_end", "dns", "enabled"), lanish)
    .map(([f, v]) => msg(`${BASE}/dhcp/config/set/${f}`, Buffer.from(f === "enabled" ? "ON" : v))),
  fc
    .record({ mac: macs, ip: lanish, comment: fc.string({ maxLength: 10 }) }, { requiredKeys: ["mac", "ip"] })
    .map((o) => msg(`${BASE}/dhcp/static_leases/add`, json(o))),
  fc
    .tuple(macs, fc.record({ ip: lanish, comment: fc.string({ maxLength: 10 }) }, opt))
    .map(([m, o]) => msg(`${BASE}/dhcp/static_leases/${m}/set`, json(o))),
  macs.map((m) => msg(`${BASE}/dhcp/static_leases/${m}/remove`, Buffer.from("PRESS"))),
  fc.constant(msg(`${BASE}/system/reboot`, Buffer.from("PRESS"))),
);
const messages: fc.Arbitrary<[string, Buffer]> = fc.oneof(
  { weight: 1, arbitrary: plausible },
  { weight: 2, arbitrary: fc.tuple(topics, payloads) },
);

// ---------- independent predicates ----------

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const keysWithin = (o: Record<string, unknown>, allowed: string[]) =>
  Object.keys(o).length > 0 && Object.keys(o).every((k) => allowed.includes(k));
function ipv4(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const parts = v.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255))
    return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}
/** The fake box's LAN is 192.168.1.0/24 with the box at .254. */
const lanHost = (v: unknown) => {
  const n = ipv4(v);
  return n !== undefined && n >>> 8 === (192 << 16) + (168 << 8) + 1 && (n & 255) >= 1 && (n & 255) <= 254;
};
/** A device's own address: not a group one (first byte odd, IEEE 802), not all zeros. */
const upperMac = (v: unknown) =>
  typeof v === "string" &&
  /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/.test(v) &&
  !/^[0-9A-F][13579BDF]/.test(v) &&
  v !== "00:00:00:00:00:00";
const shortText = (v: unknown) =>
  typeof v === "string" &&
  Array.from(v).length <= 255 &&
  !Array.from(v).some((c) => (c.codePointAt(0) ?? 0) < 32 || c === "\u007f");
const linkLocal = (v: unknown) => {
  if (v === "") return true;
  if (typeof v !== "string" || v.includes("%") || !isIPv6(v)) return false;
  const first = Number.parseInt(v.split(":")[0] || "0", 16);
  return first >= 0xfe80 && first <= 0xfebf;
};
const ipv6Prefix = (v: unknown) => {
  if (typeof v !== "string") return false;
  const [addr, len, extra] = v.split("/");
  return (
    extra === undefined &&
    addr !== undefined &&
    isIPv6(addr) &&
    /^[0-9]+$/.test(len ?? "") &&
    Number(len) <= 128
  );
};
const bool = (v: unknown) => typeof v === "boolean";

function validCall(call: Call): boolean {
  const [a, b] = call.args;
  switch (call.method) {
    case "getDhcpConfig":
      return call.args.length === 0;
    case "reboot":
      return call.args.length === 0;
    case "updateConnectionConfig":
      return (
        isObject(a) &&
        keysWithin(a, [
          "ping",
          "remote_access",
          "remote_access_port",
          "wol",
          "adblock",
          "allow_token_request",
        ]) &&
        Object.entries(a).every(([k, v]) =>
          k === "remote_access_port" ? Number.isInteger(v) && Number(v) >= 1 && Number(v) <= 65535 : bool(v),
        )
      );
    case "updateIpv6Config":
      return (
        isObject(a) &&
        keysWithin(a, ["ipv6_enabled", "delegations"]) &&
        (a.ipv6_enabled === undefined || bool(a.ipv6_enabled)) &&
        (a.delegations === undefined ||
          (Array.isArray(a.delegations) &&
            a.delegations.length <= 8 &&
            a.delegations.every(
              (d: unknown) =>
                isObject(d) &&
                Object.keys(d).sort().join() === "next_hop,prefix" &&
                ipv6Prefix(d.prefix) &&
                linkLocal(d.next_hop),
            )))
      );
    case "updateDdnsConfig":
      return (
        ["ovh", "dyndns", "noip"].includes(String(a)) &&
        isObject(b) &&
        keysWithin(b, ["enabled", "hostname", "user", "password"]) &&
        Object.entries(b).every(([k, v]) => (k === "enabled" ? bool(v) : shortText(v)))
      );
    case "updateDhcpConfig": {
      if (
        !isObject(a) ||
        !keysWithin(a, [
          "enabled",
          "sticky_assign",
          "always_broadcast",
          "ip_range_start",
          "ip_range_end",
          "dns",
        ])
      )
        return false;
      const okFields = Object.entries(a).every(([k, v]) => {
        if (k === "dns")
          return (
            Array.isArray(v) && v.length <= 5 && v.every((d: unknown) => d === "" || ipv4(d) !== undefined)
          );
        if (k.startsWith("ip_range")) return lanHost(v);
        return bool(v);
      });
      const start = ipv4(a.ip_range_start ?? call.dhcpBefore.ip_range_start);
      const end = ipv4(a.ip_range_end ?? call.dhcpBefore.ip_range_end);
      return okFields && (start === undefined || end === undefined || start <= end);
    }
    case "addStaticLease":
      return (
        isObject(a) &&
        keysWithin(a, ["mac", "ip", "comment"]) &&
        upperMac(a.mac) &&
        lanHost(a.ip) &&
        a.ip !== "192.168.1.254" &&
        (a.comment === undefined || shortText(a.comment))
      );
    case "updateStaticLease":
      return (
        upperMac(a) &&
        isObject(b) &&
        keysWithin(b, ["ip", "comment"]) &&
        (b.ip === undefined || (lanHost(b.ip) && b.ip !== "192.168.1.254")) &&
        (b.comment === undefined || shortText(b.comment))
      );
    case "deleteStaticLease":
      return upperMac(a) && call.args.length === 1;
    default:
      return false;
  }
}

/** No wildcard, control character or lone surrogate (MQTT 5.0 §1.5.4, §4.7.3). */
function publishable(topic: string): boolean {
  for (const ch of topic) {
    const cp = ch.codePointAt(0) ?? 0;
    if (
      ch === "+" ||
      ch === "#" ||
      cp < 0x20 ||
      (cp >= 0x7f && cp <= 0x9f) ||
      (cp >= 0xd800 && cp <= 0xdfff)
    ) {
      return false;
    }
  }
  return true;
}

/** Written from README, not from the router: what must be answered. */
// README: every publish under the base is answered, except the bridge's own outputs.
const OWN_OUTPUTS = new Set(
  "bridge/state bridge/info bridge/health box/availability connection connection/config connection/ipv6 connection/xdsl connection/ftth connection/ddns/ovh connection/ddns/dyndns connection/ddns/noip dhcp/config dhcp/static_leases dhcp/dynamic_leases system lan/event wifi/config calls storage lcd/config".split(
    " ",
  ),
);
function expectsAnswer(topic: string): boolean {
  if (!topic.startsWith(`${BASE}/`)) return false;
  const relative = topic.slice(BASE.length + 1);
  if (relative.startsWith("bridge/response/")) return false; // our own answers
  if (/^(dhcp\/static_leases|lan\/hosts)\/[0-9a-f]{12}$/.test(relative)) return false;
  return !OWN_OUTPUTS.has(relative);
}

// ---------- properties ----------

describe("CommandRouter under random input", () => {
  it("never throws, answers every command-looking topic, sends only valid calls", async () => {
    const api = new FakeApi();
    const ctx = makeContext(api);
    const router = new CommandRouter(BASE, ctx);
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        messages,
        fc.option(fc.constantFrom("inval", "busy", "timeout", "insufficient_rights", "exist"), { freq: 4 }),
        fc.boolean(),
        async ([topic, payload], boxError, knowsDhcp) => {
          for (const m of WRITES)
            api.fail(m, boxError === null ? undefined : new FreeboxError(boxError, "refusé"));
          ctx.knowsDhcp = knowsDhcp;
          const res = await router.handle(topic, payload);
          if (!expectsAnswer(topic)) {
            expect(res).toBeNull();
            return;
          }
          answered++;
          expect(res).not.toBeNull();
          if (res === null) return;
          expect(res.topic.startsWith(`${BASE}/bridge/response/`)).toBe(true);
          expect(publishable(res.topic)).toBe(true);
          const b: unknown = JSON.parse(res.payload);
          expect(isObject(b)).toBe(true);
          if (!isObject(b)) return;
          if (b.status === "ok") expect(Object.hasOwn(b, "data")).toBe(true);
          else {
            expect(b.status).toBe("error");
            expect(typeof b.code).toBe("string");
            expect(typeof b.error).toBe("string");
          }
        },
      ),
      { numRuns: 4000 },
    );
    await router.idle();
    for (const m of WRITES) api.fail(m, undefined);
    const invalid = api.calls.filter((c) => !validCall(c));
    expect(invalid).toEqual([]);
    // the generators must exercise both answers and real calls
    expect(answered).toBeGreaterThan(1000);
    expect(new Set(api.writes().map((c) => c.method)).size).toBe(WRITES.length);
  }, 120_000);

  it("a DynDNS password never appears in a response or a log line", async () => {
    const api = new FakeApi();
    const ctx = makeContext(api);
    const router = new CommandRouter(BASE, ctx);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "binary", minLength: 1, maxLength: 300 }).map((s) => `Secr3t:${s}`),
        fc.constantFrom("ovh", "dyndns", "noip"),
        fc.boolean(),
        fc.option(fc.constantFrom("inval", "busy", "internal")),
        fc.dictionary(fc.constantFrom("enabled", "user", "hostname", "extra", "status"), value, {
          maxKeys: 3,
        }),
        async (password, provider, raw, failure, others) => {
          const echo = `le mot de passe ${password} est refusé`;
          api.fail(
            "updateDdnsConfig",
            failure === null
              ? undefined
              : failure === "internal"
                ? new Error(echo)
                : new FreeboxError(failure, echo),
          );
          ctx.lines.length = 0;
          const res = raw
            ? await router.handle(`${BASE}/connection/ddns/${provider}/set/password`, Buffer.from(password))
            : await router.handle(
                `${BASE}/connection/ddns/${provider}/set`,
                Buffer.from(JSON.stringify({ ...others, password })),
              );
          await router.idle();
          expect(res?.payload.includes(password)).toBe(false);
          expect(res?.payload.includes(JSON.stringify(password).slice(1, -1))).toBe(false);
          expect(JSON.stringify(ctx.lines).includes(JSON.stringify(password).slice(1, -1))).toBe(false);
        },
      ),
      { numRuns: 1500 },
    );
  }, 60_000);
});
