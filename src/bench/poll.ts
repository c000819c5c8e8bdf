// CPU per poll. The bridge runs in this process (startApp) so that each poll can be started and
// timed (bridge.refreshAll); the simulator and the broker run in a child process (box-child.ts), so
// that process.cpuUsage() here counts the bridge's work only: its HTTP client, parsing, state
// building and change detection, MQTT client and the garbage they make. The floors (floor.ts) run
// in this same process against the same box, their polls alternating with the bridge's (below).

import { lineMedia } from "../bridge/entities.js";
import { readLanHosts } from "../bridge/hosts.js";
import { BoxReader } from "../bridge/poller.js";
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
  /** Median of the per-pair ratios client / HTTP floor (see `interleave`). */
  clientRatio: number;
  /** Median of the per-pair ratios bridge / floor bridge. */
  bridgeRatio: number;
  /** Requests per poll (mean), and per endpoint. */
  requests: number;
  byEndpoint: Record<string, number>;
  logins: number;
}

export interface PollResult {
  live: boolean;
  sizes: PollSize[];
  /** TCP connections the bridge opened to the box for its calls while it polled alone (start, warm-ups, counted polls). */
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
      // which the later sizes would not pay.
      for (const [i, leases] of sizes.entries()) {
        // Connections and event streams are counted while the bridge alone polls (its start and
        // each size's warm-up and counted polls): the floors open connections of their own.
        const before = i === 0 ? { connections: 0, eventStreams: 0 } : await box.ask<BoxStats>("stats");
        const size = await countSize(leases, box, bridge, cycles, i === 0 ? 3 * warmup : warmup);
        const after = await box.ask<BoxStats>("stats");
        result.connections += after.connections - before.connections;
        result.eventStreams += after.eventStreams - before.eventStreams;
        result.sizes.push(await measureSize(size, box, bridge, { simUrl, brokerUrl, token }, cycles, warmup));
      }
    } finally {
      await bridge.stop();
    }
    return result;
  } finally {
    await box.stop();
  }
}

/** The bridge's calls at `leases`: `cycles` polls after `warmup` (untimed), counted by the box. */
async function countSize(
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
  for (let i = 0; i < cycles; i++) await bridge.cycle();
  const stats = await box.ask<BoxStats>("stats");
  return {
    leases,
    // Filled in by measureSize.
    cpuMs: Number.NaN,
    clientMs: Number.NaN,
    httpFloorMs: Number.NaN,
    floorBridgeMs: Number.NaN,
    clientRatio: Number.NaN,
    bridgeRatio: Number.NaN,
    requests: stats.requests / cycles,
    byEndpoint: Object.fromEntries(Object.entries(stats.byEndpoint).map(([k, n]) => [k, n / cycles])),
    logins: stats.logins,
  };
}

/**
 * CPU per poll of the client and of the bridge at `size`, each interleaved with its floor. The
 * machine is shared and its speed drifts by 20-40 % over the seconds a series of polls takes; run
 * one after the other, the two series of a ratio would see different machines. Alternating them
 * poll by poll (A B A B ..., as a side-by-side timing tool does) makes each pair see the same one,
 * and the median of the per-pair ratios keeps the drift out of the ratio.
 */
async function measureSize(
  size: PollSize,
  box: Child,
  bridge: InProcessBridge,
  o: { simUrl: string; brokerUrl: string; token: string },
  cycles: number,
  warmup: number,
): Promise<PollSize> {
  const endpoints = Object.keys(size.byEndpoint);
  const client = clientPoll(o.simUrl, o.token);
  const httpFloorPoll = await httpFloor(o.simUrl, o.token, endpoints);
  const floorBridgePoll = await floorBridge(o.simUrl, o.token, endpoints, o.brokerUrl);
  try {
    // The client's first polls open a session and read everything: its calls are checked on the
    // polls after its warm-up, before any floor polls beside it.
    for (let i = 0; i < warmup; i++) await client.cycle();
    await box.ask("clear");
    for (let i = 0; i < cycles; i++) await client.cycle();
    await checkSameCalls(box, size, cycles);
    const clientPairs = await interleave(client, httpFloorPoll, cycles, warmup);
    const bridgePairs = await interleave(bridge, floorBridgePoll, cycles, warmup);
    return {
      ...size,
      clientMs: clientPairs.a,
      httpFloorMs: clientPairs.b,
      clientRatio: clientPairs.ratio,
      cpuMs: bridgePairs.a,
      floorBridgeMs: bridgePairs.b,
      bridgeRatio: bridgePairs.ratio,
    };
  } finally {
    await Promise.all([client.close(), httpFloorPoll.close(), floorBridgePoll.close()]);
  }
}

/** CPU ms of one poll (user + system, this process). */
async function cpuOf(poll: Pick<Floor, "cycle">): Promise<number> {
  const before = process.cpuUsage();
  await poll.cycle();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/**
 * `cycles` pairs of polls, `a` then `b`, after `warmup` unmeasured polls of `b` (`a` is warm):
 * the median CPU of each side and the median of the per-pair ratios a / b.
 */
async function interleave(
  a: Pick<Floor, "cycle">,
  b: Pick<Floor, "cycle">,
  cycles: number,
  warmup: number,
): Promise<{ a: number; b: number; ratio: number }> {
  for (let i = 0; i < warmup; i++) await b.cycle();
  const pairs: { a: number; b: number }[] = [];
  for (let i = 0; i < cycles; i++) pairs.push({ a: await cpuOf(a), b: await cpuOf(b) });
  return {
    a: median(pairs.map((p) => p.a)),
    b: median(pairs.map((p) => p.b)),
    ratio: median(pairs.map((p) => p.a / p.b)),
  };
}

/**
 * The box's client (ky over undici, envelope, session) making a whole poll's calls through the
 * bridge's own reads: each group's resources (poller.ts, the line data of the media after
 * `connection`), then the LAN browser at the leases group (hosts.ts readLanHosts). A resource the bridge
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
