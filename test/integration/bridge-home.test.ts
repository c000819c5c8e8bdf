// Wi-Fi, call log, storage and display end to end (issue 16; README rows wifi, calls,
// storage, lcd): the simulator with the shapes real boxes send, the embedded broker, the real app,
// and what a user sees: discovery configs, state topics, command answers, the requests the box got.
import { afterEach, describe, expect, it } from "vitest";
import { command, logins, writes } from "./commands-helpers.js";
import { APP_ID, BASE, type Stack, type StackOptions, startStack } from "./stack.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const HOME_TOPICS = ["wifi/config", "calls", "storage", "lcd/config"];

async function ready(options: StackOptions): Promise<Stack> {
  const s = await startStack(options);
  stack = s;
  await s.waitFor(`${BASE}/box/availability`, (p) => p === "online");
  await s.waitFor(`${BASE}/bridge/info`);
  return s;
}

/** Entity keys whose discovery config is retained now (non-empty). */
async function keys(s: Stack): Promise<string[]> {
  const retained = await s.retained("homeassistant/#");
  return retained.filter((m) => m.payload !== "").map((m) => m.topic.split("/")[3] ?? "");
}

const config = (s: Stack, component: string, key: string): Record<string, unknown> => {
  const box = s.sim.state.system.mac.replaceAll(":", "").toLowerCase();
  return s.lastJson(`homeassistant/${component}/freebox_${box}/${key}/config`);
};

const refresh = (s: Stack) => command(s, "bridge/request/refresh", "PRESS");
const requestsTo = (s: Stack, method: string, path: string) =>
  s.sim.requests.filter((r) => r.method === method && r.path === path);

describe("a fibre box with disks in RAID, a display and an LED strip", () => {
  it("publishes the states and entities of each resource", async () => {
    const s = await ready({ sim: { media: "ftth", ledStrip: true } });
    for (const topic of HOME_TOPICS) await s.waitFor(`${BASE}/${topic}`);
    expect(s.lastJson(`${BASE}/wifi/config`)).toMatchObject({ enabled: true, mac_filter_state: "disabled" });
    const calls = s.lastJson<{
      missed_new: number;
      missed: Array<Record<string, unknown>>;
      latest: unknown[];
    }>(`${BASE}/calls`);
    expect(calls.missed_new).toBe(2);
    expect(calls.missed.map((c) => c.name)).toHaveLength(3);
    expect(calls.missed[0]).toMatchObject({ name: "Jean Dupont", type: "missed", new: true });
    expect(calls.missed[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(calls.latest).toHaveLength(5);
    const storage = s.lastJson<{
      disks: Array<Record<string, unknown>>;
      partitions: unknown[];
      raids: unknown[];
    }>(`${BASE}/storage`);
    expect(storage.disks.map((d) => d.id)).toEqual([0, 1, 2000]);
    expect(storage.disks[0]).not.toHaveProperty("partitions");
    expect(storage.partitions).toHaveLength(3);
    expect(storage.raids).toEqual([expect.objectContaining({ id: 0, level: "raid1", degraded: false })]);
    expect(s.lastJson(`${BASE}/lcd/config`)).toMatchObject({
      brightness: 100,
      led_strip_animation: "static",
    });

    const announced = await keys(s);
    for (const key of [
      "wifi",
      "wifi_mac_filter",
      "missed_calls",
      "mark_calls_read",
      "disk_0_temperature",
      "disk_1_temperature",
      "partition_2001_free",
      "raid_0_degraded",
      "led_strip",
      "lcd_brightness",
    ]) {
      expect(announced).toContain(key);
    }
    // The RAID array's own disk entry reports no temperature; member partitions have no size.
    expect(announced).not.toContain("disk_2000_temperature");
    expect(announced.filter((k) => k.startsWith("partition_"))).toEqual(["partition_2001_free"]);

    expect(config(s, "switch", "wifi")).toMatchObject({
      entity_category: "config",
      command_topic: `${BASE}/wifi/config/set/enabled`,
      name: expect.stringMatching(/disconnects Wi-Fi devices/),
    });
    expect(config(s, "light", "led_strip")).toMatchObject({
      command_topic: `${BASE}/lcd/config/set/led_strip_enabled`,
      brightness_command_topic: `${BASE}/lcd/config/set/led_strip_brightness`,
      brightness_scale: 100,
      effect_command_topic: `${BASE}/lcd/config/set/led_strip_animation`,
      effect_list: ["organic", "static", "breathing", "rain", "trail", "wave"],
    });
    expect(config(s, "number", "lcd_brightness")).toMatchObject({
      min: 0,
      max: 100,
      entity_category: "config",
    });
    expect(config(s, "sensor", "disk_0_temperature")).toMatchObject({
      device_class: "temperature",
      unit_of_measurement: "°C",
      entity_category: "diagnostic",
    });
    expect(config(s, "binary_sensor", "raid_0_degraded")).toMatchObject({ device_class: "problem" });
    expect(config(s, "sensor", "partition_2001_free")).toMatchObject({
      unit_of_measurement: "%",
      json_attributes_topic: `${BASE}/storage`,
    });
  });

  it("turns each command into the box's call with the right body, and refreshes the state", async () => {
    const s = await ready({ sim: { media: "ftth", ledStrip: true } });
    for (const topic of HOME_TOPICS) await s.waitFor(`${BASE}/${topic}`);
    const cases: Array<[topic: string, payload: string, method: string, path: string, body: unknown]> = [
      ["wifi/config/set/enabled", "OFF", "PUT", "wifi/config/", { enabled: false }],
      ["wifi/config/set", '{"enabled": true}', "PUT", "wifi/config/", { enabled: true }],
      ["lcd/config/set/brightness", "40", "PUT", "lcd/config/", { brightness: 40 }],
      ["lcd/config/set/led_strip_brightness", "55", "PUT", "lcd/config/", { led_strip_brightness: 55 }],
      ["lcd/config/set/led_strip_animation", "rain", "PUT", "lcd/config/", { led_strip_animation: "rain" }],
      ["lcd/config/set/led_strip_enabled", "OFF", "PUT", "lcd/config/", { led_strip_enabled: false }],
      ["calls/mark_read", "PRESS", "POST", "call/log/mark_all_as_read/", undefined],
    ];
    for (const [topic, payload, method, path, body] of cases) {
      const before = writes(s).length;
      expect(await command(s, topic, payload), topic).toMatchObject({ status: "ok" });
      expect(
        writes(s)
          .slice(before)
          .map((r) => [r.method, r.path, r.body]),
      ).toEqual([[method, path, body]]);
    }
    await s.waitFor(`${BASE}/lcd/config`, (p) => JSON.parse(p).led_strip_enabled === false);
    expect(s.lastJson(`${BASE}/lcd/config`)).toMatchObject({
      brightness: 40,
      led_strip_brightness: 55,
      led_strip_animation: "rain",
    });
    await s.waitFor(`${BASE}/calls`, (p) => JSON.parse(p).missed_new === 0);
    expect(s.lastJson(`${BASE}/wifi/config`)).toMatchObject({ enabled: true });
  });

  it("refuses invalid input before it reaches the box", async () => {
    const s = await ready({ sim: { media: "ftth", ledStrip: true } });
    await s.waitFor(`${BASE}/lcd/config`);
    const before = writes(s).length;
    const refused: Array<[string, string, RegExp]> = [
      ["lcd/config/set/brightness", "101", /from 0 to 100/],
      ["lcd/config/set/brightness", "4.5", /from 0 to 100/],
      ["lcd/config/set/led_strip_animation", "disco", /not one of this box's animations/],
      ["lcd/config/set/orientation", "90", /read-only/],
      ["lcd/config/set", '{"led_strip_enabled": "yes"}', /boolean/],
      ["wifi/config/set/mac_filter_state", "whitelist", /read-only/],
      ["wifi/config/set", '{"enabled": 1}', /boolean/],
      ["wifi/config/set", "{}", /nothing to change/],
    ];
    for (const [topic, payload, message] of refused) {
      const answer = await command(s, topic, payload);
      expect(answer, `${topic} ${payload}`).toMatchObject({ status: "error", code: "invalid_request" });
      expect(answer.error).toMatch(message);
    }
    expect(writes(s).slice(before)).toEqual([]);
  });
});

describe("boxes with less", () => {
  it("has no LED strip entity and refuses strip commands where the box has no strip", async () => {
    const s = await ready({ sim: { media: "ftth" } });
    await s.waitFor(`${BASE}/lcd/config`);
    const announced = await keys(s);
    expect(announced).toContain("lcd_brightness");
    expect(announced).not.toContain("led_strip");
    const before = writes(s).length;
    const answer = await command(s, "lcd/config/set/led_strip_enabled", "ON");
    expect(answer).toMatchObject({ status: "error", code: "invalid_request" });
    expect(answer.error).toMatch(/no LED strip/);
    expect(writes(s).slice(before)).toEqual([]);
  });

  it("has no storage entities on a box without disks", async () => {
    const s = await ready({ sim: { media: "ftth", disks: false } });
    await s.waitFor(`${BASE}/storage`);
    expect(s.lastJson(`${BASE}/storage`)).toEqual({ disks: [], partitions: [], raids: [] });
    const announced = await keys(s);
    expect(announced.filter((k) => /^(disk|partition|raid)_/.test(k))).toEqual([]);
    expect(announced).toContain("wifi");
  });

  it("takes internal_error on storage/raid/ as a box without RAID: said once, asked again rarely", async () => {
    const s = await ready({ sim: { media: "xdsl" } });
    await s.waitFor(`${BASE}/storage`);
    const storage = s.lastJson<{ disks: unknown[]; raids: unknown }>(`${BASE}/storage`);
    expect(storage.raids).toBeNull();
    expect(storage.disks).toHaveLength(1);
    await refresh(s);
    await refresh(s);
    expect(requestsTo(s, "GET", "storage/disk/").length).toBeGreaterThanOrEqual(3);
    expect(requestsTo(s, "GET", "storage/raid/")).toHaveLength(1);
    expect(s.logs.matching("no RAID support")).toHaveLength(1);
    const announced = await keys(s);
    expect(announced).toContain("disk_0_temperature");
    expect(announced).toContain("partition_1000_free");
    expect(announced.filter((k) => k.startsWith("raid_"))).toEqual([]);
    // The bridge keeps going: every other resource is there.
    expect(s.last(`${BASE}/box/availability`)).toBe("online");
  });

  it("has no display entities on a box without a display, and says so once", async () => {
    const s = await ready({ sim: { media: "ftth", display: false } });
    await refresh(s);
    await refresh(s);
    const announced = await keys(s);
    expect(announced.filter((k) => k === "lcd_brightness" || k === "led_strip")).toEqual([]);
    expect(s.last(`${BASE}/lcd/config`)).toBeUndefined();
    expect(s.lastJson(`${BASE}/bridge/info`)).toMatchObject({
      not_on_this_box: [{ resource: "lcd", code: "no_panel" }],
    });
    expect(s.logs.matching("lcd: not on this box")).toHaveLength(1);
  });
});

describe("a missing right", () => {
  it("removes the resource's entities, lists the right in bridge/info, and comes back once granted", async () => {
    const s = await ready({ sim: { media: "ftth" } });
    await s.waitFor(`${BASE}/calls`);
    const box = s.sim.state.system.mac.replaceAll(":", "").toLowerCase();
    const missed = `homeassistant/sensor/freebox_${box}/missed_calls/config`;
    await s.waitFor(missed, (p) => p !== "");

    // The owner takes the right away; the box applies it to sessions opened afterwards.
    s.sim.setPermission(APP_ID, "calls", false);
    s.sim.expireSessions();
    await refresh(s);
    await s.waitFor(missed, (p) => p === "");
    await s.waitFor(`${BASE}/calls`, (p) => p === "");
    await s.waitFor(`${BASE}/bridge/info`, (p) => JSON.parse(p).missing_rights.length === 1);
    expect(s.lastJson(`${BASE}/bridge/info`)).toMatchObject({
      missing_rights: [{ resource: "calls", topic: `${BASE}/calls`, right: "calls" }],
    });
    const button = `homeassistant/button/freebox_${box}/mark_calls_read/config`;
    expect(s.last(button)).toBe("");
    await refresh(s);
    expect(s.logs.matching('lacks the \\"calls\\" right')).toHaveLength(1);
    expect(s.last(`${BASE}/box/availability`)).toBe("online");

    // Granted again: the next refresh reads it on a new session, without restarting anything.
    s.sim.setPermission(APP_ID, "calls", true);
    const sessions = logins(s).length;
    await refresh(s);
    await s.waitFor(missed, (p) => p !== "");
    await s.waitFor(`${BASE}/calls`, (p) => p !== "" && JSON.parse(p).missed_new === 2);
    await s.waitFor(`${BASE}/bridge/info`, (p) => JSON.parse(p).missing_rights.length === 0);
    expect(logins(s).length).toBeGreaterThan(sessions);
  });

  it("treats a right the simulator does not model (storage) the same way", async () => {
    const s = await ready({ sim: { media: "ftth" } });
    await s.waitFor(`${BASE}/storage`);
    s.sim.faults.refuseRight = { match: /^storage\//, right: "explorer" };
    await refresh(s);
    await s.waitFor(`${BASE}/storage`, (p) => p === "");
    expect((await keys(s)).filter((k) => /^(disk|partition|raid)_/.test(k))).toEqual([]);
    expect(s.lastJson(`${BASE}/bridge/info`)).toMatchObject({
      missing_rights: [{ resource: "storage", right: "explorer" }],
    });
    s.sim.faults.refuseRight = null;
    await refresh(s);
    await s.waitFor(`${BASE}/storage`, (p) => p !== "");
    expect(await keys(s)).toContain("raid_0_degraded");
  });
});
