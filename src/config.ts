// Configuration loading: config/default.json, an optional JSON file (--config / CONFIG_FILE), then
// environment variables, then `<NAME>_FILE` secrets (Docker secrets); strict validation with one
// readable line per bad value. The schema itself is in config-schema.ts.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import convict from "convict";
import { type Config, schema } from "./config-schema.js";
import { maskUrlIn } from "./url-credentials.js";

export type { Config } from "./config-schema.js";

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
  for (const { env: name } of envNames()) {
    // `<NAME>_FILE`: read the secret (or any value) from a file, as Docker secrets provide them.
    const file = env[`${name}_FILE`];
    if (file !== undefined && file.trim() !== "") {
      try {
        env[name] = readFileSync(file, "utf8").replace(/\r?\n$/, "");
      } catch (error) {
        problems.push(
          `${name}_FILE: cannot read "${file}" (${(error as NodeJS.ErrnoException).code ?? "error"})`,
        );
      }
    }
    // An empty variable (`MQTT_URL=`, as compose files and shells often leave them) is unset, for
    // every setting: its default (or the config file's value) applies.
    if (env[name]?.trim() === "") delete env[name];
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
  const config = conf.getProperties() as unknown as Config;
  // `"url": ""` in a config file means "not set", as an empty variable does.
  emptyToNull(config as unknown as Record<string, unknown>, schema);
  if (problems.length === 0) problems.push(...crossCheck(config));
  if (problems.length > 0) {
    // Error lines quote the values: never a URL's user name and password (mqtt://user:pw@host).
    const urls = [env.FREEBOX_URL, env.MQTT_URL, config.freebox?.url, config.mqtt?.url];
    throw new ConfigError(
      problems.map((line) =>
        urls.reduce<string>((text, url) => (typeof url === "string" ? maskUrlIn(text, url) : text), line),
      ),
    );
  }
  // A random client id cannot resume a session, so only a configured one asks for a persistent
  // session: the broker then keeps our subscriptions and queues QoS 1 commands while we are away.
  config.mqtt.cleanSession = !config.mqtt.clientId;
  if (!config.mqtt.clientId) config.mqtt.clientId = `freebox2mqtt_${randomBytes(4).toString("hex")}`;
  return config;
}

/** Rules that involve more than one setting. */
function crossCheck(config: Config): string[] {
  const problems: string[] = [];
  const { url, username, password } = config.mqtt;
  // The embedded broker checks both or nothing: a user name alone would let anyone in under it.
  if (url === null && (username === null) !== (password === null)) {
    problems.push(
      "MQTT_USERNAME and MQTT_PASSWORD (the embedded broker, MQTT_URL unset, requires both or neither): set both",
    );
  }
  // The bridge answers every publish below its base (unknown topics with unknown_command): with
  // the discovery prefix at or below it, it would answer every other integration's discovery
  // config; with the base below the prefix, its states would sit among discovery configs.
  const base = config.mqtt.baseTopic;
  const prefix = config.ha.discoveryPrefix;
  if (base === prefix || prefix.startsWith(`${base}/`) || base.startsWith(`${prefix}/`)) {
    problems.push(
      `MQTT_BASE_TOPIC "${base}" and HA_DISCOVERY_PREFIX "${prefix}" overlap: neither may be the other nor below it (the bridge would answer other integrations' discovery messages as unknown commands)`,
    );
  }
  return problems;
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
