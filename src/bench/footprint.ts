// Footprint: RSS and heap of the bridge alone (footprint-child.ts, its own process) over 1,000 full
// polls, and of the HTTP floor doing the same GETs the same number of times, each in a process of
// its own, against the same box (box-child.ts, with the broker).
import { APP_ID, newAppToken, sleep } from "./common.js";
import type { Memory } from "./footprint-child.js";
import { scriptPath, spawnChild } from "./proc.js";

/**
 * Each reading is the least of READINGS taken SETTLE_MS apart after the polls stop: the last polls'
 * publications, acknowledgements and answers are still in flight right after them and would count
 * as growth though they are gone a moment later, while a leak is in every reading.
 */
const SETTLE_MS = 300;
const READINGS = 3;

export interface Footprint {
  /** After the warm-up polls: the reference of "heap flat". */
  warm: Memory;
  /** After every poll. */
  end: Memory;
}

export interface Footprints {
  leases: number;
  polls: number;
  bridge: Footprint;
  floor: Footprint;
}

export async function measureFootprints(
  leases: number,
  polls: number,
  warmup: number,
  live: boolean,
  floorEndpoints: string[],
): Promise<Footprints> {
  const token = newAppToken();
  const box = spawnChild(scriptPath("box-child.js"), [
    JSON.stringify({ appId: APP_ID, appToken: token, leases, live, broker: true }),
  ]);
  try {
    const urls = (await box.ready) as { simUrl: string; brokerUrl: string };
    const run = async (floor: boolean): Promise<Footprint> => {
      const args = { ...urls, token, ...(floor ? { floorEndpoints } : {}) };
      const child = spawnChild(scriptPath("footprint-child.js"), [JSON.stringify(args)], {
        execArgv: ["--expose-gc"],
      });
      try {
        await child.ready;
        const settled = async (): Promise<Memory> => {
          const readings: Memory[] = [];
          for (let i = 0; i < READINGS; i++) {
            await sleep(SETTLE_MS);
            readings.push(await child.ask<Memory>("memory"));
          }
          return readings.reduce((a, b) => (b.heapUsed < a.heapUsed ? b : a));
        };
        await child.ask("cycles", { count: warmup }, 300_000);
        const warm = await settled();
        await child.ask("cycles", { count: polls - warmup }, 600_000);
        return { warm, end: await settled() };
      } finally {
        await child.stop();
      }
    };
    return { leases, polls, bridge: await run(false), floor: await run(true) };
  } finally {
    await box.stop();
  }
}
