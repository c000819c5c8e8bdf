// The whole thing on loopback for bridge tests: the Freebox simulator over HTTP, a broker (the
// embedded aedes one), the real app (startApp: MQTT connection, Freebox client, bridge) and an
// observing mqtt.js client that records what a user would see.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, loadConfig } from "../../src/config.js";
import type { Logger } from "../../src/logger.js";
import { type App, type AppOptions, startApp } from "../../src/main.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/mqtt/broker.js";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/sim/index.js";
import {
  captureLogs,
  type LogCapture,
  type Observer,
  observe,
  type Received,
  retainedSnapshot,
  until,
} from "./mqtt-helpers.js";

export const APP_ID = "fr.freebox2mqtt";
export const BASE = "freebox2mqtt";

export interface Stack {
  sim: Simulator;
  broker: EmbeddedBroker;
  app: App;
  config: Config;
  token: string;
  logs: LogCapture;
  watch: Observer;
  /** Latest payload seen on a topic (undefined when never seen). */
  last(topic: string): string | undefined;
  lastJson<T = Record<string, unknown>>(topic: string): T;
  /** Waits until the latest payload on `topic` satisfies `check`. */
  waitFor(topic: string, check?: (payload: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Every message the broker retains right now (a fresh subscription sees them with the retain flag). */
  retained(filter?: string): Promise<Received[]>;
  publish(topic: string, payload: string | Buffer, options?: { retain?: boolean }): Promise<void>;
  restartApp(overrides?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  sim?: SimulatorOptions;
  /** Environment overrides (FREEBOX_*, POLL_*, HA_*, …). */
  env?: Record<string, string>;
  settings?: boolean;
  broker?: EmbeddedBroker;
  logger?: Logger;
  /** Passed to startApp (shorter HA birth delay, heartbeat…). */
  app?: AppOptions;
  /** Credentials of the observing clients, for a broker that refuses anonymous ones. */
  watchAuth?: { username: string; password: string };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startSimulator({ port: 0, ...options.sim });
  const token = sim.pairApp(APP_ID, { settings: options.settings ?? true });
  const logs = captureLogs();
  const broker =
    options.broker ??
    (await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: logs.logger.child("broker") }));
  const dataDir = mkdtempSync(join(tmpdir(), "fbx-stack-"));
  const env = (overrides: Record<string, string> = {}) => ({
    FREEBOX_URL: sim.url,
    FREEBOX_APP_TOKEN: token,
    FREEBOX_TIMEOUT: "2",
    DATA_DIR: dataDir,
    MQTT_URL: broker.url,
    LOG_LEVEL: "debug",
    ...options.env,
    ...overrides,
  });
  let config = loadConfig({ env: env() });
  const watch = await observe(broker.url, ["#"], options.watchAuth);
  const logger = options.logger ?? logs.logger.child("app");
  let app = startApp(config, logger, options.app);
  await app.ready;

  const last = (topic: string) => watch.on(topic).at(-1)?.payload;
  const stack: Stack = {
    sim,
    broker,
    get app() {
      return app;
    },
    get config() {
      return config;
    },
    token,
    logs,
    watch,
    last,
    lastJson<T>(topic: string): T {
      const payload = last(topic);
      if (payload === undefined) throw new Error(`nothing published on ${topic}`);
      return JSON.parse(payload) as T;
    },
    async waitFor(topic, check = () => true, timeoutMs = 8000) {
      await until(
        () => {
          const p = last(topic);
          return p !== undefined && check(p);
        },
        timeoutMs,
        `${topic} (last: ${String(last(topic)).slice(0, 200)})`,
      );
      return last(topic) ?? "";
    },
    retained(filter = "#") {
      return retainedSnapshot(broker.url, filter, 1, options.watchAuth);
    },
    async publish(topic, payload, publishOptions = {}) {
      await watch.client.publishAsync(topic, payload, { qos: 1, retain: publishOptions.retain ?? false });
    },
    async restartApp(overrides = {}) {
      await app.stop();
      config = loadConfig({ env: env(overrides) });
      app = startApp(config, logger, options.app);
      await app.ready;
    },
    async close() {
      await app.stop();
      await watch.close();
      if (!options.broker) await broker.close();
      await sim.close();
    },
  };
  return stack;
}

/** Parses a JSON payload. */
export const json = <T = Record<string, unknown>>(payload: string | undefined): T =>
  JSON.parse(payload ?? "null") as T;
