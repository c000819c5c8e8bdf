// Poll cost, idle traffic and requests. The bridge runs in this process (startApp) so that each
// cycle can be started and timed (bridge.refreshAll); the simulator and the broker run in a child
// process (box-child.ts), so that process.cpuUsage() here counts the bridge's work only: its HTTP
// client, parsing, state building and change detection, MQTT client and the garbage they make.

import { performance } from "node:perf_hooks";
import { Agent, fetch } from "undici";
import { openSession } from "../sim/testing.js";
import type { BoxStats } from "./box-child.js";
import { APP_ID, BASE, median, newAppToken, sleep, Watcher } from "./common.js";
import { type InProcessBridge, startInProcess } from "./inproc.js";
import { type Child, scriptPath, spawnChild } from "./proc.js";

export interface PollSize {
  leases: number;
  /** CPU time (user + system) of one full cycle, ms: median over the measured cycles. */
  cpuMs: number;
  /** Wall time of one cycle, ms (median). */
  wallMs: number;
  /** Messages published per cycle when nothing changed (mean). */
  idleMessages: number;
  /**
   * The floor, same process and box: the same GETs with the bridge's own HTTP exchange
   * (transport.ts: one keep-alive connection, no layer above it) and JSON.parse, nothing
   * else; CPU ms per cycle (median).
   */
  floorCpuMs: number;
  /** HTTP requests per cycle (mean), and per endpoint. */
  requests: number;
  byEndpoint: Record<string, number>;
  logins: number;
}

export interface PollResult {
  sizes: PollSize[];
  /** TCP connections the bridge opened to the box over the whole phase (start, every cycle). */
  connections: number;
  cycles: number;
}

// The heartbeat (every 30 s, not retained) belongs to no poll cycle.
const HEARTBEAT = `${BASE}/bridge/health`;
const WATCHED = [`${BASE}/#`, "homeassistant/#"];

export async function measurePolls(sizes: number[], cycles: number, warmup: number): Promise<PollResult> {
  const token = newAppToken();
  const box = spawnChild(scriptPath("box-child.js"), [
    JSON.stringify({ appId: APP_ID, appToken: token, leases: sizes[0] ?? 10, live: false, broker: true }),
  ]);
  const result: PollResult = { sizes: [], connections: 0, cycles: 0 };
  try {
    const { simUrl, brokerUrl } = (await box.ready) as { simUrl: string; brokerUrl: string };
    const bridge = await startInProcess({ simUrl, brokerUrl, token });
    const watcher = await Watcher.open(brokerUrl);
    try {
      for (const leases of sizes)
        result.sizes.push(await measureSize(leases, { box, bridge, watcher }, cycles, warmup));
      result.cycles = cycles * sizes.length;
      // Read before the floors, which open connections of their own.
      result.connections = (await box.ask<BoxStats>("stats")).connections;
    } finally {
      await watcher.close();
      await bridge.stop();
    }
    // The floors, with the bridge stopped so that none of its timers runs meanwhile.
    for (const size of result.sizes) {
      await box.ask("leases", { total: size.leases });
      size.floorCpuMs = await measureFloor(simUrl, token, Object.keys(size.byEndpoint), cycles, warmup);
    }
    return result;
  } finally {
    await box.stop();
  }
}

interface Rig {
  box: Child;
  bridge: InProcessBridge;
  watcher: Watcher;
}

async function measureSize(leases: number, rig: Rig, cycles: number, warmup: number): Promise<PollSize> {
  const { box, bridge, watcher } = rig;
  await box.ask("leases", { total: leases });
  // Warm-up: the first cycles publish the new LAN and its discovery, and warm the JIT up.
  for (let i = 0; i < warmup; i++) await bridge.cycle();
  await watcher.client.subscribeAsync(WATCHED, { qos: 1 });
  await sleep(500); // the retained messages sent on subscribing are not poll traffic
  watcher.clear();
  await box.ask("clear");
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < cycles; i++) {
    const before = process.cpuUsage();
    const started = performance.now();
    await bridge.cycle();
    wall.push(performance.now() - started);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  await sleep(200); // publications still on their way
  const stats = await box.ask<BoxStats>("stats");
  await watcher.client.unsubscribeAsync(WATCHED);
  const published = watcher.seen.filter((m) => m.topic !== HEARTBEAT).length;
  return {
    leases,
    cpuMs: median(cpu),
    wallMs: median(wall),
    floorCpuMs: Number.NaN,
    idleMessages: published / cycles,
    requests: stats.requests / cycles,
    byEndpoint: Object.fromEntries(Object.entries(stats.byEndpoint).map(([k, n]) => [k, n / cycles])),
    logins: stats.logins,
  };
}

/** CPU per cycle of bare GETs of `endpoints` ("GET path"), one keep-alive connection. */
async function measureFloor(
  simUrl: string,
  token: string,
  endpoints: string[],
  cycles: number,
  warmup: number,
): Promise<number> {
  const session = await openSession(simUrl, APP_ID, token);
  const dispatcher = new Agent();
  const urls = endpoints.map((e) => `${simUrl}/api/v15/${e.replace(/^GET /, "")}`);
  const headers = { "X-Fbx-App-Auth": session };
  const cycle = async () => {
    for (const url of urls) JSON.parse(await (await fetch(url, { headers, dispatcher })).text());
  };
  try {
    for (let i = 0; i < warmup; i++) await cycle();
    const cpu: number[] = [];
    for (let i = 0; i < cycles; i++) {
      const before = process.cpuUsage();
      await cycle();
      const used = process.cpuUsage(before);
      cpu.push((used.user + used.system) / 1000);
    }
    return median(cpu);
  } finally {
    await dispatcher.close();
  }
}
