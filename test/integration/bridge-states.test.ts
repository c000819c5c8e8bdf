// What a user finds on the broker: the bridge topics, every state topic with every documented
// field, change-only publishing, the static lease devices, discovery switched off, the heartbeat.
// The real app against the simulator and the embedded broker on loopback, seen by a plain mqtt.js client.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { refreshDdns } from "../../src/sim/line.js";
import { VERSION } from "../../src/version.js";
import {
  boxIdOf,
  configTopics,
  FIBRE_STATE_TOPICS,
  hostStateTopic,
  leaseConfigTopic,
  leaseStateTopic,
  PREFIX,
  parse,
  quiet,
  requestsSince,
  retainedMap,
  since,
  startBridge,
  untilRetained,
} from "./bridge-helpers.js";
import { sleep } from "./mqtt-helpers.js";
import { BASE, type Stack } from "./stack.js";

// Lease tests: trackers for static leases only (PRESENCE_TRACKERS=static), so that a lease's tracker
// comes and goes with the lease (with "all", its host keeps one while the box lists it).
const STATIC_TRACKERS = { PRESENCE_TRACKERS: "static" };

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const DYNDNS_PASSWORD = "Zq9-very-secret-dyndns";

// Documented fields (freebox-api-connection, freebox-api-dhcp, freebox-os-essentials §7).
const FIELDS: Record<string, string[]> = {
  connection: [
    "state",
    "type",
    "media",
    "ipv4",
    "ipv6",
    "rate_up",
    "rate_down",
    "bandwidth_up",
    "bandwidth_down",
    "bytes_up",
    "bytes_down",
  ],
  "connection/config": [
    "ping",
    "is_secure_pass",
    "remote_access",
    "remote_access_port",
    "remote_access_ip",
    "api_remote_access",
    "wol",
    "adblock",
    "adblock_not_set",
    "allow_token_request",
  ],
  "connection/ipv6": ["ipv6_enabled", "ipv6ll", "delegations"],
  "connection/ftth": [
    "sfp_present",
    "sfp_alim_ok",
    "sfp_has_power_report",
    "sfp_has_signal",
    "sfp_serial",
    "sfp_model",
    "sfp_vendor",
    "sfp_pwr_tx",
    "sfp_pwr_rx",
  ],
  ddns: ["enabled", "hostname", "user", "status", "next_refresh", "last_refresh", "next_retry", "last_error"],
  "dhcp/config": [
    "enabled",
    "sticky_assign",
    "gateway",
    "netmask",
    "ip_range_start",
    "ip_range_end",
    "always_broadcast",
    "dns",
  ],
  // Lasting fields only (contract amended by issue 18): exactly these keys.
  static_lease: ["id", "mac", "ip", "comment", "hostname", "name", "vendor", "host_type"],
  dynamic_lease: ["mac", "ip", "hostname", "is_static", "assign_time", "name", "vendor", "host_type"],
  host: [
    "home",
    "name",
    "names",
    "addresses",
    "vendor",
    "host_type",
    "interface",
    "connectivity",
    "access_point",
    "wifi_band",
    "last_seen",
  ],
  system: ["firmware_version", "mac", "serial", "uptime", "uptime_val", "board_name", "sensors", "fans"],
};

interface TrackerConfig {
  source_type?: string;
  state_topic?: string;
  device: { identifiers: string[]; connections?: string[][]; name?: string; via_device?: string };
}

interface Health {
  uptime_s: number;
  mqtt_connected: boolean;
  box_available: boolean;
  last_good_poll: Record<string, string>;
  poll_errors: Record<string, number>;
  last_error: string | null;
  memory: { rss_mb: number; heap_used_mb: number };
}

function expectFields(what: string, value: unknown, fields: string[]) {
  expect(value, what).toBeTypeOf("object");
  for (const f of fields) expect(Object.keys(value as object), `${what}.${f}`).toContain(f);
}

describe("bridge: retained topics and payloads", () => {
  it("publishes the bridge topics and every state topic with every documented field, ipv4 null while down, no DynDNS password", async () => {
    stack = await startBridge();
    const { sim } = stack;
    // A DynDNS account with a password, and a line that went down (no ipv4 any more, §8).
    Object.assign(sim.state.ddns.dyndns, {
      enabled: true,
      hostname: "home.example.org",
      user: "me",
      password: DYNDNS_PASSWORD,
    });
    sim.setLinkState("down");
    await stack.app.bridge?.refreshAll();
    await quiet(stack);

    const retained = await retainedMap(stack);
    expect(retained.get(`${BASE}/bridge/state`)).toBe("online");
    expect(retained.get(`${BASE}/box/availability`)).toBe("online");
    const info = parse(retained.get(`${BASE}/bridge/info`));
    expect(info).toMatchObject({
      version: VERSION,
      box: {
        model: sim.state.box.box_model,
        model_name: sim.state.box.box_model_name,
        firmware: sim.state.system.firmware_version,
        api_version: sim.state.box.api_version,
      },
      api_version_in_use: 15,
      permissions: { settings: true },
      poll_intervals_s: { status: 10, config: 60, leases: 30 },
    });
    expect((info.permissions as { granted: string[] }).granted).toContain("settings");

    for (const topic of FIBRE_STATE_TOPICS) expect(retained.has(topic), topic).toBe(true);
    expect(retained.has(`${BASE}/connection/xdsl`), "no xDSL state on a fibre box").toBe(false);

    const connection = parse(retained.get(`${BASE}/connection`));
    expectFields("connection", connection, FIELDS.connection ?? []);
    expect(connection).toMatchObject({ state: "down", media: "ftth", ipv4: null, ipv6: null });
    expectFields(
      "connection/config",
      parse(retained.get(`${BASE}/connection/config`)),
      FIELDS["connection/config"] ?? [],
    );
    expect(parse(retained.get(`${BASE}/connection/config`)).remote_access_ip).toBeNull();
    expectFields(
      "connection/ipv6",
      parse(retained.get(`${BASE}/connection/ipv6`)),
      FIELDS["connection/ipv6"] ?? [],
    );
    expectFields(
      "connection/ftth",
      parse(retained.get(`${BASE}/connection/ftth`)),
      FIELDS["connection/ftth"] ?? [],
    );
    for (const p of ["ovh", "dyndns", "noip"]) {
      const ddns = parse(retained.get(`${BASE}/connection/ddns/${p}`));
      expectFields(`ddns/${p}`, ddns, FIELDS.ddns ?? []);
      expect(ddns).not.toHaveProperty("password");
    }
    expect(parse(retained.get(`${BASE}/connection/ddns/dyndns`))).toMatchObject({
      enabled: true,
      hostname: "home.example.org",
      user: "me",
    });
    expectFields("dhcp/config", parse(retained.get(`${BASE}/dhcp/config`)), FIELDS["dhcp/config"] ?? []);
    const statics = parse<unknown[]>(retained.get(`${BASE}/dhcp/static_leases`));
    expect(statics).toHaveLength(sim.state.staticLeases.length);
    for (const lease of statics) expect(Object.keys(lease as object)).toEqual(FIELDS.static_lease);
    const dynamics = parse<unknown[]>(retained.get(`${BASE}/dhcp/dynamic_leases`));
    expect(dynamics).toHaveLength(sim.state.dynamicLeases.length);
    for (const lease of dynamics) expect(Object.keys(lease as object)).toEqual(FIELDS.dynamic_lease);
    const system = parse(retained.get(`${BASE}/system`));
    expectFields("system", system, FIELDS.system ?? []);
    expect(system.mac).toBe(sim.state.system.mac);
    // One per-lease topic per static lease, and its host's topic, read by its device_tracker.
    for (const lease of sim.state.staticLeases) {
      expect(parse(retained.get(leaseStateTopic(lease.mac)))).toMatchObject({ mac: lease.mac, ip: lease.ip });
      const host = parse(retained.get(hostStateTopic(lease.mac)));
      expect(Object.keys(host)).toEqual(FIELDS.host);
      expect(host.home).toBe(sim.state.hosts[lease.mac]?.active);
    }

    // The write-only password appears nowhere: no retained message, nothing ever published.
    for (const [topic, payload] of retained) expect(payload, topic).not.toContain(DYNDNS_PASSWORD);
    for (const m of stack.watch.messages) expect(m.payload, m.topic).not.toContain(DYNDNS_PASSWORD);
    // The password text entity exists; its state always renders empty (write-only field).
    const password = parse(
      retained.get(`${PREFIX}/text/freebox_${boxIdOf(stack)}/ddns_dyndns_password/config`),
    );
    expect(password).toMatchObject({ mode: "password", value_template: "{{ '' }}" });
  });

  it("publishes ipv4 again once the line is back up", async () => {
    stack = await startBridge();
    expect(parse(stack.last(`${BASE}/connection`)).ipv4).toBe(stack.sim.state.connection.ipv4);
    stack.sim.setLinkState("down");
    await stack.app.bridge?.refreshAll();
    expect(parse(stack.last(`${BASE}/connection`)).ipv4).toBeNull();
    stack.sim.setLinkState("up");
    await stack.app.bridge?.refreshAll();
    expect(parse(stack.last(`${BASE}/connection`)).ipv4).toBe(stack.sim.state.connection.ipv4);
  });
});

describe("bridge: change-only publishing", () => {
  it("publishes nothing when a poll finds nothing changed, through refreshAll() or bridge/request/refresh", async () => {
    stack = await startBridge();
    const from = stack.watch.messages.length;
    await stack.app.bridge?.refreshAll();
    await stack.app.bridge?.refreshAll();
    await sleep(300);
    expect(since(stack, from)).toEqual([]);

    // The same through MQTT: only the request and its answer, no state.
    const before = stack.sim.requests.length;
    await stack.publish(`${BASE}/bridge/request/refresh`, "PRESS");
    await stack.waitFor(`${BASE}/bridge/response/bridge/request/refresh`);
    await quiet(stack);
    expect(stack.sim.requests.length, "the box was polled").toBeGreaterThan(before);
    expect(since(stack, from).map((m) => m.topic)).toEqual([
      `${BASE}/bridge/request/refresh`,
      `${BASE}/bridge/response/bridge/request/refresh`,
    ]);
  });

  it("republishes exactly the topic whose value changed", async () => {
    stack = await startBridge();
    let from = stack.watch.messages.length;
    stack.sim.state.config.ping = !stack.sim.state.config.ping;
    await stack.app.bridge?.refreshAll();
    await sleep(200);
    const changed = since(stack, from);
    expect(changed.map((m) => m.topic)).toEqual([`${BASE}/connection/config`]);
    expect(parse(changed[0]?.payload).ping).toBe(stack.sim.state.config.ping);
    expect(changed[0]?.retain).toBe(false); // a live subscriber sees it unretained (MQTT 3.1.1 §3.3.1.3)

    // A dynamic lease appears: only the dynamic leases topic.
    from = stack.watch.messages.length;
    const first = stack.sim.state.dynamicLeases[0];
    if (!first) throw new Error("the simulator has no dynamic lease");
    stack.sim.state.dynamicLeases.push({
      ...first,
      mac: "02:00:00:00:00:99",
      ip: "192.168.1.99",
      hostname: "new-host",
    });
    await stack.app.bridge?.refreshAll();
    await sleep(200);
    expect(since(stack, from).map((m) => m.topic)).toEqual([`${BASE}/dhcp/dynamic_leases`]);
  });

  it("a static lease added on the box: the list, its own topic, its host's topic and its tracker config, nothing else", async () => {
    stack = await startBridge({ env: STATIC_TRACKERS });
    const from = stack.watch.messages.length;
    const mac = "02:11:22:33:44:55";
    stack.sim.state.staticLeases.push({ mac: mac.toUpperCase(), ip: "192.168.1.77", comment: "Printer" });
    await stack.app.bridge?.refreshAll();
    await sleep(200);
    const topics = since(stack, from).map((m) => m.topic);
    expect(topics.sort()).toEqual(
      [
        `${BASE}/dhcp/static_leases`,
        leaseStateTopic(mac),
        hostStateTopic(mac),
        leaseConfigTopic(stack, mac),
      ].sort(),
    );
  });
});

describe("bridge: DynDNS reads", () => {
  const ddnsCalls = (stack: Stack, from: number) =>
    requestsSince(stack, from, /^connection\/ddns\//).map((r) => r.path);

  it("reads a disabled provider's status/ again only when its configuration changed; an enabled one's at every poll", async () => {
    stack = await startBridge();
    const { ovh } = stack.sim.state.ddns;
    let from = stack.sim.requests.length;
    await stack.app.bridge?.refreshAll();
    // Nothing enabled (the simulator's default): one request per provider.
    expect(ddnsCalls(stack, from).sort()).toEqual([
      "connection/ddns/dyndns/",
      "connection/ddns/noip/",
      "connection/ddns/ovh/",
    ]);

    // Enabled on the box: its status/ follows, at this poll and the next ones.
    Object.assign(ovh, { enabled: true, hostname: "home.example.net", user: "me", password: "x-secret-1" });
    refreshDdns(stack.sim.state, "ovh", Math.floor(Date.now() / 1000));
    for (let poll = 0; poll < 2; poll++) {
      from = stack.sim.requests.length;
      await stack.app.bridge?.refreshAll();
      expect(ddnsCalls(stack, from).filter((p) => p.includes("/ovh/"))).toEqual([
        "connection/ddns/ovh/",
        "connection/ddns/ovh/status/",
      ]);
    }
    await stack.waitFor(`${BASE}/connection/ddns/ovh`, (p) => parse(p).status !== "disabled");

    // Disabled again: its status/ is read once more (the configuration changed), then no more.
    ovh.enabled = false;
    refreshDdns(stack.sim.state, "ovh", Math.floor(Date.now() / 1000));
    from = stack.sim.requests.length;
    await stack.app.bridge?.refreshAll();
    expect(ddnsCalls(stack, from)).toContain("connection/ddns/ovh/status/");
    await stack.waitFor(`${BASE}/connection/ddns/ovh`, (p) => parse(p).status === "disabled");
    from = stack.sim.requests.length;
    await stack.app.bridge?.refreshAll();
    expect(ddnsCalls(stack, from)).not.toContain("connection/ddns/ovh/status/");
  });
});

describe("bridge: static lease devices", () => {
  it("one device per static lease, via the Freebox, holding a router device_tracker", async () => {
    stack = await startBridge({ env: STATIC_TRACKERS });
    const retained = await retainedMap(stack);
    const box = boxIdOf(stack);
    const trackers = configTopics(retained, "device_tracker");
    expect(trackers).toHaveLength(stack.sim.state.staticLeases.length);
    const identifiers = new Set<string>();
    for (const lease of stack.sim.state.staticLeases) {
      const config = parse<TrackerConfig>(retained.get(leaseConfigTopic(stack, lease.mac)));
      expect(config.source_type).toBe("router");
      expect(config.state_topic).toBe(hostStateTopic(lease.mac));
      expect(config.device.via_device).toBe(`freebox_${box}`);
      expect(config.device.connections).toEqual([["mac", lease.mac.toLowerCase()]]);
      // Named after the lease's comment, else the host name the box knows.
      expect(config.device.name).toBe(lease.comment || stack.sim.state.hosts[lease.mac]?.primary_name);
      identifiers.add(config.device.identifiers.join());
    }
    expect(identifiers.size).toBe(stack.sim.state.staticLeases.length);
    // The Freebox device itself is what via_device names.
    const connectivity = parse<TrackerConfig>(
      retained.get(`${PREFIX}/binary_sensor/freebox_${box}/connectivity/config`),
    );
    expect(connectivity.device.identifiers).toEqual([`freebox_${box}`]);
  });
});

describe("bridge: HA_DISCOVERY=false", () => {
  it("publishes no discovery at all, states as usual", async () => {
    stack = await startBridge({ env: { HA_DISCOVERY: "false" } });
    // A lease added and a media change: still nothing under the discovery prefix.
    stack.sim.state.staticLeases.push({ mac: "02:11:22:33:44:56", ip: "192.168.1.78", comment: "" });
    stack.sim.setMedia("xdsl");
    await stack.app.bridge?.refreshAll();
    await quiet(stack);
    expect(stack.watch.messages.filter((m) => m.topic.startsWith(`${PREFIX}/`))).toEqual([]);
    const retained = await retainedMap(stack);
    expect(configTopics(retained)).toEqual([]);
    expect(retained.has(`${BASE}/connection/xdsl`)).toBe(true);
    expect(parse(retained.get(`${BASE}/bridge/info`)).discovery).toBe(false);
  });
});

describe("bridge: HA_DISCOVERY=false after a run with discovery", () => {
  it("removes every config the earlier run left on the broker, and the states only they read", async () => {
    stack = await startBridge();
    const before = configTopics(await retainedMap(stack));
    expect(before.length).toBeGreaterThan(40);
    // A lease deleted while the bridge is down: its per-lease state is read only by its config.
    const gone = stack.sim.state.staticLeases.splice(0, 1)[0];
    if (!gone) throw new Error("the simulator needs a static lease");
    const goneState = leaseStateTopic(gone.mac);
    expect((await retainedMap(stack)).has(goneState)).toBe(true);

    await stack.restartApp({ HA_DISCOVERY: "false" });
    await untilRetained(stack, (r) => configTopics(r).length === 0, "no discovery config");
    await quiet(stack);
    const retained = await retainedMap(stack);
    expect(retained.has(goneState)).toBe(false);
    expect(retained.has(`${BASE}/dhcp/static_leases`)).toBe(true);
    expect(retained.has(`${BASE}/connection`)).toBe(true);
  });
});

describe("bridge: health", () => {
  it("publishes a heartbeat with uptime, last good poll per group, errors and memory, and writes DATA_DIR/health.json", async () => {
    stack = await startBridge();
    const s = stack;
    const health = async () => {
      await s.waitFor(`${BASE}/bridge/health`, (p) => {
        const h = JSON.parse(p) as { last_good_poll: Record<string, string | null> };
        return Object.values(h.last_good_poll).every((v) => v !== null);
      });
      return parse<Health>(s.last(`${BASE}/bridge/health`));
    };
    const h = await health();
    expect(h.uptime_s).toBeTypeOf("number");
    expect(h.mqtt_connected).toBe(true);
    expect(h.box_available).toBe(true);
    for (const group of ["status", "config", "leases"]) {
      expect(Date.parse(h.last_good_poll[group] ?? ""), group).toBeGreaterThan(Date.now() - 60_000);
      expect(h.poll_errors[group]).toBe(0);
    }
    expect(h.last_error).toBeNull();
    expect(h.memory.rss_mb).toBeGreaterThan(0);
    expect(h.memory.heap_used_mb).toBeGreaterThan(0);
    expect(stack.watch.on(`${BASE}/bridge/health`).every((m) => !m.retain)).toBe(true);

    const file = JSON.parse(readFileSync(join(stack.config.dataDir, "health.json"), "utf8"));
    expect(file).toMatchObject({ mqtt_connected: true, box_available: true });
    expect(Object.keys(file.last_good_poll)).toEqual(["status", "config", "leases"]);

    // A failed poll shows in the errors.
    stack.sim.faults.unreachable = true;
    await stack.app.bridge?.refreshAll();
    await s.waitFor(`${BASE}/bridge/health`, (p) => JSON.parse(p).box_available === false);
    const down = parse<Health>(s.last(`${BASE}/bridge/health`));
    expect(down.poll_errors.status).toBeGreaterThan(0);
    expect(down.last_error).toBeTypeOf("string");
    stack.sim.faults.unreachable = false;
  });
});
