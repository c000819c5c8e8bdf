// The bridge's MQTT connection (mqtt.js, MQTT 3.1.1). Owns what the bridge must not care about:
// last will and birth on `<base>/bridge/state`, reconnects with backoff, renewing subscriptions,
// a bounded offline queue, and a stop() that always ends within its bound.
import { Socket } from "node:net";
import type { MqttClient } from "mqtt";
import { connectMqtt } from "./connect.js";
import {
  clientOptions,
  MqttConnectionError,
  type MqttConnectionOptions,
  readTlsFiles,
} from "./connection-options.js";
import { backoffDelay, describeMqttError, displayUrl, formatDelay } from "./diagnostics.js";
import type { MqttLink, PublishOptions } from "./link.js";
import { OfflineQueue } from "./offline-queue.js";
import { fitsTopicLimit, MAX_TOPIC_BYTES } from "./topics.js";

export { MqttConnectionError, type MqttConnectionOptions } from "./connection-options.js";

export class MqttConnection implements MqttLink {
  private client: MqttClient | null = null;
  private isConnected = false;
  private everConnected = false;
  /** Bumped on every connect and close, so a stale async continuation can tell it is stale. */
  private generation = 0;
  private attempt = 0;
  private lastError: string | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private startPromise: Promise<void> | null = null;
  private startWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private stopPromise: Promise<void> | null = null;
  private dropWarned = false;
  private readonly queue: OfflineQueue;
  private readonly subscriptions = new Set<string>();
  private readonly messageHandlers: ((topic: string, payload: Buffer, retained: boolean) => void)[] = [];
  /**
   * Messages that arrived before any handler, delivered to the first one (null once it exists).
   * With a persistent session the broker sends the QoS 1 commands it queued for us right after
   * CONNACK (MQTT 3.1.1 §3.1.2.4), while the app is still pairing or building the bridge; mqtt.js
   * acknowledges them as they arrive, so dropping them here would lose them for good.
   */
  private held: { topic: string; payload: Buffer; retained: boolean }[] | null = [];
  private heldDropWarned = false;
  /** Whether an overwritten `bridge/state` was already logged at warn (later ones at debug). */
  private stateWarned = false;
  private readonly connectHandlers: (() => void)[] = [];
  /** Settles every pending ack wait, so that stop() leaves no timer and no hanging promise. */
  private readonly pending = new Set<() => void>();

  constructor(private readonly o: MqttConnectionOptions) {
    this.queue = new OfflineQueue(o.queueLimit ?? 1000);
  }

  get connected(): boolean {
    return this.isConnected;
  }

  private get stopping(): boolean {
    return this.stopPromise !== null;
  }

  private get url(): string {
    return displayUrl(this.o.url);
  }

  private get heldLimit(): number {
    return this.o.queueLimit ?? 1000;
  }

  private get ackTimeoutMs(): number {
    return this.o.ackTimeoutMs ?? 10_000;
  }

  /** Resolves at the first successful connect; retries for ever until then, or until stop(). */
  start(): Promise<void> {
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }

  private async doStart(): Promise<void> {
    const stopped = () => new MqttConnectionError("MQTT connection stopped before it connected", "stopped");
    if (this.stopping) throw stopped();
    const options = clientOptions(this.o, await readTlsFiles(this.o));
    return new Promise<void>((resolve, reject) => {
      this.startWaiter = { resolve, reject };
      let client: MqttClient;
      try {
        client = connectMqtt(this.o.url, options);
      } catch (error) {
        this.startWaiter = null;
        reject(new MqttConnectionError(`invalid MQTT_URL: ${(error as Error).message}`, "invalid_url"));
        return;
      }
      this.client = client;
      this.o.logger.info(`connecting to MQTT broker ${this.url} as "${this.o.clientId}"`);
      client.on("connect", (connack) => {
        // mqtt.js leaves Nagle on: a publish written while our last packet (often a PUBACK) is
        // unacknowledged would wait for the broker's delayed ACK, ~40 ms on Linux.
        if (client.stream instanceof Socket) client.stream.setNoDelay(true);
        void this.onConnected(connack.sessionPresent);
      });
      client.on("close", () => this.onClosed());
      // Remember why; the line is logged once per attempt, on close.
      client.on("error", (error) => {
        this.lastError = this.redact(describeMqttError(error, options.connectTimeout ?? 10_000));
      });
      client.on("message", (topic, payload, packet) => this.dispatch(topic, payload, packet.retain));
    });
  }

  private async onConnected(sessionPresent: boolean): Promise<void> {
    const generation = ++this.generation;
    this.isConnected = true;
    this.attempt = 0;
    this.lastError = null;
    this.dropWarned = false;
    this.o.logger.info(`${this.everConnected ? "reconnected" : "connected"} to MQTT broker ${this.url}`);
    this.o.logger.debug(() => `session present: ${sessionPresent}`);
    this.everConnected = true;
    // Birth message first: HA marks the entities available (availability mode `all`). The will
    // is retained for the same reason: a new HA subscriber must see the current state.
    void this.send(this.o.stateTopic, "online", 1, true);
    // Same socket, so these go out in this order after `online` (MQTT 3.1.1 §4.6 ordering).
    const queued = this.queue.drain();
    for (const m of queued) void this.send(m.topic, m.payload, m.qos, m.retain);
    if (queued.length > 0) this.o.logger.info(`sent ${queued.length} messages kept while offline`);
    // Renew always: with a clean session (or a broker that lost ours, session present = 0) the
    // broker has no subscription left; a duplicate SUBSCRIBE just replaces it (§3.8.4).
    await this.sendSubscribe([...this.subscriptions]);
    if (generation !== this.generation || this.stopping) return;
    this.startWaiter?.resolve();
    this.startWaiter = null;
    for (const handler of this.connectHandlers) this.guard("MQTT connect handler", () => handler());
  }

  private onClosed(): void {
    const wasConnected = this.isConnected;
    this.isConnected = false;
    this.generation++;
    if (this.stopping) {
      // Nothing in flight can be acknowledged any more: let stop() go on at once.
      for (const settle of [...this.pending]) settle();
      return;
    }
    if (this.retryTimer) return;
    const delay = backoffDelay(this.attempt++, this.o.reconnect ?? { initialMs: 1000, maxMs: 30_000 });
    const reason = this.lastError ?? "connection closed by the broker";
    this.lastError = null;
    if (wasConnected) {
      this.o.logger.warn(
        `lost the MQTT connection to ${this.url} (${reason}); reconnecting in ${formatDelay(delay)}`,
      );
    } else {
      this.o.logger.warn(
        `cannot connect to MQTT broker ${this.url}: ${reason}; retrying in ${formatDelay(delay)}`,
      );
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      // connect() rather than reconnect(): it keeps mqtt.js's store, so QoS 1 messages that were
      // in flight when the link dropped are sent again (§4.4).
      if (!this.stopping) this.client?.connect();
    }, delay);
  }

  private dispatch(topic: string, payload: Buffer, retained: boolean): void {
    if (this.held) {
      this.held.push({ topic, payload, retained });
      if (this.held.length > this.heldLimit) {
        this.held.shift();
        if (!this.heldDropWarned) {
          this.heldDropWarned = true;
          this.o.logger.warn(
            `more than ${this.heldLimit} MQTT messages arrived before the bridge was ready: dropping the oldest`,
          );
        }
      }
      return;
    }
    if (topic === this.o.stateTopic) this.guardState(payload);
    for (const handler of this.messageHandlers) {
      this.guard(`MQTT message handler on "${topic}"`, () => handler(topic, payload, retained));
    }
  }

  /**
   * `<base>/bridge/state` is ours while we run: anything else retained there (the last will of an
   * earlier connection that the broker noticed dead only after we came back, a stray or hostile
   * publish) would leave every entity unavailable until our next reconnect, since availability
   * mode is `all` and nothing else re-sends the birth. Seen through the bridge's `<base>/#`
   * subscription; `online` again at once, so an `offline` lasts one round trip.
   */
  private guardState(payload: Buffer): void {
    if (!this.isConnected || this.stopping || payload.toString() === "online") return;
    const text = payload.length > 40 ? `${payload.subarray(0, 40).toString()}…` : payload.toString();
    const line = `another MQTT client set ${this.o.stateTopic} to "${text}" (a late last will, or a second bridge on this base topic?): publishing "online" again`;
    if (this.stateWarned) this.o.logger.debug(line);
    else this.o.logger.warn(line);
    this.stateWarned = true;
    void this.send(this.o.stateTopic, "online", 1, true);
  }

  /** A handler's error (or rejected promise, if it is async) is logged, never thrown into mqtt.js. */
  private guard(what: string, run: () => unknown): void {
    const fail = (error: unknown) => this.o.logger.error(`${what} failed: ${(error as Error).message}`);
    try {
      const result = run();
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }

  publish(topic: string, payload: string, options: PublishOptions = {}): Promise<void> {
    const qos = options.qos ?? 0;
    const retain = options.retain ?? false;
    // A wildcard or NUL in a topic name is a protocol violation (§4.7.1, §1.5.3): the broker would
    // drop the whole connection, so refuse that one message instead.
    if (topic === "" || /[+#]/.test(topic) || topic.includes("\u0000")) {
      this.o.logger.error(`not publishing to invalid MQTT topic "${topic}"`);
      return Promise.resolve();
    }
    // Over the limit, mqtt-packet throws after writing part of the packet: every later packet on
    // the connection would be garbage to the broker.
    if (!fitsTopicLimit(topic)) {
      this.o.logger.error(
        `not publishing to an MQTT topic longer than ${MAX_TOPIC_BYTES} bytes ("${topic.slice(0, 80)}…")`,
      );
      return Promise.resolve();
    }
    if (this.stopping) return Promise.resolve();
    if (this.isConnected) return this.send(topic, payload, qos, retain);
    if (this.queue.push({ topic, payload, qos, retain }) && !this.dropWarned) {
      this.dropWarned = true;
      this.o.logger.warn(
        `MQTT broker unreachable: keeping only the latest ${this.o.queueLimit ?? 1000} non-retained messages, dropping older ones`,
      );
    }
    return Promise.resolve();
  }

  /** Hands one message to mqtt.js; resolves on the ack (QoS 1) or write (QoS 0), or after the bound. */
  private send(topic: string, payload: string, qos: 0 | 1, retain: boolean, timeoutMs = this.ackTimeoutMs) {
    return this.withAck(timeoutMs, `publish to "${topic}"`, (done) => {
      this.client?.publish(topic, payload, { qos, retain }, (error) => done(error ?? null));
    });
  }

  private sendSubscribe(topics: string[]): Promise<void> {
    if (topics.length === 0) return Promise.resolve();
    const map = Object.fromEntries(topics.map((t) => [t, { qos: 1 as const }]));
    return this.withAck(this.ackTimeoutMs, `subscribe to ${topics.join(", ")}`, (done) => {
      this.client?.subscribe(map, (error, granted) => {
        // §3.9.3: 0x80 in SUBACK means the broker refused that filter (ACL, invalid filter).
        for (const g of granted ?? []) {
          if (g.qos === 128) this.o.logger.warn(`the MQTT broker refused the subscription to "${g.topic}"`);
        }
        done(error);
      });
    });
  }

  private withAck(timeoutMs: number, what: string, run: (done: (e: Error | null) => void) => void) {
    return new Promise<void>((resolve) => {
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(settle);
        resolve();
      };
      const timer = setTimeout(() => {
        this.o.logger.debug(() => `${what}: no acknowledgement within ${formatDelay(timeoutMs)}`);
        settle();
      }, timeoutMs);
      this.pending.add(settle);
      try {
        run((error) => {
          // While the link is down, failures are expected and already reported by the outage line.
          if (error && !this.stopping) {
            const log = this.isConnected ? this.o.logger.warn : this.o.logger.debug;
            log(`${what} failed: ${this.redact(error.message)}`);
          }
          settle();
        });
      } catch (error) {
        this.o.logger.warn(`${what} failed: ${this.redact((error as Error).message)}`);
        settle();
      }
    });
  }

  async subscribe(topics: string[]): Promise<void> {
    const added = topics.filter((t) => !this.subscriptions.has(t));
    for (const t of added) this.subscriptions.add(t);
    if (this.isConnected) await this.sendSubscribe(added);
  }

  async unsubscribe(topics: string[]): Promise<void> {
    const removed = topics.filter((t) => this.subscriptions.delete(t));
    if (!this.isConnected || removed.length === 0) return;
    await this.withAck(this.ackTimeoutMs, `unsubscribe from ${removed.join(", ")}`, (done) => {
      this.client?.unsubscribe(removed, (error) => done(error ?? null));
    });
  }

  /** The first handler also gets, at once and in order, the messages that arrived before it. */
  onMessage(handler: (topic: string, payload: Buffer, retained: boolean) => void): void {
    this.messageHandlers.push(handler);
    const held = this.held;
    if (!held) return;
    this.held = null;
    if (held.length > 0)
      this.o.logger.info(`handling ${held.length} MQTT messages that arrived before the bridge was ready`);
    for (const m of held) this.dispatch(m.topic, m.payload, m.retained);
  }

  onConnect(handler: () => void): void {
    this.connectHandlers.push(handler);
  }

  /** Publishes `offline`, disconnects, and resolves within stopTimeoutMs (plus a little). Idempotent. */
  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    const budget = this.o.stopTimeoutMs ?? 2000;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.startWaiter?.reject(
      new MqttConnectionError("MQTT connection stopped before it connected", "stopped"),
    );
    this.startWaiter = null;
    const client = this.client;
    if (client) {
      // §3.14.4: a DISCONNECT makes the broker discard the will, so say `offline` ourselves.
      if (this.isConnected) await this.send(this.o.stateTopic, "offline", 1, true, budget / 2);
      await new Promise<void>((resolve) => {
        // mqtt.js end() waits for every outstanding ack, then for the peer to close the socket:
        // against a hung broker that is for ever, hence the bound and the forced close.
        const timer = setTimeout(() => {
          this.o.logger.warn("the MQTT broker did not close the connection in time; closing it");
          client.stream?.destroy();
          resolve();
        }, budget / 2);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        // A link that dies meanwhile will never deliver the acks end() waits for.
        client.once("close", done);
        client.end(!this.isConnected, {}, done);
      });
    }
    this.isConnected = false;
    for (const settle of [...this.pending]) settle();
    this.o.logger.info("MQTT connection closed");
  }

  private redact(text: string): string {
    const password = this.o.password;
    return password ? text.split(password).join("[redacted]") : text;
  }
}
