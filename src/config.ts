// Configuration: convict schema, loaded from config/default.json, an optional JSON file
// (--config / CONFIG_FILE), then environment variables, then `<NAME>_FILE` secrets (Docker secrets).
// The names are part of the public contract (docs: README "Configuration").

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import convict from "convict";

const required = (name: string) => (value: unknown) => {
  if (typeof value !== "string" || value.length === 0) throw new Error(`${name} must not be empty`);
};

const urlWithScheme =
  (schemes: string[], nullable = false) =>
  (value: unknown) => {
    if (value === null || value === "") {
      if (nullable) return;
      throw new Error("must be set");
    }
    let url: URL;
    try {
      url = new URL(String(value));
    } catch {
      throw new Error(`"${String(value)}" is not a URL`);
    }
    if (!schemes.includes(url.protocol.replace(/:$/, ""))) {
      throw new Error(`"${String(value)}" must use ${schemes.join(", ")}`);
    }
  };

const interval = (value: unknown) => {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 1 || value > 86_400) {
    throw new Error(`must be a number of seconds from 1 to 86400, got "${String(value)}"`);
  }
};

// MQTT topic segments: no wildcards, no empty level, no leading "$" (reserved for the broker).
const topicBase = (value: unknown) => {
  const s = String(value);
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(s)) {
    throw new Error(`"${s}" must be topic levels of letters, digits, "_" or "-" separated by "/"`);
  }
};

const nullableString = (value: unknown) => {
  if (value !== null && typeof value !== "string") throw new Error("must be a string");
};

export const schema = {
  freebox: {
    url: {
      doc: "Freebox address; http:// is allowed on the LAN",
      format: urlWithScheme(["http", "https"]),
      default: "https://mafreebox.freebox.fr",
      env: "FREEBOX_URL",
    },
    appId: {
      doc: "App id used for pairing and sessions",
      format: required("FREEBOX_APP_ID"),
      default: "fr.freebox2mqtt",
      env: "FREEBOX_APP_ID",
    },
    appToken: {
      doc: "App token; when absent, read from DATA_DIR, else pair",
      format: nullableString,
      default: null as string | null,
      env: "FREEBOX_APP_TOKEN",
      sensitive: true,
    },
    apiVersion: {
      doc: "Highest API major to use (auto when unset)",
      format: (value: unknown) => {
        if (value === null) return;
        if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 99) {
          throw new Error(`must be an API major from 1 to 99, got "${String(value)}"`);
        }
      },
      default: null as number | null,
      env: "FREEBOX_API_VERSION",
    },
    timeout: {
      doc: "Timeout of one HTTP call to the box, in seconds",
      format: interval,
      default: 10,
      env: "FREEBOX_TIMEOUT",
    },
  },
  dataDir: {
    doc: "Persistent state: the app token file (mode 0600)",
    format: required("DATA_DIR"),
    default: "./data",
    env: "DATA_DIR",
  },
  mqtt: {
    url: {
      doc: "External broker; none = embedded broker",
      format: urlWithScheme(["mqtt", "mqtts", "ws", "wss"], true),
      default: null as string | null,
      env: "MQTT_URL",
    },
    username: {
      doc: "Broker user name",
      format: nullableString,
      default: null as string | null,
      env: "MQTT_USERNAME",
    },
    password: {
      doc: "Broker password",
      format: nullableString,
      default: null as string | null,
      env: "MQTT_PASSWORD",
      sensitive: true,
    },
    ca: {
      doc: "CA file for mqtts/wss",
      format: nullableString,
      default: null as string | null,
      env: "MQTT_CA",
    },
    cert: {
      doc: "Client certificate file",
      format: nullableString,
      default: null as string | null,
      env: "MQTT_CERT",
    },
    key: { doc: "Client key file", format: nullableString, default: null as string | null, env: "MQTT_KEY" },
    rejectUnauthorized: {
      doc: "Verify the broker certificate",
      format: Boolean,
      default: true,
      env: "MQTT_REJECT_UNAUTHORIZED",
    },
    clientId: {
      doc: "MQTT client id (default freebox2mqtt_<random>)",
      format: nullableString,
      default: null as string | null,
      env: "MQTT_CLIENT_ID",
    },
    embeddedHost: {
      doc: "Embedded broker listen address",
      format: required("MQTT_EMBEDDED_HOST"),
      default: "127.0.0.1",
      env: "MQTT_EMBEDDED_HOST",
    },
    embeddedPort: { doc: "Embedded broker port", format: "port", default: 1883, env: "MQTT_EMBEDDED_PORT" },
    baseTopic: { doc: "Base topic", format: topicBase, default: "freebox2mqtt", env: "MQTT_BASE_TOPIC" },
  },
  ha: {
    discovery: {
      doc: "Publish Home Assistant discovery",
      format: Boolean,
      default: true,
      env: "HA_DISCOVERY",
    },
    discoveryPrefix: {
      doc: "Home Assistant discovery prefix",
      format: topicBase,
      default: "homeassistant",
      env: "HA_DISCOVERY_PREFIX",
    },
    statusTopic: {
      doc: "Home Assistant birth topic",
      format: required("HA_STATUS_TOPIC"),
      default: "homeassistant/status",
      env: "HA_STATUS_TOPIC",
    },
  },
  poll: {
    statusInterval: {
      doc: "Connection status, xDSL/FTTH (s)",
      format: interval,
      default: 10,
      env: "POLL_STATUS_INTERVAL",
    },
    configInterval: {
      doc: "Configuration and system (s)",
      format: interval,
      default: 60,
      env: "POLL_CONFIG_INTERVAL",
    },
    leasesInterval: {
      doc: "Static and dynamic leases (s)",
      format: interval,
      default: 30,
      env: "POLL_LEASES_INTERVAL",
    },
  },
  log: {
    level: {
      doc: "Log level",
      format: ["error", "warn", "info", "debug"],
      default: "info",
      env: "LOG_LEVEL",
    },
    format: { doc: "Log format", format: ["text", "json"], default: "text", env: "LOG_FORMAT" },
  },
};

export interface Config {
  freebox: {
    url: string;
    appId: string;
    appToken: string | null;
    apiVersion: number | null;
    timeout: number;
  };
  dataDir: string;
  mqtt: {
    url: string | null;
    username: string | null;
    password: string | null;
    ca: string | null;
    cert: string | null;
    key: string | null;
    rejectUnauthorized: boolean;
    clientId: string;
    /** Derived: a persistent session (clean: false) when the user gave a stable MQTT_CLIENT_ID. */
    cleanSession: boolean;
    embeddedHost: string;
    embeddedPort: number;
    baseTopic: string;
  };
  ha: { discovery: boolean; discoveryPrefix: string; statusTopic: string };
  poll: { statusInterval: number; configInterval: number; leasesInterval: number };
  log: { level: "error" | "warn" | "info" | "debug"; format: "text" | "json" };
}

/** Thrown for any bad configuration value; `problems` holds one readable line per value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

export const DEFAULT_CONFIG_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "config",
  "default.json",
);

type EnvName = { env: string; path: string };

/** Every (env variable, convict path) of the schema, for `<NAME>_FILE` and for error messages. */
function envNames(node: Record<string, unknown> = schema, prefix = ""): EnvName[] {
  const out: EnvName[] = [];
  for (const [key, value] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const v = value as Record<string, unknown>;
    if (typeof v.env === "string") out.push({ env: v.env, path });
    else if (v && typeof v === "object" && !("doc" in v)) out.push(...envNames(v, path));
  }
  return out;
}

export interface LoadOptions {
  /** Extra JSON file (--config); CONFIG_FILE in env is used when absent. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Skip config/default.json (tests). */
  defaultsFile?: string | null;
}

/** Loads and validates; throws ConfigError naming every bad value. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = { ...(options.env ?? process.env) };
  const problems: string[] = [];
  // `<NAME>_FILE`: read the secret (or any value) from a file, as Docker secrets provide them.
  for (const { env: name } of envNames()) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === "") continue;
    try {
      env[name] = readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (error) {
      problems.push(
        `${name}_FILE: cannot read "${file}" (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
  }
  const conf = convict(schema, { env, args: [] });
  const files = [options.defaultsFile === undefined ? DEFAULT_CONFIG_FILE : options.defaultsFile];
  files.push(options.file ?? env.CONFIG_FILE ?? null);
  for (const file of files) {
    if (!file) continue;
    try {
      conf.load(JSON.parse(readFileSync(file, "utf8")));
    } catch (error) {
      problems.push(`config file "${file}": ${(error as Error).message}`);
    }
  }
  if (problems.length === 0) {
    try {
      conf.validate({ allowed: "strict" });
    } catch (error) {
      problems.push(...describeConvictErrors((error as Error).message));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = conf.getProperties() as unknown as Config;
  // `MQTT_URL=` (empty, as compose files and shells often leave it) means "not set".
  emptyToNull(config as unknown as Record<string, unknown>, schema);
  // A random client id cannot resume a session, so only a configured one asks for a persistent
  // session: the broker then keeps our subscriptions and queues QoS 1 commands while we are away.
  config.mqtt.cleanSession = !config.mqtt.clientId;
  if (!config.mqtt.clientId) config.mqtt.clientId = `freebox2mqtt_${randomBytes(4).toString("hex")}`;
  return config;
}

// convict says `freebox.url: must use http, https: value was "ftp://x"`; we add the env name the
// user actually typed, and never echo the value of a sensitive setting.
function describeConvictErrors(message: string): string[] {
  const byPath = new Map(envNames().map((e) => [e.path, e.env]));
  return message
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const path = line.split(":")[0]?.trim() ?? "";
      const env = byPath.get(path);
      const clean = /appToken|password/i.test(path) ? `${path}: invalid value` : line.trim();
      return env ? `${env} (${clean})` : clean;
    });
}

function emptyToNull(values: Record<string, unknown>, node: Record<string, unknown>): void {
  for (const [key, spec] of Object.entries(node)) {
    const s = spec as Record<string, unknown>;
    if ("doc" in s) {
      if (s.default === null && values[key] === "") values[key] = null;
    } else if (values[key] && typeof values[key] === "object") {
      emptyToNull(values[key] as Record<string, unknown>, s);
    }
  }
}

/** Values that must never reach a log line or an MQTT message. */
export function secretsOf(config: Config): string[] {
  return [config.freebox.appToken, config.mqtt.password].filter((s): s is string => !!s);
}
