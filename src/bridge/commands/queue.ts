// Per-resource serialization: commands on one resource run one at a time in arrival order, so two
// quick toggles reach the box in the order the user sent them; different resources run
// concurrently. No timeout here: a call waiting for a shared re-login (freebox-os-essentials §4)
// simply waits inside the API client, which has its own timeouts.

export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();

  /**
   * Appends a job to the key's queue; it starts when the previous job of that key has settled.
   * Must be called synchronously on arrival to keep the order. A failing job does not stop the queue.
   */
  push(key: string, job: () => Promise<void>): void {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(job).catch(() => undefined);
    this.tails.set(key, next);
    this.pending.add(next);
    void next.then(() => {
      this.pending.delete(next);
      // Forget the key once idle so that the map does not grow with every key ever seen.
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }

  /** Resolves once every job queued so far, and any queued meanwhile, has settled. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
