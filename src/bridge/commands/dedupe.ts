// Duplicate delivery guard. MQTT QoS 1 is "at least once": after a broker or bridge restart the
// broker may deliver a command again (MQTT 5.0 §4.3.2). A command whose JSON object carries a
// `transaction` is remembered for 10 minutes (bounded LRU); the same message again (same topic,
// same transaction, same payload) within that time is answered with the first response and not
// executed again. A redelivery is byte for byte the same message, so a different payload under a
// reused transaction id (an automation sending a constant id) is a new command and runs.
// Commands without a transaction are always executed (toggles are idempotent; a repeated add gets
// `exist`).
import { createHash } from "node:crypto";

export const DEDUPE_TTL_MS = 10 * 60 * 1000;
export const DEDUPE_MAX_ENTRIES = 1000;

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

export class TransactionCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly ttlMs = DEDUPE_TTL_MS,
    private readonly maxEntries = DEDUPE_MAX_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  /** The payload enters as a digest: a key stays small whatever the payload's size. */
  static key(topic: string, transaction: string | number, payload: Buffer | string = ""): string {
    const digest = createHash("sha256").update(payload).digest("base64");
    return `${topic}\u0000${typeof transaction}:${String(transaction)}\u0000${digest}`;
  }

  /** The response of an earlier delivery (possibly still in flight), if recent enough. */
  get(key: string): Promise<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    // Refresh the LRU position: Map iteration order is insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Remembers a command's response as soon as it is queued, so a duplicate in flight waits for it. */
  set(key: string, value: Promise<T>): void {
    this.entries.delete(key);
    this.entries.set(key, { at: this.now(), value });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
