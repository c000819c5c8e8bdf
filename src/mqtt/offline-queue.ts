// What MqttConnection keeps while the broker is unreachable. mqtt.js would queue every publish
// without bound during an outage (its `queue` array); a bridge polling every few seconds for hours
// would grow memory for nothing. Retained messages are states: only the latest payload per topic
// matters, so they replace each other. Non-retained messages (command responses, events) are
// capped, oldest dropped first.

export interface QueuedMessage {
  topic: string;
  payload: string;
  retain: boolean;
  qos: 0 | 1;
}

interface Entry {
  seq: number;
  message: QueuedMessage;
}

export class OfflineQueue {
  private seq = 0;
  private readonly retained = new Map<string, Entry>();
  private transient: Entry[] = [];
  private droppedCount = 0;

  constructor(private readonly limit: number) {}

  /** Non-retained messages dropped since the last drain. */
  get dropped(): number {
    return this.droppedCount;
  }

  get size(): number {
    return this.retained.size + this.transient.length;
  }

  /** Queues a message; returns true when an older non-retained message had to be dropped. */
  push(message: QueuedMessage): boolean {
    const entry = { seq: this.seq++, message };
    if (message.retain) {
      // A later retained publish supersedes the earlier one on the broker anyway; it also moves to
      // the end, so the flush order is the order of the last publishes.
      this.retained.delete(message.topic);
      this.retained.set(message.topic, entry);
      return false;
    }
    if (this.limit <= 0) {
      this.droppedCount++;
      return true;
    }
    this.transient.push(entry);
    if (this.transient.length <= this.limit) return false;
    this.transient.shift();
    this.droppedCount++;
    return true;
  }

  /** Everything queued, in publish order, and empties the queue. */
  drain(): QueuedMessage[] {
    const all = [...this.retained.values(), ...this.transient].sort((a, b) => a.seq - b.seq);
    this.retained.clear();
    this.transient = [];
    this.droppedCount = 0;
    return all.map((e) => e.message);
  }
}
