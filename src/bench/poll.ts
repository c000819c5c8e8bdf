// CPU per poll. The bridge runs in this process (startApp) so that each poll can be started and
// timed (bridge.refreshAll); the simulator and the broker run in a child process (box-child.ts), so
// that process.cpuUsage() here counts the bridge's work only: its HTTP client, parsing, state
// building and change detection, MQTT client and the garbage they make. The floors (floor.ts) run
// afterwards in this same process against the same box, with the bridge stopped.

import { lineMedia } from "../bridge/entities.js";
import { BoxReader } from "../bridge/poller.js";
import { readLanHosts } from "../bridge/presence.js";
import { groupResources } from "../bridge/resources.js";
import { FreeboxClient } from "../freebox/client.js";
import { silentLogger } from "../logger.js";
import type { BoxStats } from "./box-child.js";
import { APP_ID, median, newAppToken, tempDataDir } from "./common.js";
import { type Floor, floorBridge, httpFloor } from "./floor.js";
import { type InProcessBridge, startInProcess } from "./inproc.js";
import { type Child, scriptPath, spawnChild } from "./proc.js";

export interface PollSize {
  leases: number;
  /** CPU (user + system) of one full poll, ms: median over the measured polls. */
  cpuMs: number;
  /** The box's client alone (src/freebox/, FreeboxClient) doing the poll's GETs, ms (median). */
  clientMs: number;
  /** The HTTP floor's CPU per poll (floor.ts), ms (median). */
  httpFloorMs: number;
  /** The floor bridge's CPU per poll (floor.ts), ms (median). */
  floorBridgeMs: number;
  /** Requests per poll (mean), and per endpoint. */
  requests: number;
  byEndpoint: Record<string, number>;
  logins: number;
}

export interface PollResult {
  live: boolean;
  sizes: PollSize[];
  /** TCP connections the bridge opened to the box for its calls over the whole phase (start, every poll). */
  connections: number;
  /** Event streams it opened (a WebSocket each) in that time. */
  eventStreams: number;
}

export async function measurePolls(
  sizes: number[],
  cycles: number,
  warmup: number,
  live: boolean,
): Promise<PollResult> {
  const token = newAppToken();
  const box = spawnChild(scriptPath("box-child.js"), [
    JSON.stringify({ appId: APP_ID, appToken: token, leases: sizes[0] ?? 10, live, broker: true }),
  ]);
  const result: PollResult = { live, sizes: [], connections: 0, eventStreams: 0 };
  try {
    const { simUrl, brokerUrl } = (await box.ready) as { simUrl: string; brokerUrl: string };
    const bridge = await startInProcess({ simUrl, brokerUrl, token });
    try {
      // The first size gets three times the warm-up: V8 is still compiling the bridge's code then,
      // which the later sizes and the floors (run after them) would not pay.
      for (const [i, leases] of sizes.entries()) {
        result.sizes.push(await measureSize(leases, box, bridge, cycles, i === 0 ? 3 * warmup : warmup));
      }
      // Read before the floors, which open connections of their own.
      const { connections, eventStreams } = await box.ask<BoxStats>("stats");
      Object.assign(result, { connections, eventStreams });
    } finally {
      await bridge.stop();
    }
    for (const size of result.sizes) {
      await box.ask("leases", { total: size.leases });
      const endpoints = Object.keys(size.byEndpoint);
      // Counted over the measured polls only: the first ones open a session and read everything.
      size.clientMs = await cpuPerCycle(clientPoll(simUrl, token), cycles, warmup, () => box.ask("clear"));
      await checkSameCalls(box, size, cycles);
      size.httpFloorMs = await cpuPerCycle(await httpFloor(simUrl, token, endpoints), cycles, warmup);
      size.floorBridgeMs = await cpuPerCycle(
        await floorBridge(simUrl, token, endpoints, brokerUrl),
        cycles,
        warmup,
      );
    }
    return result;
  } finally {
    await box.stop();
  }
}

async function measureSize(
  leases: number,
  box: Child,
  bridge: InProcessBridge,
  cycles: number,
  warmup: number,
): Promise<PollSize> {
  await box.ask("leases", { total: leases });
  // Warm-up: the first polls publish the new LAN and its discovery, and warm the JIT up.
  for (let i = 0; i < warmup; i++) await bridge.cycle();
  await box.ask("clear");
  const cpuMs = await cpuPerCycle({ cycle: bridge.cycle, close: async () => undefined }, cycles, 0);
  const stats = await box.ask<BoxStats>("stats");
  return {
    leases,
    cpuMs,
    clientMs: Number.NaN,
    httpFloorMs: Number.NaN,
    floorBridgeMs: Number.NaN,
    requests: stats.requests / cycles,
    byEndpoint: Object.fromEntries(Object.entries(stats.byEndpoint).map(([k, n]) => [k, n / cycles])),
    logins: stats.logins,
  };
}

/** Median CPU ms of `cycles` polls after `warmup` unmeasured ones (then `warm`); closes `floor`. */
async function cpuPerCycle(
  floor: Floor,
  cycles: number,
  warmup: number,
  warm?: () => Promise<unknown>,
): Promise<number> {
  try {
    for (let i = 0; i < warmup; i++) await floor.cycle();
    await warm?.();
    const cpu: number[] = [];
    for (let i = 0; i < cycles; i++) {
      const before = process.cpuUsage();
      await floor.cycle();
      const used = process.cpuUsage(before);
      cpu.push((used.user + used.system) / 1000);
    }
    return median(cpu);
  } finally {
    await floor.close();
  }
}

/**
 * The box's client (ky over undici, envelope, session) making a whole poll's calls through the
 * bridge's own reads: each group's resources (poller.ts, the line data of the media after
 * `connection`), then the LAN browser at the leases group (presence.ts). A resource the bridge
 * comes to poll is measured here without a table of its own.
 */
function clientPoll(simUrl: string, token: string): Floor {
  const data = tempDataDir();
  const client = new FreeboxClient({
    url: simUrl,
    appId: APP_ID,
    appVersion: "bench",
    appToken: token,
    dataDir: data.dir,
    logger: silentLogger,
  });
  const reader = new BoxReader(client);
  return {
    cycle: async () => {
      for (const group of ["status", "config", "leases"] as const) {
        for (const resource of groupResources(group)) {
          await reader.read(resource);
          const media = resource === "connection" ? lineMedia(reader.box.connection?.media) : undefined;
          if (media === "xdsl" || media === "ftth") await reader.read(media);
        }
        if (group === "leases") await readLanHosts(client);
      }
    },
    close: async () => {
      await client.close();
      data.cleanup();
    },
  };
}

/** Throws unless `box` received from the client poll the very calls it received from the bridge. */
async function checkSameCalls(box: Child, size: PollSize, polls: number): Promise<void> {
  const stats = await box.ask<BoxStats>("stats");
  const perPoll = (n: number) => n / polls;
  const client = Object.entries(stats.byEndpoint).filter(([e]) => !e.includes(" login/"));
  const bridge = Object.entries(size.byEndpoint).filter(([e]) => !e.includes(" login/"));
  const same = client.length === bridge.length && client.every(([e, n]) => perPoll(n) === size.byEndpoint[e]);
  if (!same) {
    throw new Error(
      `the client poll did not make the bridge's calls: ${JSON.stringify(Object.fromEntries(client.map(([e, n]) => [e, perPoll(n)])))} against ${JSON.stringify(Object.fromEntries(bridge))}`,
    );
  }
}
