// Presence as the bridge runs it (issue 15): the settings from the configuration, the hosts met in
// DATA_DIR, the LAN browser read at the leases interval, and the box's event stream, opened after
// the first read (a session exists then, and the box is known not to be in bridge mode). After
// every (re)connect of the stream the LAN browser is read once: events may have been missed while
// it was down, and short drops may send none (freebox-api-lan-browser, "Event stream").
import type { Config } from "../config.js";
import type { FreeboxApi } from "../freebox/api.js";
import { EventStream, type EventStreamSource } from "../freebox/events.js";
import type { Logger } from "../logger.js";
import { macKey } from "./entities/ids.js";
import { KnownHosts } from "./known-hosts.js";
import { Presence, type PresenceOptions, type PresenceSettings } from "./presence.js";

/** The LAN events the box supports everywhere (a Pop has no VMs: the page). */
export const LAN_EVENTS = ["lan_host_l3addr_reachable", "lan_host_l3addr_unreachable"];

export interface PresenceServiceOptions
  extends Pick<
    PresenceOptions,
    "publishState" | "clearState" | "publishEvent" | "onTrackedChange" | "onModeChange"
  > {
  api: FreeboxApi;
  /** The box's event stream (FreeboxClient); without it LAN hosts are polled only. */
  events: EventStreamSource | undefined;
  eventBackoffMs: { baseMs: number; maxMs: number } | undefined;
  config: Config;
  logger: Logger;
}

/** PRESENCE_* as presence.ts wants them (the MAC list was checked by the configuration). */
export function presenceSettings(config: Config): PresenceSettings {
  const exclude = config.presence.exclude
    .split(/[\s,;]+/)
    .map((mac) => macKey(mac))
    .filter((mac): mac is string => mac !== undefined);
  return {
    trackers: config.presence.trackers,
    exclude: new Set(exclude),
    removeAfterDays: config.presence.removeAfterDays,
  };
}

export class PresenceService {
  readonly presence: Presence;
  readonly #known: KnownHosts;
  #stream: EventStream | undefined;
  #stopped = false;

  constructor(private readonly o: PresenceServiceOptions) {
    this.#known = new KnownHosts(o.config.dataDir, o.logger);
    this.presence = new Presence({
      ...o,
      baseTopic: o.config.mqtt.baseTopic,
      settings: presenceSettings(o.config),
      known: this.#known,
      logger: o.logger.child("presence"),
    });
  }

  /** The hosts met by earlier runs. */
  async start(): Promise<void> {
    await this.#known.load();
    this.presence.restore();
  }

  /** A leases poll's LAN read; rejects with the box's error. Opens the stream after the first one. */
  async poll(): Promise<void> {
    await this.presence.poll();
    if (!this.#stopped && this.#stream === undefined && this.o.events && this.presence.mode !== "off") {
      this.#stream = this.#open(this.o.events);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#stream?.stop();
    await this.#known.flush();
  }

  #open(source: EventStreamSource): EventStream {
    const stream = new EventStream({
      source,
      events: LAN_EVENTS,
      logger: this.o.logger.child("events"),
      ...(this.o.eventBackoffMs ? { backoff: this.o.eventBackoffMs } : {}),
      handlers: {
        onReady: () => {
          this.presence.setStreaming(true);
          void this.#readOnce();
        },
        onDown: () => this.presence.setStreaming(false),
        onUnavailable: () => this.presence.setStreaming(false),
        onNotification: (notification) => {
          if (!this.#stopped) this.presence.applyEvent(notification.result);
        },
      },
    });
    stream.start();
    return stream;
  }

  /** The read after a (re)connect; a failure waits for the next leases poll. */
  async #readOnce(): Promise<void> {
    try {
      await this.presence.poll();
    } catch (error) {
      if (!this.#stopped)
        this.o.logger.debug(() => `LAN read after the stream connected: ${(error as Error).message}`);
    }
  }
}
