// One call to the box at a time, and a way to stop sending at shutdown.
//
// The client keeps a single keep-alive connection (transport.ts: `connections: 1`), so concurrent
// calls (polls, commands on different resources) wait for it anyway. undici would queue them out of
// our sight; queuing them here tells the call on the wire from the ones only waiting. At shutdown the
// waiting ones are dropped unsent while the one on the wire finishes and is answered: a write must
// not reach the box once the bridge can no longer tell the user its outcome (README "Reliability").
import { FreeboxError } from "./errors.js";

interface Waiter {
  go(): void;
  fail(error: unknown): void;
  /** Still sent after stop() (the logout that closes the session). */
  exempt: boolean;
}

export class CallGate {
  #busy = false;
  readonly #waiting: Waiter[] = [];
  #stopped = false;

  /**
   * Runs `send` once no other call is on the wire. Rejects without sending when the gate was
   * stopped (unless `exempt`), or when `signal` aborts while waiting (a timeout: ky reports it).
   */
  async run<T>(send: () => Promise<T>, signal: AbortSignal | null, exempt: boolean): Promise<T> {
    await this.#turn(signal, exempt);
    try {
      return await send();
    } finally {
      this.#busy = false;
      this.#waiting.shift()?.go();
    }
  }

  /** From now on nothing is sent but the call already on the wire and exempt calls. */
  stop(): void {
    this.#stopped = true;
    for (const waiter of this.#waiting.filter((w) => !w.exempt)) {
      this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
      waiter.fail(stoppedError());
    }
  }

  #turn(signal: AbortSignal | null, exempt: boolean): Promise<void> {
    if (this.#stopped && !exempt) return Promise.reject(stoppedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.#busy) {
      this.#busy = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.#waiting.indexOf(waiter);
        if (at >= 0) this.#waiting.splice(at, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        exempt,
        go: () => {
          signal?.removeEventListener("abort", onAbort);
          this.#busy = true;
          resolve();
        },
        fail: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }
}

/** A call refused at shutdown; it never reached the box. */
export const isStoppedError = (error: unknown): boolean =>
  error instanceof FreeboxError && error.code === "stopping";

const stoppedError = () => new FreeboxError("stopping", "not sent to the box: freebox2mqtt is stopping");
