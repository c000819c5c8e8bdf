// Soak: thousands of poll cycles (three poll groups per refreshAll) on a box with 1,000 static
// leases that come and go. Memory and listeners stay flat, no timer piles up, and entity cleanup
// keeps what the broker retains exact: one tracker config and one state topic per lease on the box.
import { Writable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import type { SimStaticLease, Simulator } from "../../src/sim/index.js";
import { retainedSnapshot, sleep } from "../integration/mqtt-helpers.js";
import { BASE, type Stack, startStack } from "../integration/stack.js";
import { MOSQUITTO, type Mosquitto, NO_MOSQUITTO, startMosquitto } from "./mosquitto.js";

// A real gc() without --expose-gc on the worker's command line (vitest starts the worker).
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const LEASES = 1000;
const CYCLES = Number(process.env.SOAK_CYCLES ?? 500);
const WARMUP = 100;

let broker: Mosquitto | undefined;
let stack: Stack | undefined;
afterAll(async () => {
  await stack?.close();
  await broker?.close();
});

/** Lease number i: MAC and address derived from i, so a lease that comes back is the same one. */
function lease(i: number): SimStaticLease {
  const hex = i.toString(16).padStart(4, "0").toUpperCase();
  return {
    mac: `02:00:00:00:${hex.slice(0, 2)}:${hex.slice(2)}`,
    ip: `10.${i >> 8}.${i & 255}.10`,
    comment: `lease ${i}`,
  };
}

/**
 * 1,000 leases of 1,100 possible: the 100 missing ones are a window that slides by five per churn,
 * so five leases leave and five come back each time; one lease is renamed too.
 */
function churn(sim: Simulator, step: number): void {
  const gone = new Set(Array.from({ length: 100 }, (_, j) => (step * 5 + j) % (LEASES + 100)));
  const leases = sim.state.staticLeases;
  const present = new Set(leases.map((l) => l.mac));
  for (let at = leases.length - 1; at >= 0; at--) {
    if (gone.has(Number.parseInt((leases[at]?.mac ?? "").replace(/:/g, "").slice(-4), 16)))
      leases.splice(at, 1);
  }
  for (let i = 0; i < LEASES + 100; i++)
    if (!gone.has(i) && !present.has(lease(i).mac)) leases.push(lease(i));
  const renamed = leases[step % leases.length];
  if (renamed) renamed.comment = `renamed at ${step}`;
}

const macKey = (mac: string) => mac.replace(/:/g, "").toLowerCase();
/** Live timers once the publishes of the last poll are acknowledged (each waits with a timer). */
async function quietTimers(): Promise<number> {
  await sleep(500);
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

describe.skipIf(!MOSQUITTO)(`soak${NO_MOSQUITTO}`, () => {
  it(`${CYCLES} refreshes (${CYCLES * 3} poll cycles), ${LEASES} leases coming and going`, {
    timeout: 150_000,
  }, async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    // Info level, errors kept: a debug capture of every line would itself grow without bound.
    const errors: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        const text = chunk.toString("utf8");
        if (text.includes('"level":"error"')) errors.push(text);
        done();
      },
    });
    const logger = createLogger({ level: "info", format: "json", stream: sink });
    broker = await startMosquitto({ persistence: false });
    // Polls only when asked: the loop below drives them.
    const hour = "3600";
    stack = await startStack({
      broker,
      logger,
      // Static leases' trackers only: the check below compares them with the box's leases.
      env: {
        POLL_STATUS_INTERVAL: hour,
        POLL_CONFIG_INTERVAL: hour,
        POLL_LEASES_INTERVAL: hour,
        PRESENCE_TRACKERS: "static",
      },
    });
    const s = stack;
    const leases = s.sim.state.staticLeases;
    leases.splice(0, leases.length, ...Array.from({ length: LEASES }, (_, i) => lease(i)));
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "online");
    const bridge = s.app.bridge;
    if (!bridge) throw new Error("the bridge did not start");

    const heap: number[] = [];
    let timersAfterWarmup = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      if (cycle % 4 === 0) churn(s.sim, cycle / 4);
      await bridge.refreshAll();
      if (cycle % 50 === 49) {
        // The test's own records would grow too: keep them out of the measure.
        s.sim.clearRequests();
        s.watch.messages.length = 0;
        await sleep(20);
        gc();
        if (cycle >= WARMUP) heap.push(process.memoryUsage().heapUsed);
        if (cycle === WARMUP - 1) timersAfterWarmup = await quietTimers();
      }
    }
    process.off("warning", onWarning);
    const timersAtEnd = await quietTimers();

    const mb = heap.map((h) => Math.round(h / 1e5) / 10);
    const first = heap[0] ?? 0;
    const last = heap.at(-1) ?? 0;
    // Flat: a leak of even 10 kB per refresh would add 5 MB over the measured cycles.
    expect(last - first, `heap MB after gc: ${mb.join(", ")}`).toBeLessThan(4e6);
    expect(timersAtEnd).toBeLessThanOrEqual(timersAfterWarmup + 2);
    expect(warnings).toEqual([]);
    expect(errors).toEqual([]);

    // What the broker retains for Home Assistant matches the box exactly.
    await sleep(300);
    const boxId = macKey(s.sim.state.system.mac);
    const onBox = new Set(s.sim.state.staticLeases.map((l) => macKey(l.mac)));
    const retained = await retainedSnapshot(broker.url, "#");
    const configs = retained
      .filter(
        (m) => m.payload !== "" && m.topic.startsWith(`homeassistant/device_tracker/freebox_${boxId}/host_`),
      )
      .map((m) => m.topic.split("/")[3]?.slice("host_".length));
    const under = (prefix: string) =>
      retained
        .filter((m) => m.payload !== "" && m.topic.startsWith(prefix))
        .map((m) => m.topic.split("/").at(-1));
    const states = under(`${BASE}/dhcp/static_leases/`);
    const hosts = under(`${BASE}/lan/hosts/`);
    expect(new Set(configs)).toEqual(onBox);
    expect(configs).toHaveLength(onBox.size);
    expect(new Set(states)).toEqual(onBox);
    expect(new Set(hosts)).toEqual(onBox);
    // Leases did come and go: not the 1,000 the run started with.
    expect(onBox.size).toBe(LEASES);
    expect([...onBox].filter((mac) => Number.parseInt(mac.slice(-4), 16) >= LEASES).length).toBeGreaterThan(
      0,
    );
  });
});
