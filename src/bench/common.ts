// What every figure shares: statistics, the bridge's environment, an MQTT watcher timestamping
// what reaches the broker, and bounded waits.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { connect, type MqttClient } from "mqtt";

export const APP_ID = "fr.freebox2mqtt";
export const BASE = "freebox2mqtt";
export const newAppToken = (): string => randomBytes(48).toString("base64");

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every few ms until it holds; false once `timeoutMs` passed. */
export async function until(check: () => boolean, timeoutMs: number, stepMs = 2): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) return false;
    await sleep(stepMs);
  }
  return true;
}

/** A data directory of its own per bridge run, removed by `cleanup`. */
export function tempDataDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "freebox2mqtt-bench-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment a user would give the bridge, pointed at the simulator and the bench broker. */
export function bridgeEnv(o: { simUrl: string; brokerUrl: string; token: string; dataDir: string }) {
  return {
    FREEBOX_URL: o.simUrl,
    FREEBOX_APP_ID: APP_ID,
    FREEBOX_APP_TOKEN: o.token,
    DATA_DIR: o.dataDir,
    MQTT_URL: o.brokerUrl,
  };
}

export interface Seen {
  topic: string;
  payload: string;
  retained: boolean;
  /** performance.now() when the watcher received it. */
  at: number;
}

/** An MQTT client of the bench that records every message it receives, with its arrival time. */
export class Watcher {
  readonly seen: Seen[] = [];
  private constructor(readonly client: MqttClient) {
    client.on("message", (topic, payload, packet) => {
      this.seen.push({ topic, payload: payload.toString(), retained: packet.retain, at: performance.now() });
    });
  }

  static async open(url: string, topics: string[] = []): Promise<Watcher> {
    const client = connect(url, { clientId: `bench_${randomBytes(4).toString("hex")}`, reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    });
    noDelay(client);
    const watcher = new Watcher(client);
    if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });
    return watcher;
  }

  /** First message on `topic` received at or after `since` (performance.now()) that `accept`s. */
  after(topic: string, since: number, accept: (payload: string) => boolean = () => true): Seen | undefined {
    return this.seen.find((m) => m.at >= since && m.topic === topic && accept(m.payload));
  }

  clear(): void {
    this.seen.length = 0;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

export interface BridgeProcess {
  child: ChildProcess;
  /** The end of its log (stderr), to show when a figure could not be measured. */
  tail(): string;
}

/**
 * The bridge as users run it: `node dist/cli.js run`, configured by environment only, at the
 * default log level; its log is kept (last 4 KiB) rather than printed over the table.
 */
export function spawnBridge(env: Record<string, string>): BridgeProcess {
  const cli = fileURLToPath(new URL("../cli.js", import.meta.url));
  const child = spawn(process.execPath, [cli, "run"], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4096);
  });
  return { child, tail: () => log };
}

/** Nagle off, as the bridge does (src/mqtt/connection.ts): else a publish can wait ~40 ms for an ACK. */
export function noDelay(client: MqttClient): void {
  if (client.stream instanceof Socket) client.stream.setNoDelay(true);
}
