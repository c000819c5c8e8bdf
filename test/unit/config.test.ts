import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

const tmp = () => mkdtempSync(join(tmpdir(), "fbx-config-"));

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("has the contract's defaults", () => {
    const config = loadConfig({ env: {} });
    expect(config.freebox.url).toBe("https://mafreebox.freebox.fr");
    expect(config.freebox.appId).toBe("fr.freebox2mqtt");
    expect(config.freebox.appToken).toBeNull();
    expect(config.dataDir).toBe("./data");
    expect(config.mqtt.url).toBeNull();
    expect(config.mqtt.embeddedHost).toBe("127.0.0.1");
    expect(config.mqtt.embeddedPort).toBe(1883);
    expect(config.mqtt.baseTopic).toBe("freebox2mqtt");
    expect(config.mqtt.clientId).toMatch(/^freebox2mqtt_[0-9a-f]{8}$/);
    expect(config.ha).toEqual({
      discovery: true,
      discoveryPrefix: "homeassistant",
      statusTopic: "homeassistant/status",
    });
    expect(config.poll).toEqual({ statusInterval: 10, configInterval: 60, leasesInterval: 30 });
    expect(config.log).toEqual({ level: "info", format: "text" });
  });

  it("takes a JSON file, then environment variables over it", () => {
    const dir = tmp();
    const file = join(dir, "c.json");
    writeFileSync(
      file,
      JSON.stringify({
        mqtt: { baseTopic: "box", url: "mqtt://127.0.0.1:1884" },
        poll: { statusInterval: 5 },
      }),
    );
    const config = loadConfig({ file, env: { POLL_STATUS_INTERVAL: "7", HA_DISCOVERY: "false" } });
    expect(config.mqtt.baseTopic).toBe("box");
    expect(config.mqtt.url).toBe("mqtt://127.0.0.1:1884");
    expect(config.poll.statusInterval).toBe(7);
    expect(config.ha.discovery).toBe(false);
    expect(loadConfig({ env: { CONFIG_FILE: file } }).mqtt.baseTopic).toBe("box");
  });

  it("reads secrets from <NAME>_FILE as Docker secrets provide them", () => {
    const dir = tmp();
    const secret = join(dir, "pw");
    writeFileSync(secret, "s3cret-from-file\n");
    chmodSync(secret, 0o600);
    const config = loadConfig({ env: { MQTT_PASSWORD_FILE: secret, FREEBOX_APP_TOKEN_FILE: secret } });
    expect(config.mqtt.password).toBe("s3cret-from-file");
    expect(config.freebox.appToken).toBe("s3cret-from-file");
    expect(problemsOf(() => loadConfig({ env: { MQTT_PASSWORD_FILE: join(dir, "missing") } }))).toEqual([
      `MQTT_PASSWORD_FILE: cannot read "${join(dir, "missing")}" (ENOENT)`,
    ]);
  });

  it("names every bad value in one line each", () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          FREEBOX_URL: "ftp://box",
          MQTT_URL: "http://broker",
          POLL_STATUS_INTERVAL: "0",
          MQTT_EMBEDDED_PORT: "99999",
          LOG_LEVEL: "loud",
          MQTT_BASE_TOPIC: "a/#",
        },
      }),
    );
    expect(problems).toHaveLength(6);
    for (const name of [
      "FREEBOX_URL",
      "MQTT_URL",
      "POLL_STATUS_INTERVAL",
      "MQTT_EMBEDDED_PORT",
      "LOG_LEVEL",
      "MQTT_BASE_TOPIC",
    ]) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
    for (const p of problems) expect(p).not.toContain("\n");
  });

  it("refuses unknown keys in a config file and unreadable JSON", () => {
    const dir = tmp();
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ mqtt: { baseTopik: "x" } }));
    expect(problemsOf(() => loadConfig({ file, env: {} })).join(" ")).toContain("mqtt.baseTopik");
    writeFileSync(file, "{ not json");
    expect(problemsOf(() => loadConfig({ file, env: {} }))[0]).toContain(`config file "${file}"`);
  });

  it("never echoes a secret in its errors", () => {
    const dir = tmp();
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ mqtt: { password: 12345678 } }));
    const text = problemsOf(() => loadConfig({ file, env: {} })).join("\n");
    expect(text).toContain("mqtt.password");
    expect(text).not.toContain("12345678");
  });
});
