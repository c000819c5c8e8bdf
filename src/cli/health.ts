// `freebox2mqtt health`: the Docker HEALTHCHECK, without an HTTP server. The running bridge rewrites
// `DATA_DIR/health.json` at every heartbeat; this command exits 0 when that file is fresh.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { HEALTH_FILE } from "../bridge/health.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CommandContext } from "./main.js";

/** A heartbeat older than this means the bridge is stuck (three missed heartbeats). */
export const healthMaxAgeMs = (heartbeatMs: number) => heartbeatMs * 3;

export async function healthCommand({ config, io }: CommandContext): Promise<ExitCode> {
  const file = join(config.dataDir, HEALTH_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    io.err(`unhealthy: no heartbeat file ${file} (is the bridge running with this DATA_DIR?)`);
    return EXIT.failure;
  }
  try {
    const health = JSON.parse(text) as { time?: unknown; heartbeat_ms?: unknown; mqtt_connected?: boolean };
    const time = typeof health?.time === "string" ? Date.parse(health.time) : Number.NaN;
    // A file without a readable time is not a heartbeat: saying "NaN s ago" helps nobody.
    if (Number.isNaN(time)) throw new Error("no time");
    const age = Date.now() - time;
    const max = healthMaxAgeMs(typeof health.heartbeat_ms === "number" ? health.heartbeat_ms : 30_000);
    if (!(age >= 0 && age <= max)) {
      io.err(`unhealthy: last heartbeat ${Math.round(age / 1000)} s ago (more than ${max / 1000} s)`);
      return EXIT.failure;
    }
    if (health.mqtt_connected === false) {
      io.err("unhealthy: the bridge is not connected to the MQTT broker");
      return EXIT.failure;
    }
    io.out(`healthy: heartbeat ${Math.round(age / 1000)} s ago`);
    return EXIT.ok;
  } catch {
    io.err(`unhealthy: ${file} is not a heartbeat file`);
    return EXIT.failure;
  }
}
