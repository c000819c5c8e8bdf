// What the bridge leaves on the broker for a fibre, an xDSL and an LED strip box: every discovery config and
// state, retained. With DISCOVERY_DUMP_DIR set (.ci/run does), the messages are also written as
// JSON lines for Home Assistant's rules checker (../shared/tools/ha-discovery-validate.mjs).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "./mqtt-helpers.js";
import { BASE, type Stack, startStack } from "./stack.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

// The LED strip box (a Freebox Ultra) has its own dump: Home Assistant's rules checker knows only the
// common options of a `light`, so .ci/run checks that dump without --strict.
const BOXES = [
  { dump: "ftth", media: "ftth", ledStrip: false },
  { dump: "xdsl", media: "xdsl", ledStrip: false },
  { dump: "led-strip", media: "ftth", ledStrip: true },
] as const;

describe.each(BOXES)("retained picture of the $dump box", ({ dump, media, ledStrip }) => {
  it("holds valid discovery for every entity and a state for every resource", async () => {
    stack = await startStack({ sim: { media, ledStrip, staticLeases: 3, dynamicLeases: 5 } });
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "online");
    await stack.waitFor(`${BASE}/dhcp/dynamic_leases`);
    await stack.waitFor(`${BASE}/dhcp/config`);
    await stack.waitFor(`${BASE}/connection/${media}`);
    // Read last in the config poll (wifi, calls, storage, display).
    await stack.waitFor(`${BASE}/lcd/config`);
    const listedHosts = Object.values(stack.sim.state.hosts).filter((h) => typeof h.id === "string");
    await until(
      () => stack?.watch.messages.filter((m) => m.topic.includes("/host_")).length === listedHosts.length,
      8000,
      "a tracker per LAN host",
    );
    const retained = await stack.retained();
    const topics = retained.map((m) => m.topic);
    const other = media === "ftth" ? "xdsl" : "ftth";
    expect(topics).toContain(`${BASE}/connection/${media}`);
    expect(topics).not.toContain(`${BASE}/connection/${other}`);
    for (const state of [
      "connection",
      "connection/config",
      "connection/ipv6",
      "dhcp/config",
      "system",
      "wifi/config",
      "calls",
      "storage",
      "lcd/config",
    ]) {
      expect(topics).toContain(`${BASE}/${state}`);
    }
    for (const provider of ["ovh", "dyndns", "noip"])
      expect(topics).toContain(`${BASE}/connection/ddns/${provider}`);
    const configs = retained.filter((m) => m.topic.startsWith("homeassistant/"));
    const keys = configs.map((m) => m.topic.split("/")[3]);
    expect(keys).toContain(media === "xdsl" ? "xdsl_down_rate" : "sfp_present");
    expect(keys).not.toContain(media === "xdsl" ? "sfp_present" : "xdsl_down_rate");
    // A tracker per LAN host (static leases' hosts among them) and the LAN event entity.
    expect(keys.filter((k) => k?.startsWith("host_"))).toHaveLength(listedHosts.length);
    expect(keys).toContain("lan_event");
    for (const key of ["wifi", "wifi_mac_filter", "missed_calls", "mark_calls_read", "lcd_brightness"])
      expect(keys).toContain(key);
    if (ledStrip) expect(keys).toContain("led_strip");
    else expect(keys).not.toContain("led_strip");
    // The Delta's disks are in a RAID 1 array; the Revolution has one disk and no RAID support.
    expect(keys).toContain(media === "ftth" ? "raid_0_degraded" : "partition_1000_free");
    for (const m of configs) {
      const config = JSON.parse(m.payload) as { unique_id: string };
      expect(config.unique_id).toMatch(/^freebox_[0-9a-f]{12}_[a-z0-9_]+$/);
    }
    // No write-only secret anywhere (the DynDNS password).
    for (const m of retained) expect(m.payload).not.toMatch(/"password"\s*:\s*"/);
    const dir = process.env.DISCOVERY_DUMP_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${dump}.jsonl`), `${retained.map((m) => JSON.stringify(m)).join("\n")}\n`);
    }
  });
});
