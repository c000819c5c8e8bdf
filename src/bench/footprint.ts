// Footprint: RSS and heap of the bridge alone (footprint-child.ts, its own process) over 1,000
// full poll cycles against a live box (values move, so states are republished as in real use)
// with 1,000 leases; the simulator and the broker run in box-child.ts.
import { APP_ID, newAppToken, sleep } from "./common.js";
import { scriptPath, spawnChild } from "./proc.js";

export const IDLE_MS = 12_000;
/**
 * Each reading is the least of READINGS taken SETTLE_MS apart after the cycles stop: the last
 * cycles' publications, acknowledgements and answers are still in flight right after them and would
 * count as growth though they are gone a moment later, while a leak is in every reading.
 */
export const SETTLE_MS = 500;
const READINGS = 3;

interface Memory {
  rss: number;
  heapUsed: number;
  /** Anonymous RSS (Linux): the process's own memory, without the node binary's file pages. */
  private: number | null;
}

export interface Footprint {
  leases: number;
  cycles: number;
  /** The floor: Node and the bridge's modules loaded, nothing started. */
  loaded: Memory;
  /** After the start and the first cycle. */
  start: Memory;
  /** After the warm-up cycles: the reference of "heap flat". */
  warm: Memory;
  end: Memory;
  /** After IDLE_MS without polls: V8 gives back what the back-to-back cycles made it reserve. */
  idle: Memory;
  seconds: number;
}

export async function measureFootprint(leases: number, cycles: number, warmup: number): Promise<Footprint> {
  const token = newAppToken();
  const box = spawnChild(scriptPath("box-child.js"), [
    JSON.stringify({ appId: APP_ID, appToken: token, leases, live: true, broker: true }),
  ]);
  const started = performance.now();
  try {
    const { simUrl, brokerUrl } = (await box.ready) as { simUrl: string; brokerUrl: string };
    const bridge = spawnChild(
      scriptPath("footprint-child.js"),
      [JSON.stringify({ simUrl, brokerUrl, token })],
      {
        execArgv: ["--expose-gc"],
      },
    );
    try {
      await bridge.ready;
      const loaded = await bridge.ask<Memory>("loaded");
      const settled = async (): Promise<Memory> => {
        const readings: Memory[] = [];
        for (let i = 0; i < READINGS; i++) {
          await sleep(SETTLE_MS);
          readings.push(await bridge.ask<Memory>("memory"));
        }
        return readings.reduce((a, b) => (b.heapUsed < a.heapUsed ? b : a));
      };
      await bridge.ask("cycles", { count: 1 });
      const start = await settled();
      await bridge.ask("cycles", { count: warmup - 1 }, 120_000);
      const warm = await settled();
      await bridge.ask("cycles", { count: cycles - warmup }, 300_000);
      const end = await settled();
      // Real polls are 10 s apart, not back to back: V8's memory reducer shrinks the heap when idle.
      await sleep(IDLE_MS);
      const idle = await bridge.ask<Memory>("memory");
      return {
        leases,
        cycles,
        loaded,
        start,
        warm,
        end,
        idle,
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      await bridge.stop();
    }
  } finally {
    await box.stop();
  }
}
