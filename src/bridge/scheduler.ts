// Poll scheduler: one timer chain per poll group (status, config, leases), each with its own
// interval, a little jitter so the groups do not hit the box in lock-step, no overlapping runs
// of a group, and exponential backoff while a group fails (a box that is down or rebooting is
// probed less and less often, up to `backoff.maxMs`, then at that pace until it answers).
import type { Logger } from "../logger.js";
import type { PollGroup } from "./resources.js";

export interface PollTask {
  group: PollGroup;
  intervalMs: number;
  /** One poll of the group; rejects when the poll failed (the scheduler then backs off). */
  run(): Promise<void>;
}

export interface SchedulerOptions {
  tasks: PollTask[];
  logger: Logger;
  /** Fraction of the interval added at random (0.1 = up to +10 %). */
  jitter?: number;
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
}

interface GroupState {
  task: PollTask;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  /** A runNow() that arrived during a run: one more run right after, shared by every caller. */
  rerun: Promise<void> | undefined;
  failures: number;
}

export class Scheduler {
  private readonly groups = new Map<PollGroup, GroupState>();
  private started = false;

  constructor(private readonly options: SchedulerOptions) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const task of this.options.tasks) {
      this.groups.set(task.group, {
        task,
        timer: undefined,
        running: undefined,
        rerun: undefined,
        failures: 0,
      });
    }
    // First poll of every group at once: the user wants states on the broker right away.
    for (const group of this.groups.keys()) void this.runNow(group);
  }

  /** Stops the timers and waits for the runs in flight (the caller bounds the wait). */
  async stop(): Promise<void> {
    this.started = false;
    const inFlight: Promise<void>[] = [];
    for (const state of this.groups.values()) {
      clearTimeout(state.timer);
      state.timer = undefined;
      if (state.running !== undefined) inFlight.push(state.running);
    }
    await Promise.allSettled(inFlight);
  }

  /** Polls one group (or all) now; resolves when done. Never overlaps a run of the same group. */
  async runNow(group?: PollGroup): Promise<void> {
    if (group === undefined) {
      await Promise.all([...this.groups.keys()].map((g) => this.runNow(g)));
      return;
    }
    const state = this.groups.get(group);
    if (!state || !this.started) return;
    if (state.running !== undefined) {
      state.rerun ??= state.running.then(() => {
        state.rerun = undefined;
        return this.runNow(group);
      });
      return state.rerun;
    }
    clearTimeout(state.timer);
    state.timer = undefined;
    state.running = this.execute(state);
    try {
      await state.running;
    } finally {
      state.running = undefined;
      this.schedule(state);
    }
  }

  /** Consecutive failures of a group (0 when its last run succeeded). */
  failures(group: PollGroup): number {
    return this.groups.get(group)?.failures ?? 0;
  }

  private async execute(state: GroupState): Promise<void> {
    try {
      await state.task.run();
      if (state.failures > 0) this.options.logger.info(`poll ${state.task.group}: recovered`);
      state.failures = 0;
    } catch (error) {
      state.failures += 1;
      this.options.logger.debug(
        () => `poll ${state.task.group} failed (${state.failures}): ${(error as Error).message}`,
      );
    }
  }

  private schedule(state: GroupState): void {
    if (!this.started || state.rerun !== undefined) return;
    clearTimeout(state.timer);
    state.timer = setTimeout(() => void this.runNow(state.task.group), this.delay(state));
  }

  /**
   * Next delay: the interval plus jitter, or after failures the backoff, never shorter than the
   * interval: a box that is down is probed less often than a healthy one, never more.
   */
  private delay(state: GroupState): number {
    const random = this.options.random ?? Math.random;
    const { intervalMs } = state.task;
    if (state.failures === 0) return Math.round(intervalMs * (1 + (this.options.jitter ?? 0.1) * random()));
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 2_000, maxMs: 60_000 };
    const backoff = Math.max(intervalMs, Math.min(maxMs, initialMs * 2 ** (state.failures - 1)));
    return Math.round(backoff * (1 + 0.2 * random()));
  }
}
