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
    const config = loadConfig({
      env: { MQTT_USERNAME: "ha", MQTT_PASSWORD_FILE: secret, FREEBOX_APP_TOKEN_FILE: secret },
    });
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

  it("converts FREEBOX_API_VERSION from the environment, and refuses what is not an API major", () => {
    expect(loadConfig({ env: { FREEBOX_API_VERSION: "8" } }).freebox.apiVersion).toBe(8);
    expect(loadConfig({ env: {} }).freebox.apiVersion).toBeNull();
    for (const bad of ["0", "100", "8.5", "v8", "8abc"]) {
      const problems = problemsOf(() => loadConfig({ env: { FREEBOX_API_VERSION: bad } }));
      expect(problems).toEqual([expect.stringMatching(/^FREEBOX_API_VERSION .*API major from 1 to 99/)]);
      expect(problems[0]).toContain(`"${bad}"`);
    }
  });

  it("takes true/false, on/off, yes/no and 1/0 in any case for booleans, and refuses anything else", () => {
    for (const [text, value] of [
      ["true", true],
      ["ON", true],
      ["Yes", true],
      ["1", true],
      ["false", false],
      ["off", false],
      ["NO", false],
      ["0", false],
      [" Off ", false],
    ] as const) {
      const config = loadConfig({ env: { HA_DISCOVERY: text, MQTT_REJECT_UNAUTHORIZED: text } });
      expect([config.ha.discovery, config.mqtt.rejectUnauthorized]).toEqual([value, value]);
    }
    for (const bad of ["nope", "2", "enabled", "truee"]) {
      const problems = problemsOf(() => loadConfig({ env: { HA_DISCOVERY: bad } }));
      expect(problems).toEqual([
        `HA_DISCOVERY (ha.discovery: must be true/false, on/off, yes/no or 1/0 (any case), got "${bad}": value was "${bad}")`,
      ]);
    }
    // The same words in a config file.
    const file = join(tmp(), "c.json");
    writeFileSync(file, JSON.stringify({ ha: { discovery: "off" } }));
    expect(loadConfig({ file, env: {} }).ha.discovery).toBe(false);
  });

  it("counts an empty variable as unset for every setting, with or without a default", () => {
    const names = [
      "FREEBOX_URL",
      "FREEBOX_APP_ID",
      "FREEBOX_APP_TOKEN",
      "FREEBOX_API_VERSION",
      "FREEBOX_TIMEOUT",
      "DATA_DIR",
      "MQTT_URL",
      "MQTT_USERNAME",
      "MQTT_PASSWORD",
      "MQTT_REJECT_UNAUTHORIZED",
      "MQTT_CLIENT_ID",
      "MQTT_EMBEDDED_HOST",
      "MQTT_EMBEDDED_PORT",
      "MQTT_BASE_TOPIC",
      "HA_DISCOVERY",
      "HA_DISCOVERY_PREFIX",
      "HA_STATUS_TOPIC",
      "POLL_STATUS_INTERVAL",
      "LOG_LEVEL",
      "LOG_FORMAT",
    ];
    const empty = loadConfig({ env: Object.fromEntries(names.map((n) => [n, ""])) });
    const { clientId: _a, ...emptyMqtt } = empty.mqtt;
    const defaults = loadConfig({ env: {} });
    const { clientId: _b, ...defaultMqtt } = defaults.mqtt;
    expect({ ...empty, mqtt: emptyMqtt }).toEqual({ ...defaults, mqtt: defaultMqtt });
    expect(empty.mqtt.cleanSession).toBe(true);
    // Blank counts as empty; an empty variable does not hide the config file's value.
    const file = join(tmp(), "c.json");
    writeFileSync(file, JSON.stringify({ poll: { statusInterval: 5 } }));
    expect(loadConfig({ file, env: { POLL_STATUS_INTERVAL: "  " } }).poll.statusInterval).toBe(5);
  });

  it("takes LOG_LEVEL and LOG_FORMAT in any case; numbers only when the whole value is one", () => {
    expect(loadConfig({ env: { LOG_LEVEL: "DEBUG", LOG_FORMAT: "Json" } }).log).toEqual({
      level: "debug",
      format: "json",
    });
    const problems = problemsOf(() =>
      loadConfig({ env: { POLL_STATUS_INTERVAL: "10s", MQTT_EMBEDDED_PORT: "1883abc" } }),
    );
    expect(problems).toHaveLength(2);
    expect(problems.join("\n")).toContain('"10s"');
    expect(problems.join("\n")).toContain('"1883abc"');
  });

  it("takes the presence settings, and names each bad one", () => {
    expect(loadConfig({ env: {} }).presence).toEqual({ trackers: "all", exclude: "", removeAfterDays: 30 });
    const config = loadConfig({
      env: {
        PRESENCE_TRACKERS: "Static",
        PRESENCE_EXCLUDE: "aa:bb:cc:dd:ee:ff, AABBCCDDEE00",
        PRESENCE_REMOVE_AFTER_DAYS: "7",
      },
    });
    expect(config.presence).toEqual({
      trackers: "static",
      exclude: "aa:bb:cc:dd:ee:ff, AABBCCDDEE00",
      removeAfterDays: 7,
    });
    const problems = problemsOf(() =>
      loadConfig({
        env: { PRESENCE_TRACKERS: "some", PRESENCE_EXCLUDE: "aa:bb, zz", PRESENCE_REMOVE_AFTER_DAYS: "7d" },
      }),
    );
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(/PRESENCE_TRACKERS.*"some"/);
    expect(problems.join("\n")).toMatch(/PRESENCE_EXCLUDE.*"aa:bb", "zz" is not a MAC address/);
    expect(problems.join("\n")).toMatch(/PRESENCE_REMOVE_AFTER_DAYS.*"7d"/);
  });

  it("masks the user name and password of a URL it quotes in an error", () => {
    for (const url of [
      "ftp://freebox2mqtt:pa55w0rd-xyz@broker",
      "mqtt//freebox2mqtt:pa55w0rd-xyz@broker:1883",
    ]) {
      const text = problemsOf(() => loadConfig({ env: { MQTT_URL: url, FREEBOX_URL: url } })).join("\n");
      expect(text).toContain("MQTT_URL");
      expect(text).toContain("FREEBOX_URL");
      expect(text).toContain("***@broker");
      expect(text).not.toContain("pa55w0rd");
      expect(text).not.toContain("freebox2mqtt:");
    }
    // A password typed raw, with "/", "@" or a quote in it, is masked whole too.
    const raw = 'ftp://me:p/a@s"s#w0rd@broker';
    const text = problemsOf(() => loadConfig({ env: { MQTT_URL: raw } })).join("\n");
    expect(text).toContain("ftp://***@broker");
    for (const piece of ["p/a", "w0rd", "me:"]) expect(text).not.toContain(piece);
  });

  it("refuses a base topic and a discovery prefix that overlap, in either direction", () => {
    for (const [base, prefix] of [
      ["homeassistant", "homeassistant"],
      ["home", "home/ha"],
      ["homeassistant/freebox", "homeassistant"],
    ]) {
      expect(
        problemsOf(() => loadConfig({ env: { MQTT_BASE_TOPIC: base, HA_DISCOVERY_PREFIX: prefix } })),
      ).toEqual([
        `MQTT_BASE_TOPIC "${base}" and HA_DISCOVERY_PREFIX "${prefix}" overlap: neither may be the other nor below it (the bridge would answer other integrations' discovery messages as unknown commands)`,
      ]);
    }
    // Sharing a first level is fine: "home/fbx" and "home/ha" are apart, as are "fb" and "fbx".
    expect(
      loadConfig({ env: { MQTT_BASE_TOPIC: "home/fbx", HA_DISCOVERY_PREFIX: "home/ha" } }).mqtt.baseTopic,
    ).toBe("home/fbx");
    expect(
      loadConfig({ env: { MQTT_BASE_TOPIC: "fb", HA_DISCOVERY_PREFIX: "fbx" } }).ha.discoveryPrefix,
    ).toBe("fbx");
  });

  it("requires both MQTT_USERNAME and MQTT_PASSWORD for the embedded broker, or neither", () => {
    for (const env of [{ MQTT_USERNAME: "ha" }, { MQTT_PASSWORD: "s3cret-pw" }]) {
      expect(problemsOf(() => loadConfig({ env }))).toEqual([
        "MQTT_USERNAME and MQTT_PASSWORD (the embedded broker, MQTT_URL unset, requires both or neither): set both",
      ]);
    }
    expect(loadConfig({ env: { MQTT_USERNAME: "ha", MQTT_PASSWORD: "s3cret-pw" } }).mqtt.username).toBe("ha");
    // An external broker may take a user name alone.
    expect(
      loadConfig({ env: { MQTT_URL: "mqtt://127.0.0.1", MQTT_USERNAME: "ha" } }).mqtt.password,
    ).toBeNull();
  });
});
