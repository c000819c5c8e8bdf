import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Scheduler } from "../../src/bridge/scheduler.js";
import { silentLogger } from "../../src/logger.js";

describe("Scheduler", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const noJitter = () => 0;

  it("polls every group at once, then each on its own interval", async () => {
    const runs: string[] = [];
    const scheduler = new Scheduler({
      logger: silentLogger,
      random: noJitter,
      tasks: [
        { group: "status", intervalMs: 10_000, run: async () => void runs.push("status") },
        { group: "config", intervalMs: 60_000, run: async () => void runs.push("config") },
      ],
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual(["status", "config"]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(runs.filter((r) => r === "status")).toHaveLength(4);
    expect(runs.filter((r) => r === "config")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(runs.filter((r) => r === "config")).toHaveLength(2);
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(runs.filter((r) => r === "status")).toHaveLength(7);
  });

  it("never overlaps runs of a group and coalesces runNow() calls made during a run", async () => {
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    const scheduler = new Scheduler({
      logger: silentLogger,
      random: noJitter,
      tasks: [
        {
          group: "leases",
          intervalMs: 1_000,
          run: async () => {
            calls += 1;
            active += 1;
            maxActive = Math.max(maxActive, active);
            await new Promise((r) => setTimeout(r, 5_000));
            active -= 1;
          },
        },
      ],
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(100);
    const waits = [scheduler.runNow("leases"), scheduler.runNow("leases"), scheduler.runNow()];
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(waits);
    expect(maxActive).toBe(1);
    // The first run, then exactly one coalesced re-run for the three requests.
    expect(calls).toBe(2);
    await scheduler.stop();
  });

  it("adds jitter of at most the configured fraction", async () => {
    const times: number[] = [];
    const scheduler = new Scheduler({
      logger: silentLogger,
      jitter: 0.1,
      random: () => 0.999,
      tasks: [{ group: "status", intervalMs: 10_000, run: async () => void times.push(Date.now()) }],
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(11_000);
    expect(times).toHaveLength(2);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBe(10_999);
    await scheduler.stop();
  });

  it("backs off exponentially while a group fails and returns to its interval after success", async () => {
    const times: number[] = [];
    let failing = true;
    const scheduler = new Scheduler({
      logger: silentLogger,
      random: noJitter,
      backoff: { initialMs: 1_000, maxMs: 8_000 },
      tasks: [
        {
          group: "status",
          intervalMs: 500,
          run: async () => {
            times.push(Date.now());
            if (failing) throw new Error("box unreachable");
          },
        },
      ],
    });
    const start = Date.now();
    scheduler.start();
    await vi.advanceTimersByTimeAsync(1_000 + 2_000 + 4_000 + 8_000 + 8_000);
    expect(times.map((t) => t - start)).toEqual([0, 1_000, 3_000, 7_000, 15_000, 23_000]);
    expect(scheduler.failures("status")).toBe(6);
    failing = false;
    await vi.advanceTimersByTimeAsync(8_000);
    expect(scheduler.failures("status")).toBe(0);
    const before = times.length;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(times.length - before).toBe(2);
    await scheduler.stop();
  });

  it("never polls a failing group more often than its interval", async () => {
    const times: number[] = [];
    const scheduler = new Scheduler({
      logger: silentLogger,
      random: noJitter,
      backoff: { initialMs: 2_000, maxMs: 60_000 },
      tasks: [
        {
          group: "status",
          intervalMs: 10_000,
          run: async () => {
            times.push(Date.now());
            throw new Error("box unreachable");
          },
        },
      ],
    });
    const start = Date.now();
    scheduler.start();
    await vi.advanceTimersByTimeAsync(10_000 + 10_000 + 10_000 + 16_000);
    expect(times.map((t) => t - start)).toEqual([0, 10_000, 20_000, 30_000, 46_000]);
    await scheduler.stop();
  });
});
