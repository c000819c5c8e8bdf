// The bridge: polls the box on a schedule, publishes states and Home Assistant discovery, routes
// commands, and keeps all of it true across broker reconnects, HA restarts and box outages.
// The only module that knows both the Freebox (FreeboxApi) and MQTT (MqttLink).
import { mkdir } from "node:fs/promises";
import type { Config } from "../config.js";
import type { FreeboxApi } from "../freebox/api.js";
import { FreeboxError } from "../freebox/errors.js";
import type { Logger } from "../logger.js";
import type { MqttLink } from "../mqtt/link.js";
import { CommandRouter } from "./commands.js";
import { boxIdOf, lineMedia } from "./entities.js";
import { HealthTracker, writeHealthFile } from "./health.js";
import { type BoxSnapshot, fetchInto, groupResources } from "./poller.js";
import { Publisher } from "./publisher.js";
import type { PollGroup, ResourceId } from "./resources.js";
import { Scheduler } from "./scheduler.js";

export interface BridgeOptions {
  api: FreeboxApi;
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
const FATAL_CODES = new Set(["invalid_token", "pairing_required"]);
/** Box errors meaning the box or our session is not usable: the box is "offline" for HA. */
const UNAVAILABLE_CODES = new Set(["auth_required", "invalid_session", "ratelimited", "pending_token"]);

export class Bridge {
  private readonly box: BoxSnapshot = {};
  private readonly publisher: Publisher;
  private readonly router: CommandRouter;
  private readonly scheduler: Scheduler;
  private readonly health = new HealthTracker();
  private readonly polledOnce = new Set<PollGroup>();
  private available: boolean | undefined;
  /** The line media whose data and entities exist (kept through a 4G backup, essentials §8). */
  private media: string | undefined;
  private subscribedDiscovery = false;
  private infoPayload = "";
  private timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private fatal = false;

  constructor(private readonly o: BridgeOptions) {
    const { config } = o;
    this.publisher = new Publisher({
      mqtt: o.mqtt,
      baseTopic: config.mqtt.baseTopic,
      discovery: config.ha.discovery,
      prefix: config.ha.discoveryPrefix,
      boxUrl: config.freebox.url,
      version: o.version,
    });
    this.router = new CommandRouter(config.mqtt.baseTopic, {
      api: o.api,
      logger: o.logger.child("commands"),
      refresh: (resource) => this.refresh(resource),
      refreshAll: () => this.scheduler.runNow(),
      current: (resource) => this.box[resource],
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

  private get base(): string {
    return this.o.config.mqtt.baseTopic;
  }

  async start(): Promise<void> {
    const { mqtt, config } = this.o;
    mqtt.onMessage((topic, payload, retained) => this.onMessage(topic, payload, retained));
    mqtt.onConnect(() => this.republishAll());
    this.setAvailable(false);
    await mqtt.subscribe([
      ...this.router.subscriptions(),
      ...(config.ha.discovery ? [config.ha.statusTopic] : []),
    ]);
    await mkdir(config.dataDir, { recursive: true }).catch(() => undefined);
    this.scheduler.start();
    const heartbeat = setInterval(() => void this.heartbeat(), this.o.heartbeatMs ?? 30_000);
    this.timers.add(heartbeat);
    void this.heartbeat();
  }

  /** Stops polling and waits for the commands in flight (the caller bounds the wait). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([this.scheduler.stop(), this.router.idle()]);
  }

  /** Polls everything now (bridge/request/refresh, the refresh button, tests). */
  refreshAll(): Promise<void> {
    return this.scheduler.runNow();
  }

  /** Re-reads one resource and publishes it at once (after a successful command). */
  async refresh(resource: ResourceId): Promise<void> {
    await fetchInto(this.o.api, this.box, resource);
    this.publisher.publishState(resource, this.box);
    if (resource === "static_leases") this.publisher.syncDiscovery(this.box, this.media);
  }

  private async poll(group: PollGroup): Promise<void> {
    if (this.stopped) return;
    try {
      if (group === "config") this.box.apiVersion ??= await this.o.api.apiVersion();
      for (const resource of groupResources(group)) {
        await this.read(resource);
        // The line media is known once `connection` is read; it decides which line data follows.
        if (resource === "connection") await this.readLine();
      }
      if (group === "config") await this.publishInfo();
      this.polledOnce.add(group);
      this.health.pollSucceeded(group);
      this.setAvailable(true);
      this.identify();
      this.publisher.syncDiscovery(this.box, this.media, { reconcile: this.polledOnce.size === 3 });
    } catch (error) {
      this.health.pollFailed(group, error as Error);
      this.handlePollError(error);
      throw error;
    }
  }

  /** Reads the line data of the current media, clearing the other one after a media change. */
  private async readLine(): Promise<void> {
    const before = this.media;
    const media = lineMedia(this.box.connection?.media, before);
    this.media = media;
    if (before !== undefined && media !== before) {
      this.o.logger.info(`line media changed from ${before} to ${String(media)}`);
      for (const line of ["xdsl", "ftth"] as const) {
        if (line !== media) {
          delete this.box[line];
          this.publisher.clearState(line);
        }
      }
    }
    if (media === "xdsl" || media === "ftth") await this.read(media);
  }

  /** Reads one resource; a box error on it alone (busy, netdown…) skips it, the poll goes on. */
  private async read(resource: ResourceId): Promise<void> {
    try {
      await fetchInto(this.o.api, this.box, resource);
      this.publisher.publishState(resource, this.box);
    } catch (error) {
      if (error instanceof FreeboxError && !error.isTransport && !isSessionError(error)) {
        this.o.logger.warn(`could not read ${resource}: ${error.message}`);
        return;
      }
      throw error;
    }
  }

  private handlePollError(error: unknown): void {
    if (!(error instanceof FreeboxError)) {
      this.o.logger.error(`poll failed: ${(error as Error).message}`);
      return;
    }
    if (FATAL_CODES.has(error.code)) {
      this.setAvailable(false);
      if (!this.fatal) {
        this.fatal = true;
        this.o.onFatal(error);
      }
      return;
    }
    if (this.available !== false) this.o.logger.warn(`the box is unavailable: ${error.message}`);
    this.setAvailable(false);
  }

  /** Once the box id is known, watch the discovery configs the broker holds for it. */
  private identify(): void {
    if (this.subscribedDiscovery || !this.box.system || !this.o.config.ha.discovery) return;
    this.subscribedDiscovery = true;
    void this.o.mqtt.subscribe([this.publisher.discoveryFilter(boxIdOf(this.box.system))]);
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (this.publisher.noteRetainedConfig(topic, payload)) return;
    if (topic === this.o.config.ha.statusTopic) {
      if (payload.toString() === "online") this.onHomeAssistantBirth();
      return;
    }
    if (retained) {
      // A retained command would run again at every reconnect (a retained reboot, a reboot loop).
      this.o.logger.warn(`ignored a retained command on ${topic}: publish commands without retain`);
      return;
    }
    void this.router.handle(topic, payload).then((response) => {
      if (!response) return;
      if (response.payload.startsWith('{"status":"ok"')) this.health.commandsOk += 1;
      else this.health.commandsFailed += 1;
      return this.o.mqtt.publish(response.topic, response.payload, { qos: 1 });
    });
  }

  /** HA restarted: after a short random delay (so a whole fleet does not answer at once), configs then states. */
  private onHomeAssistantBirth(): void {
    const { min, max } = this.o.birthDelayMs ?? { min: 500, max: 2_500 };
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.republishAll();
      },
      min + Math.random() * (max - min),
    );
    this.timers.add(timer);
  }

  /** After a reconnect (the broker may have lost its retained messages) or HA's birth. */
  private republishAll(): void {
    if (this.stopped) return;
    const availability = this.available ? "online" : "offline";
    void this.o.mqtt.publish(`${this.base}/box/availability`, availability, { retain: true, qos: 1 });
    if (this.infoPayload)
      void this.o.mqtt.publish(`${this.base}/bridge/info`, this.infoPayload, { retain: true, qos: 1 });
    this.publisher.syncDiscovery(this.box, this.media, { force: true });
    this.publisher.republishStates();
  }

  private setAvailable(available: boolean): void {
    if (this.available === available) return;
    this.available = available;
    void this.o.mqtt.publish(`${this.base}/box/availability`, available ? "online" : "offline", {
      retain: true,
      qos: 1,
    });
  }

  private async publishInfo(): Promise<void> {
    const { config, api, version } = this.o;
    const permissions = await api.permissions();
    const info = {
      version,
      box: {
        model: this.box.apiVersion?.box_model ?? null,
        model_name: this.box.apiVersion?.box_model_name ?? null,
        firmware: this.box.system?.firmware_version ?? null,
        api_version: this.box.apiVersion?.api_version ?? null,
      },
      api_version_in_use: api.apiMajor ?? null,
      permissions: {
        settings: permissions.settings === true,
        granted: Object.keys(permissions).filter((k) => permissions[k]),
      },
      poll_intervals_s: {
        status: config.poll.statusInterval,
        config: config.poll.configInterval,
        leases: config.poll.leasesInterval,
      },
      discovery: config.ha.discovery,
    };
    const payload = JSON.stringify(info);
    if (payload === this.infoPayload) return;
    this.infoPayload = payload;
    await this.o.mqtt.publish(`${this.base}/bridge/info`, payload, { retain: true, qos: 1 });
  }

  private async heartbeat(): Promise<void> {
    const snapshot = this.health.snapshot({
      mqttConnected: this.o.mqtt.connected,
      boxAvailable: this.available === true,
      heartbeatMs: this.o.heartbeatMs ?? 30_000,
    });
    const json = JSON.stringify(snapshot);
    void this.o.mqtt.publish(`${this.base}/bridge/health`, json, { qos: 0 });
    await writeHealthFile(this.o.config.dataDir, json).catch((error: Error) =>
      this.o.logger.warn(`cannot write the heartbeat file: ${error.message}`),
    );
  }
}

const isSessionError = (error: FreeboxError) =>
  UNAVAILABLE_CODES.has(error.code) || FATAL_CODES.has(error.code);
