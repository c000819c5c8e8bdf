// The bridge: polls the box on a schedule, publishes states and Home Assistant discovery, routes
// commands, and keeps all of it true across broker reconnects, HA restarts and box outages.
// The only module that knows both the Freebox (FreeboxApi) and MQTT (MqttLink).
import { mkdir } from "node:fs/promises";
import type { Config } from "../config.js";
import type { FreeboxApi } from "../freebox/api.js";
import { FreeboxError } from "../freebox/errors.js";
import type { EventStreamSource } from "../freebox/events.js";
import type { Logger } from "../logger.js";
import type { MqttLink } from "../mqtt/link.js";
import { CommandRouter } from "./commands.js";
import { LAN_EVENT_TOPIC } from "./entities/presence.js";
import { boxIdOf, lineMedia } from "./entities.js";
import { ResourceGate, unreadable } from "./gate.js";
import { OwnTopics } from "./own-topics.js";
import { BoxReader } from "./poller.js";
import { PresenceService } from "./presence-service.js";
import { Publisher } from "./publisher.js";
import { groupResources, type PollGroup, RESOURCES, type ResourceId } from "./resources.js";
import { Scheduler } from "./scheduler.js";

export interface BridgeOptions {
  api: FreeboxApi;
  /** The box's event stream (FreeboxClient); without it LAN hosts are polled only. */
  events?: EventStreamSource;
  /** Event stream reconnect backoff (tests shorten it). */
  eventBackoffMs?: { baseMs: number; maxMs: number };
  mqtt: MqttLink;
  config: Config;
  logger: Logger;
  version: string;
  /** A condition that restarting will not fix (revoked app token): the app stops with an exit code. */
  onFatal: (error: FreeboxError) => void;
  /** Delay before re-publishing after Home Assistant's birth (random in [min, max]); tests shorten it. */
  birthDelayMs?: { min: number; max: number };
  heartbeatMs?: number;
}

/** Box errors after which nothing works until the user acts: no retry loop (essentials §4). */
const FATAL_CODES = new Set(["invalid_token", "pairing_required", "token_file_invalid"]);
/** Box errors meaning the box or our session is not usable: the box is "offline" for HA. */
const UNAVAILABLE_CODES = new Set(["auth_required", "invalid_session", "ratelimited", "pending_token"]);
/** Retained configs arrive in a burst after the discovery subscription: reconcile once it is over. */
const RECONCILE_DEBOUNCE_MS = 150;

/** A poll cut short by stop(): nothing more is read from the box or published. */
class Stopped extends Error {}

export class Bridge {
  private readonly reader: BoxReader;
  private readonly publisher: Publisher;
  private readonly own: OwnTopics;
  private readonly router: CommandRouter;
  private readonly scheduler: Scheduler;
  /** Resources refused for a missing right or absent from this box (gate.ts). */
  private readonly gate: ResourceGate;
  /** LAN hosts' trackers and events, and the box's event stream (presence-service.ts). */
  private readonly lan: PresenceService;
  /** The error of each group whose last poll failed (a refresh request reports it). */
  private readonly pollFailures = new Map<PollGroup, unknown>();
  /** The line media whose data and entities exist (kept through a 4G backup, essentials §8). */
  private media: string | undefined;
  private subscribedDiscovery = false;
  private reconcilePending = false;
  /** A republish answering Home Assistant's birth is scheduled: later births join it. */
  private birthPending = false;
  private timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private fatal = false;
  /** An outage of the box was reported (warn); its end is reported once (info). */
  private outageReported = false;

  constructor(private readonly o: BridgeOptions) {
    const { config } = o;
    this.reader = new BoxReader(o.api);
    this.gate = new ResourceGate({ logger: o.logger });
    this.own = new OwnTopics({ ...o, heartbeatMs: o.heartbeatMs ?? 30_000 });
    this.publisher = new Publisher({
      mqtt: o.mqtt,
      baseTopic: config.mqtt.baseTopic,
      discovery: config.ha.discovery,
      prefix: config.ha.discoveryPrefix,
      boxUrl: config.freebox.url,
      version: o.version,
    });
    this.lan = new PresenceService({
      api: o.api,
      events: o.events,
      eventBackoffMs: o.eventBackoffMs,
      config,
      logger: o.logger,
      publishState: (topic, value) => this.publisher.publishValue(topic, value),
      clearState: (topic) => this.publisher.clearTopic(topic),
      publishEvent: (payload) =>
        void o.mqtt.publish(`${config.mqtt.baseTopic}/${LAN_EVENT_TOPIC}`, payload, { qos: 1 }),
      onTrackedChange: () => {
        this.reader.box.lan_hosts = this.lan.presence.tracked;
        if (this.reader.box.system) this.syncDiscovery();
      },
      onModeChange: () => void this.publishInfo().catch(() => undefined),
    });
    this.router = new CommandRouter(config.mqtt.baseTopic, {
      api: o.api,
      logger: o.logger.child("commands"),
      refresh: (resource) => this.refresh(resource),
      refreshAll: () => this.pollAllNow(),
      boxAnswered: () => this.boxAnswered(),
      current: (resource) => this.reader.box[resource],
    });
    const task = (group: PollGroup, seconds: number) => ({
      group,
      intervalMs: seconds * 1000,
      run: () => this.poll(group),
    });
    this.scheduler = new Scheduler({
      logger: o.logger,
      tasks: [
        task("status", config.poll.statusInterval),
        task("config", config.poll.configInterval),
        task("leases", config.poll.leasesInterval),
      ],
    });
  }

  async start(): Promise<void> {
    const { mqtt, config } = this.o;
    mqtt.onMessage((topic, payload, retained) => this.onMessage(topic, payload, retained));
    mqtt.onConnect(() => this.republishAll());
    // Not `online` before a poll proved it (the broker may still hold the last run's `online`).
    this.own.setAvailable(false);
    await mqtt.subscribe([
      ...this.router.subscriptions(),
      ...(config.ha.discovery ? [config.ha.statusTopic] : []),
    ]);
    await mkdir(config.dataDir, { recursive: true }).catch(() => undefined);
    await this.lan.start();
    this.scheduler.start();
    const heartbeat = setInterval(() => void this.own.heartbeat(), this.o.heartbeatMs ?? 30_000);
    this.timers.add(heartbeat);
    void this.own.heartbeat();
  }

  /**
   * Stops polling and waits for the commands in flight (the caller bounds the wait). A poll in
   * flight ends at its current read: no further call (no re-login after the logout that follows),
   * nothing more published.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([this.scheduler.stop(), this.router.idle(), this.lan.stop()]);
  }

  /** Polls everything now (bridge/request/refresh, the refresh button, tests). */
  refreshAll(): Promise<void> {
    return this.scheduler.runNow();
  }

  /** Polls one group now, as its timer would (the bench drives the schedule itself). */
  refreshGroup(group: PollGroup): Promise<void> {
    return this.scheduler.runNow(group);
  }

  /** Polls everything now and rejects with a failure, so that a refresh request is not answered "ok" for nothing. */
  private async pollAllNow(): Promise<void> {
    // The user may have just granted a right: read what it held back now, not in ten minutes.
    this.gate.retryAll();
    await this.scheduler.runNow();
    const [failure] = this.pollFailures.values();
    if (failure !== undefined) throw failure;
  }

  /** Re-reads one resource and publishes it at once (after a successful command). */
  async refresh(resource: ResourceId): Promise<void> {
    if (this.stopped) return;
    try {
      // false: a read started later (a poll) already landed, with a value at least as new.
      if (!(await this.reader.read(resource)) || this.stopped) return;
    } catch (error) {
      // The box went away right after a command (a reboot): say so now, not at the next poll.
      if (error instanceof FreeboxError && (error.isTransport || isSessionError(error)))
        this.handlePollError(error);
      throw error;
    }
    this.boxAnswered();
    this.publishStates([resource]);
    this.syncDiscovery();
  }

  /** Publishes the states of resources read afresh, in one go (poll()). */
  private publishStates(resources: readonly ResourceId[]): void {
    if (this.stopped) return;
    for (const resource of resources) {
      this.publisher.publishState(resource, this.reader.box);
      // A lease added or removed gives or takes a tracker at once (presence.ts).
      if (resource === "static_leases")
        this.lan.presence.setStaticLeases(this.reader.box.static_leases ?? []);
    }
  }

  /**
   * A call outside the polls (a command, its refresh) succeeded: the box is usable, so say it at
   * once rather than after the failed polls' backoff (up to a minute), and poll those groups now:
   * their states are as old as the outage.
   */
  private boxAnswered(): void {
    if (this.stopped || this.fatal || !this.own.setAvailable(true)) return;
    this.o.logger.info("the box answers again");
    for (const group of this.pollFailures.keys()) void this.scheduler.runNow(group);
  }

  private async poll(group: PollGroup): Promise<void> {
    if (this.stopped) return;
    try {
      const box = this.reader.box;
      if (group === "config") box.apiVersion ??= await this.o.api.apiVersion();
      // The group's states go out together once its reads are over (also when one fails): mqtt.js
      // writes the messages of one tick in one go, and the broker's acknowledgements and the echoes
      // `<base>/#` brings back then arrive together too: a few socket operations a group rather
      // than four per changed state (docs/performance.md).
      const fresh: ResourceId[] = [];
      try {
        for (const resource of groupResources(group)) {
          await this.read(resource, fresh);
          // The line media is known once `connection` is read; it decides which line data follows.
          if (resource === "connection") await this.readLine(fresh);
        }
      } finally {
        this.publishStates(fresh);
      }
      if (group === "leases") await this.readLan();
      if (group === "config") await this.publishInfo();
      if (this.stopped) return;
      this.own.health.pollSucceeded(group);
      this.pollFailures.delete(group);
      this.own.setAvailable(true);
      if (this.outageReported) {
        this.outageReported = false;
        this.o.logger.info(`the box at ${this.o.config.freebox.url} answers again`);
      }
      this.identify();
      this.syncDiscovery();
    } catch (error) {
      if (this.stopped) return;
      this.own.health.pollFailed(group, error as Error);
      this.pollFailures.set(group, error);
      this.handlePollError(error);
      throw error;
    }
  }

  /**
   * The LAN hosts at the leases interval, the safety net under the event stream (presence-service.ts).
   * A box error on the LAN browser alone (busy, netdown…) skips it, as read() does for a resource.
   */
  private async readLan(): Promise<void> {
    try {
      await this.lan.poll();
    } catch (error) {
      if (!(error instanceof FreeboxError) || error.isTransport || isSessionError(error)) throw error;
      this.o.logger.warn(`could not read the LAN hosts: ${error.message}`);
    }
    if (this.stopped) throw new Stopped();
  }

  private async publishInfo(): Promise<void> {
    if (this.stopped || !this.reader.box.system) return;
    const { baseTopic } = this.o.config.mqtt;
    await this.own.publishInfo(
      this.o.api,
      this.reader.box,
      { missing_rights: this.gate.missingRights(baseTopic), absent: this.gate.absent() },
      { presence: this.lan.presence.info() },
    );
  }

  /** Reconciliation (clearing what an earlier run left) only once the whole entity set is known. */
  private syncDiscovery(force = false): void {
    const reconcile = this.reader.entitiesKnown(this.media, this.gate.settled()) && this.lan.presence.settled;
    this.publisher.syncDiscovery(this.reader.box, this.media, { force, reconcile });
  }

  /** A config we do not publish showed up on the broker: reconcile once the burst is over. */
  private scheduleReconcile(): void {
    if (this.reconcilePending || this.stopped) return;
    this.reconcilePending = true;
    this.later(RECONCILE_DEBOUNCE_MS, () => {
      this.reconcilePending = false;
      this.syncDiscovery();
    });
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) run();
    }, ms);
    this.timers.add(timer);
  }

  /** Reads the line data of the current media, clearing the other one after a media change. */
  private async readLine(fresh: ResourceId[]): Promise<void> {
    const before = this.media;
    const media = lineMedia(this.reader.box.connection?.media, before);
    this.media = media;
    if (before !== undefined && media !== before) {
      this.o.logger.info(`line media changed from ${before} to ${String(media)}`);
      for (const line of RESOURCES) {
        if (line.media !== undefined && line.media !== media) {
          this.reader.forget(line.id);
          this.publisher.clearState(line.id);
        }
      }
    }
    const line = RESOURCES.find((r) => r.media !== undefined && r.media === media);
    if (line) await this.read(line.id, fresh);
  }

  /**
   * Reads one resource; a box error on it alone (busy, netdown…) skips it, the poll goes on. A
   * resource the box refuses for a right or does not have is held back (gate.ts): its state and
   * entities go, and it is read again only now and then. A fresh answer is added to `fresh`, whose
   * states the poll publishes.
   */
  private async read(resource: ResourceId, fresh: ResourceId[]): Promise<void> {
    if (this.stopped) throw new Stopped();
    if (!this.gate.due(resource)) return;
    try {
      const read = await this.readGranted(resource);
      if (this.stopped) throw new Stopped();
      this.gate.release(resource);
      if (read) fresh.push(resource);
    } catch (error) {
      const why = unreadable(resource, error);
      if (why !== undefined) {
        if (this.gate.hold(resource, why)) {
          this.reader.forget(resource);
          this.publisher.clearState(resource);
        }
        return;
      }
      if (error instanceof FreeboxError && !error.isTransport && !isSessionError(error)) {
        this.o.logger.warn(`could not read ${resource}: ${error.message}`);
        return;
      }
      throw error;
    }
  }

  /**
   * Rights are fixed when a session opens (essentials §5) and the client drops a session that was
   * refused for one (freebox/auth.ts): asking once more, on a new session, sees a right granted
   * since the old one opened.
   */
  private async readGranted(resource: ResourceId): Promise<boolean> {
    try {
      return await this.reader.read(resource);
    } catch (error) {
      if (!(error instanceof FreeboxError) || error.code !== "insufficient_rights" || this.stopped)
        throw error;
      return await this.reader.read(resource);
    }
  }

  private handlePollError(error: unknown): void {
    if (!(error instanceof FreeboxError)) {
      this.o.logger.error(`poll failed: ${(error as Error).message}`);
      return;
    }
    if (FATAL_CODES.has(error.code)) {
      this.own.setAvailable(false);
      if (!this.fatal) {
        this.fatal = true;
        this.o.onFatal(error);
      }
      return;
    }
    this.own.setAvailable(false);
    // Once per outage, including one that starts with the bridge (a wrong FREEBOX_URL, a box that
    // is down): availability is already `offline` then, so its change cannot be what is reported.
    if (!this.outageReported) {
      this.outageReported = true;
      this.o.logger.warn(`the box at ${this.o.config.freebox.url} is unavailable: ${error.message}`);
    }
  }

  /**
   * Once the box id is known, watch the discovery configs the broker holds for it: to clear the
   * ones an earlier run left, all of them when discovery is off.
   */
  private identify(): void {
    const system = this.reader.box.system;
    if (this.subscribedDiscovery || !system) return;
    this.subscribedDiscovery = true;
    void this.o.mqtt.subscribe([this.publisher.discoveryFilter(boxIdOf(system))]);
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (this.stopped) return;
    const config = this.publisher.noteRetainedConfig(topic, payload);
    if (config !== undefined) {
      // Retained configs arrive once the box id is known, after the first sync: reconcile then.
      if (config) this.scheduleReconcile();
      return;
    }
    if (topic === this.o.config.ha.statusTopic) {
      if (payload.toString() === "online") this.onHomeAssistantBirth();
      return;
    }
    void this.router.handle(topic, payload, retained).then((response) => {
      if (!response) return;
      if (response.payload.startsWith('{"status":"ok"')) this.own.health.commandsOk += 1;
      else this.own.health.commandsFailed += 1;
      return this.o.mqtt.publish(response.topic, response.payload, { qos: 1 });
    });
  }

  /**
   * HA restarted: after a short random delay (so a whole fleet does not answer at once), configs then
   * states. Births within that delay share the one republish: each one costs every config and state,
   * and a burst of them (a flapping HA, a replayed topic) must not multiply that.
   */
  private onHomeAssistantBirth(): void {
    if (this.birthPending) return;
    this.birthPending = true;
    const { min, max } = this.o.birthDelayMs ?? { min: 500, max: 2_500 };
    this.later(min + Math.random() * (max - min), () => {
      this.birthPending = false;
      this.republishAll();
    });
  }

  /** After a reconnect (the broker may have lost its retained messages) or HA's birth. */
  private republishAll(): void {
    if (this.stopped) return;
    this.own.republish();
    this.syncDiscovery(true);
    this.publisher.republishStates();
  }
}

const isSessionError = (error: FreeboxError) =>
  UNAVAILABLE_CODES.has(error.code) || FATAL_CODES.has(error.code);
