// Every commandable entity the bridge announces to Home Assistant, driven the way HA drives it:
// read its retained discovery config, publish on its `command_topic` what HA would send (switch
// payload_on/payload_off, a number, a text, payload_press), then check the write the box received
// and the state topic that follows (README "Commands", "Home Assistant entities").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DDNS_PROVIDERS } from "../../src/freebox/types.js";
import { command, readyStack, stateWhere, writes } from "./commands-helpers.js";
import type { Received } from "./mqtt-helpers.js";
import { BASE, type Stack } from "./stack.js";

interface EntityConfig {
  unique_id: string;
  command_topic: string;
  command_template?: string;
  state_topic?: string;
  payload_on?: string;
  payload_off?: string;
  payload_press?: string;
  min?: number;
  max?: number;
  pattern?: string;
}

// The API path each settings state topic is written through (freebox-api-connection, -dhcp).
const WRITE_PATHS: Record<string, string> = {
  "connection/config": "connection/config/",
  "connection/ipv6": "connection/ipv6/config/",
  "connection/ddns/ovh": "connection/ddns/ovh/",
  "connection/ddns/dyndns": "connection/ddns/dyndns/",
  "connection/ddns/noip": "connection/ddns/noip/",
  "dhcp/config": "dhcp/config/",
  "wifi/config": "wifi/config/",
  "lcd/config": "lcd/config/",
};

// What a user types into each text entity, and the value the box then holds.
const TEXTS: Record<string, { typed: string; sent: unknown }> = {
  hostname: { typed: "home.example.net", sent: "home.example.net" },
  user: { typed: "alice", sent: "alice" },
  password: { typed: "correct horse battery", sent: "correct horse battery" },
  ip_range_start: { typed: "192.168.1.10", sent: "192.168.1.10" },
  ip_range_end: { typed: "192.168.1.60", sent: "192.168.1.60" },
  // HA shows the DNS list as "a, b" and sends it back edited the same way.
  dns: { typed: "1.1.1.1, 9.9.9.9", sent: ["1.1.1.1", "9.9.9.9"] },
};

/** HA renders `command_template` with `value`; only that variable is used by MQTT entities here. */
function render(config: EntityConfig, value: string): string {
  const template = config.command_template;
  if (template === undefined) return value;
  if (!/^\s*\{\{\s*value\s*\}\}\s*$/.test(template)) throw new Error(`template not understood: ${template}`);
  return value;
}

const relative = (topic: string): string => topic.slice(BASE.length + 1);

let stack: Stack;
let entities: Array<{ topic: string; component: string; key: string; config: EntityConfig }>;

beforeAll(async () => {
  stack = await readyStack({ sim: { rebootMs: 300 } });
  const retained: Received[] = await stack.retained("homeassistant/#");
  entities = retained
    .filter((m) => m.payload !== "")
    .map((m) => {
      const [, component = "", , key = ""] = m.topic.split("/");
      return { topic: m.topic, component, key, config: JSON.parse(m.payload) as EntityConfig };
    })
    .filter((e) => ["switch", "number", "text", "button"].includes(e.component));
  // Reboot last: the box is gone for a moment afterwards.
  entities.sort((a, b) => Number(a.key === "reboot") - Number(b.key === "reboot"));
});

afterAll(async () => {
  await stack?.close();
});

describe("Home Assistant entities drive the box", () => {
  it("announces every commandable entity of the contract", () => {
    const keys = entities.map((e) => e.key).sort();
    const ddns = ["ovh", "dyndns", "noip"].flatMap((p) =>
      ["enabled", "hostname", "user", "password"].map((f) => `ddns_${p}_${f}`),
    );
    expect(keys).toEqual(
      [
        "ping",
        "wol",
        "adblock",
        "remote_access",
        "allow_token_request",
        "remote_access_port",
        "ipv6_enabled",
        ...ddns,
        "dhcp_enabled",
        "dhcp_sticky_assign",
        "dhcp_always_broadcast",
        "dhcp_ip_range_start",
        "dhcp_ip_range_end",
        "dhcp_dns",
        "wifi",
        "lcd_brightness",
        "mark_calls_read",
        "reboot",
        "refresh",
      ].sort(),
    );
    for (const e of entities) expect(e.config.command_topic.startsWith(`${BASE}/`)).toBe(true);
  });

  it("sends what each entity means and shows the new value on its state topic", async () => {
    for (const { key, component, config } of entities) {
      const cmd = relative(config.command_topic);
      const field = cmd.split("/").at(-1) ?? "";
      const stateRel = config.state_topic === undefined ? undefined : relative(config.state_topic);
      const before = writes(stack).length;
      const requests = stack.sim.requests.length;
      const current =
        stateRel === undefined ? {} : (stack.lastJson(`${BASE}/${stateRel}`) as Record<string, unknown>);
      let payload: string;
      let sent: unknown;
      if (component === "switch") {
        sent = current[field] !== true;
        payload = sent ? (config.payload_on ?? "ON") : (config.payload_off ?? "OFF");
      } else if (component === "number") {
        // A value inside the entity's range: a port, or a 0–100 display brightness.
        const base = (config.max ?? 100) > 100 ? 40_001 : 40;
        sent = current[field] === base ? base + 1 : base;
        expect(sent).toBeGreaterThanOrEqual(config.min ?? 1);
        expect(sent).toBeLessThanOrEqual(config.max ?? 100);
        // A whole step: HA sends the integer without a fraction.
        payload = String(sent);
      } else if (component === "text") {
        const sample = TEXTS[field];
        if (!sample) throw new Error(`no sample text for ${key}`);
        // HA refuses, before sending, a text that does not match the entity's pattern.
        if (config.pattern) expect(sample.typed).toMatch(new RegExp(config.pattern));
        payload = sample.typed;
        sent = sample.sent;
      } else {
        payload = config.payload_press ?? "PRESS";
      }
      const answer = await command(stack, cmd, render(config, payload));
      expect(answer, `${key}: ${JSON.stringify(answer)}`).toMatchObject({ status: "ok" });

      const written = writes(stack).slice(before);
      if (key === "refresh") {
        // Polls now: reads every poll group, writes nothing.
        expect(written).toEqual([]);
        const reads = stack.sim.requests.slice(requests).map((r) => `${r.method} ${r.path}`);
        for (const path of [
          "connection/",
          "connection/config/",
          "dhcp/config/",
          "dhcp/static_lease/",
          "system/",
        ]) {
          expect(reads).toContain(`GET ${path}`);
        }
        continue;
      }
      if (key === "reboot") {
        expect(written.map((r) => `${r.method} ${r.path}`)).toEqual(["POST system/reboot/"]);
        continue;
      }
      if (key === "mark_calls_read") {
        expect(written.map((r) => `${r.method} ${r.path}`)).toEqual(["POST call/log/mark_all_as_read/"]);
        await stateWhere<{ missed_new: number }>(stack, "calls", (s) => s.missed_new === 0);
        continue;
      }
      if (stateRel === undefined) throw new Error(`${key} has no state topic`);
      const path = WRITE_PATHS[stateRel];
      expect(
        written.map((r) => [r.method, r.path, r.body]),
        key,
      ).toEqual([["PUT", path, { [field]: sent }]]);
      if (field === "password") {
        // Write-only: the box has it, no topic ever shows it.
        const provider = DDNS_PROVIDERS.find((p) => stateRel === `connection/ddns/${p}`);
        expect(provider && stack.sim.state.ddns[provider].password).toBe(sent);
        expect(stack.last(`${BASE}/${stateRel}`)).not.toContain(String(sent));
        continue;
      }
      if (field === "dns") {
        await stateWhere<{ dns: string[] }>(
          stack,
          stateRel,
          (s) => s.dns.filter((d) => d !== "").join() === "1.1.1.1,9.9.9.9",
        );
        continue;
      }
      await stateWhere(stack, stateRel, (s) => s[field] === sent);
    }
  });
});
