// Health: what a user or a supervisor needs to tell a working bridge from a stuck one. Published on
// `<base>/bridge/health` and written to `DATA_DIR/health.json` (the Docker HEALTHCHECK reads the
// file through `freebox2mqtt health`, so no HTTP server is needed).
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PollGroup } from "./resources.js";

export const HEALTH_FILE = "health.json";

export class HealthTracker {
  private readonly startedAt = Date.now();
  /** Epoch ms; formatted only when a snapshot is taken (every poll of every group sets it). */
  private readonly lastGoodPoll: Record<PollGroup, number | null> = {
    status: null,
    config: null,
    leases: null,
  };
  private readonly pollErrors: Record<PollGroup, number> = { status: 0, config: 0, leases: 0 };
  private lastError: string | null = null;
  commandsOk = 0;
  commandsFailed = 0;

  pollSucceeded(group: PollGroup): void {
    this.lastGoodPoll[group] = Date.now();
  }

  pollFailed(group: PollGroup, error: Error): void {
    this.pollErrors[group] += 1;
    this.lastError = error.message;
  }

  snapshot(extra: { mqttConnected: boolean; boxAvailable: boolean; heartbeatMs: number }) {
    const memory = process.memoryUsage();
    return {
      time: new Date().toISOString(),
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
      heartbeat_ms: extra.heartbeatMs,
      mqtt_connected: extra.mqttConnected,
      box_available: extra.boxAvailable,
      last_good_poll: {
        status: isoOrNull(this.lastGoodPoll.status),
        config: isoOrNull(this.lastGoodPoll.config),
        leases: isoOrNull(this.lastGoodPoll.leases),
      },
      poll_errors: { ...this.pollErrors },
      last_error: this.lastError,
      commands: { ok: this.commandsOk, failed: this.commandsFailed },
      memory: { rss_mb: mb(memory.rss), heap_used_mb: mb(memory.heapUsed) },
    };
  }
}

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Atomic write (temp file + rename): the health command never reads half a file. */
export async function writeHealthFile(dataDir: string, json: string): Promise<void> {
  const file = join(dataDir, HEALTH_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, json, { mode: 0o644 });
  await rename(tmp, file);
}
