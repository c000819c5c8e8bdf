// Every class of invalid input the contract names is refused by the bridge itself: answered with
// `code: "invalid_request"` and a message naming the field, and NOTHING reaches the box
// (README "Commands": "invalid input never reaches the box").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { command, readyStack, writes } from "./commands-helpers.js";
import { until } from "./mqtt-helpers.js";
import type { Stack } from "./stack.js";

const LEASE = "02:00:5E:AA:BB:CC";
const long = "x".repeat(256);

// [what, topic below the base, payload, text the message must contain]
type Case = readonly [string, string, unknown, string];

const CASES: readonly Case[] = [
  // read-only fields
  [
    "read-only is_secure_pass",
    "connection/config/set",
    { is_secure_pass: true },
    "is_secure_pass is read-only",
  ],
  ["read-only field topic", "connection/config/set/is_secure_pass", "ON", "is_secure_pass is read-only"],
  [
    "read-only remote_access_ip",
    "connection/config/set",
    { remote_access_ip: "1.2.3.4" },
    "remote_access_ip",
  ],
  ["read-only ipv6ll", "connection/ipv6/set", { ipv6ll: "fe80::1" }, "ipv6ll is read-only"],
  ["read-only gateway", "dhcp/config/set", { gateway: "192.168.1.1" }, "gateway is read-only"],
  ["read-only netmask topic", "dhcp/config/set/netmask", "255.255.0.0", "netmask is read-only"],
  ["read-only DDNS status", "connection/ddns/ovh/set", { status: "ok" }, "status is read-only"],
  [
    "read-only lease mac",
    `dhcp/static_leases/${LEASE}/set`,
    { mac: "02:00:5E:AA:BB:CD" },
    "mac is read-only",
  ],
  [
    "read-only lease hostname",
    `dhcp/static_leases/${LEASE}/set`,
    { hostname: "nas" },
    "hostname is read-only",
  ],
  // unknown fields
  ["unknown field", "connection/config/set", { pingg: true }, '"pingg"'],
  ["unknown field topic", "connection/config/set/pingg", "ON", '"pingg"'],
  ["unknown DDNS field", "connection/ddns/noip/set", { host: "a.example" }, '"host"'],
  ["unknown lease field", "dhcp/static_leases/add", { mac: LEASE, ip: "192.168.1.9", name: "x" }, '"name"'],
  [
    "unknown delegation key",
    "connection/ipv6/set",
    { delegations: [{ prefix: "2a01::/64", next_hop: "", x: 1 }] },
    '"x"',
  ],
  // wrong types
  ["string for a boolean", "connection/config/set", { ping: "yes" }, "ping must be a boolean"],
  ["raw word for a boolean", "connection/config/set/wol", "maybe", "wol must be a boolean"],
  ["number for a boolean", "dhcp/config/set", { enabled: 1 }, "enabled must be a boolean"],
  [
    "string for a port",
    "connection/config/set",
    { remote_access_port: "8080" },
    "remote_access_port must be an integer",
  ],
  [
    "fraction for a port",
    "connection/config/set/remote_access_port",
    "80.5",
    "remote_access_port must be an integer",
  ],
  ["number for a text", "connection/ddns/ovh/set", { hostname: 42 }, "hostname must be a string"],
  ["string for DNS list", "dhcp/config/set", { dns: "1.1.1.1" }, "dns must be an array"],
  ["object for delegations", "connection/ipv6/set", { delegations: {} }, "delegations must be an array"],
  ["text too long", "connection/ddns/ovh/set/hostname", long, "hostname is too long"],
  [
    "control character",
    "connection/ddns/ovh/set",
    { user: "a\nb" },
    "user must not contain control characters",
  ],
  [
    "too many DNS servers",
    "dhcp/config/set/dns",
    "1.1.1.1,1.0.0.1,8.8.8.8,8.8.4.4,9.9.9.9,4.4.4.4",
    "dns has 6 entries",
  ],
  // MAC addresses
  [
    "short MAC",
    "dhcp/static_leases/add",
    { mac: "02:00:5e:10:20", ip: "192.168.1.9" },
    "mac must be a MAC address",
  ],
  [
    "MAC with a bad digit",
    "dhcp/static_leases/add",
    { mac: "02:00:5e:10:20:zz", ip: "192.168.1.9" },
    "mac must be",
  ],
  [
    "bad MAC in set topic",
    "dhcp/static_leases/02:00:5e:10:20/set",
    { comment: "x" },
    "the MAC address in the topic",
  ],
  ["bad MAC in remove topic", "dhcp/static_leases/not-a-mac/remove", "PRESS", "the MAC address in the topic"],
  ["lease without ip", "dhcp/static_leases/add", { mac: LEASE }, '"ip"'],
  // a static lease is for one device: never a group or null MAC (IEEE 802)
  [
    "multicast MAC",
    "dhcp/static_leases/add",
    { mac: "01:00:5e:00:00:fb", ip: "192.168.1.9" },
    "is a multicast address",
  ],
  [
    "broadcast MAC",
    "dhcp/static_leases/add",
    { mac: "FF:FF:FF:FF:FF:FF", ip: "192.168.1.9" },
    "is the broadcast address",
  ],
  ["all-zero MAC", "dhcp/static_leases/add", { mac: "00:00:00:00:00:00", ip: "192.168.1.9" }, "all-zero"],
  ["multicast MAC in set topic", "dhcp/static_leases/33:33:00:00:00:01/set", { comment: "x" }, "multicast"],
  ["broadcast MAC in remove topic", "dhcp/static_leases/ffffffffffff/remove", "PRESS", "broadcast"],
  ["all-zero MAC in remove topic", "dhcp/static_leases/00:00:00:00:00:00/remove", "PRESS", "all-zero"],
  // IPv4 addresses
  [
    "octet above 255",
    "dhcp/static_leases/add",
    { mac: LEASE, ip: "192.168.1.300" },
    "ip must be an IPv4 address",
  ],
  [
    "leading zero",
    "dhcp/config/set/ip_range_start",
    "192.168.01.5",
    "ip_range_start must be an IPv4 address",
  ],
  ["bad DNS entry", "dhcp/config/set", { dns: ["1.1.1"] }, "dns[0] must be an IPv4 address"],
  ["bad lease ip", `dhcp/static_leases/${LEASE}/set`, { ip: "nas.local" }, "ip must be an IPv4 address"],
  [
    "lease outside the LAN",
    "dhcp/static_leases/add",
    { mac: LEASE, ip: "10.0.0.5" },
    'ip "10.0.0.5" is outside the LAN',
  ],
  [
    "lease on the box",
    "dhcp/static_leases/add",
    { mac: LEASE, ip: "192.168.1.254" },
    "is the box's own address",
  ],
  [
    "broadcast address",
    `dhcp/static_leases/${LEASE}/set`,
    { ip: "192.168.1.255" },
    'ip "192.168.1.255" is outside',
  ],
  ["range outside the LAN", "dhcp/config/set/ip_range_end", "192.168.2.10", "ip_range_end"],
  [
    "range start after end",
    "dhcp/config/set",
    { ip_range_start: "192.168.1.90", ip_range_end: "192.168.1.80" },
    "ip_range_start",
  ],
  ["start after current end", "dhcp/config/set/ip_range_start", "192.168.1.200", "is after ip_range_end"],
  // IPv6
  [
    "global next hop",
    "connection/ipv6/set",
    { delegations: [{ prefix: "2a01:e0a::/64", next_hop: "2001:db8::1" }] },
    "delegations[0].next_hop",
  ],
  [
    "bad prefix",
    "connection/ipv6/set/delegations",
    '[{"prefix":"2a01:e0a::","next_hop":""}]',
    "delegations[0].prefix",
  ],
  // ports
  [
    "port 0",
    "connection/config/set/remote_access_port",
    "0",
    "remote_access_port must be an integer port from 1 to 65535",
  ],
  [
    "port 65536",
    "connection/config/set",
    { remote_access_port: 65536 },
    "remote_access_port must be an integer port",
  ],
  ["negative port", "connection/config/set/remote_access_port", "-1", "remote_access_port"],
  // providers
  ["unknown provider", "connection/ddns/foo/set", { enabled: true }, 'unknown DynDNS provider "foo"'],
  ["unknown provider topic", "connection/ddns/foo/set/enabled", "ON", 'unknown DynDNS provider "foo"'],
  // payload shape
  ["not JSON", "connection/config/set", "{ping: true", "payload is not valid JSON"],
  ["JSON array", "dhcp/config/set", "[]", "payload must be a JSON object"],
  ["JSON string", "dhcp/static_leases/add", '"02:00:5E:AA:BB:CC"', "payload must be a JSON object"],
  ["empty object", "connection/ipv6/set", {}, "nothing to change in connection/ipv6"],
  ["bad transaction", "connection/config/set", { ping: true, transaction: { id: 1 } }, "transaction must be"],
];

let stack: Stack;
beforeAll(async () => {
  stack = await readyStack();
});
afterAll(async () => {
  await stack?.close();
});

describe("invalid commands never reach the box", () => {
  it.each(CASES)("%s (%s)", async (_what, topic, payload, naming) => {
    const before = writes(stack).length;
    const text = typeof payload === "string" ? payload : JSON.stringify(payload);
    const answer = await command(stack, topic, text);
    expect(answer).toMatchObject({ status: "error", code: "invalid_request" });
    expect(answer.error).toContain(naming);
    expect(writes(stack).slice(before)).toEqual([]);
  });

  it("lists every problem of one object, and echoes its transaction", async () => {
    const answer = await command(
      stack,
      "connection/config/set",
      JSON.stringify({ ping: "on", gateway: "x", remote_access_port: 0, transaction: "bad-1" }),
    );
    expect(answer).toMatchObject({ status: "error", code: "invalid_request", transaction: "bad-1" });
    for (const field of ["ping", "gateway", "remote_access_port"]) expect(answer.error).toContain(field);
  });

  it("never quotes a refused DynDNS password", async () => {
    const answer = await command(
      stack,
      "connection/ddns/ovh/set",
      JSON.stringify({ password: "s3cr3t\u0001pw" }),
    );
    expect(answer).toMatchObject({ code: "invalid_request" });
    expect(answer.error).toContain("password");
    expect(answer.error).not.toContain("s3cr3t");
  });

  it("an unknown command topic is answered with unknown_command", async () => {
    const before = writes(stack).length;
    const answer = await command(stack, "connection/set", '{"ping":true}');
    expect(answer).toMatchObject({ status: "error", code: "unknown_command" });
    expect(answer.error).toContain("connection/set");
    const request = await command(stack, "bridge/request/refesh", "PRESS");
    expect(request).toMatchObject({ status: "error", code: "unknown_command" });
    expect(writes(stack).slice(before)).toEqual([]);
  });

  it("a retained command runs once live, and is not replayed when the bridge subscribes again", async () => {
    const topic = "freebox2mqtt/connection/config/set/ping";
    // A live subscriber gets a retained publish as a normal message (MQTT 3.1.1 §3.3.1.3): it runs once.
    const live = writes(stack).length;
    await stack.publish(topic, "OFF", { retain: true });
    await command(stack, "bridge/request/refresh", "PRESS");
    expect(
      writes(stack)
        .slice(live)
        .map((r) => r.body),
    ).toEqual([{ ping: false }]);
    // After a restart the broker hands it over again, flagged retained: ignored, or it would run
    // at every reconnect (a retained reboot would be a reboot loop).
    const before = writes(stack).length;
    await stack.restartApp();
    await until(() => stack.logs.matching("ignored a retained message").length > 0, 5000, "the log line");
    await command(stack, "bridge/request/refresh", "PRESS");
    expect(writes(stack).slice(before)).toEqual([]);
    expect(stack.logs.matching("ignored a retained message")).toHaveLength(1);
    await stack.publish(topic, "", { retain: true });
  });
});
