// The bridge's own topics (README "Bridge topics"): `<base>/box/availability`,
// `<base>/bridge/info`, and the `<base>/bridge/health` heartbeat with its `DATA_DIR/health.json`
// twin. `<base>/bridge/state` belongs to the MQTT connection (birth and last will).
import type { Config } from "../config.js";
import type { FreeboxApi } from "../freebox/api.js";
import type { Logger } from "../logger.js";
import type { MqttLink } from "../mqtt/link.js";
import { HealthTracker, writeHealthFile } from "./health.js";
import type { BoxSnapshot } from "./poller.js";
import { RESOURCES } from "./resources.js";

/**
 * Topics below `<base>/` that the bridge publishes (README "Bridge topics" and "State
 * topics"). The bridge subscribes to `<base>/#` to answer every other publish, so it sees these
 * too: they are never answered, which is also what keeps a response from answering itself.
 * Every state topic of the resource table is listed, whether or not this box publishes it, so
 * that no state topic is ever answered as a command.
 */
const OUTPUTS = new Set([
  "bridge/state",
  "bridge/info",
  "bridge/health",
  "box/availability",
  "lan/event",
  ...RESOURCES.map((r) => r.topic),
]);
/** Per-MAC state topics: `<mac12>` is the MAC in lower-case hex without separators. */
const PER_MAC_OUTPUT = /^(?:dhcp\/static_leases|lan\/hosts)\/[0-9a-f]{12}$/;

/** Whether `relative` (a topic without `<base>/`) is one of the bridge's own outputs. */
export function isBridgeOutput(relative: string): boolean {
  return OUTPUTS.has(relative) || relative.startsWith("bridge/response/") || PER_MAC_OUTPUT.test(relative);
}

export interface OwnTopicsOptions {
  mqtt: MqttLink;
  config: Config;
  logger: Logger;
  version: string;
  heartbeatMs: number;
}

export class OwnTopics {
  readonly health = new HealthTracker();
  private available: boolean | undefined;
  private infoPayload = "";

  constructor(private readonly o: OwnTopicsOptions) {}

  private get base(): string {
    return this.o.config.mqtt.baseTopic;
  }

  get boxAvailable(): boolean {
    return this.available === true;
  }

  /** `online` when the box answers and a session is open; published when it changes. */
  setAvailable(available: boolean): boolean {
    if (this.available === available) return false;
    this.available = available;
    this.publishAvailability();
    return true;
  }

  /** Re-sends availability and info (after a reconnect to a broker that may have lost them, or HA's birth). */
  republish(): void {
    if (this.available !== undefined) this.publishAvailability();
    if (this.infoPayload) void this.o.mqtt.publish(`${this.base}/bridge/info`, this.infoPayload, retained);
  }

  /**
   * Publishes bridge/info when its content changed. `unreadable`: resources held back (gate.ts),
   * those missing a right with the right to grant. `extra`: more blocks (presence).
   */
  async publishInfo(
    api: FreeboxApi,
    box: BoxSnapshot,
    unreadable: { missing_rights: readonly object[]; absent: readonly object[] } = {
      missing_rights: [],
      absent: [],
    },
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const { config, version } = this.o;
    const permissions = await api.permissions();
    const info = {
      version,
      box: {
        model: box.apiVersion?.box_model ?? null,
        model_name: box.apiVersion?.box_model_name ?? null,
        firmware: box.system?.firmware_version ?? null,
        api_version: box.apiVersion?.api_version ?? null,
      },
      api_version_in_use: api.apiMajor ?? null,
      permissions: {
        settings: permissions.settings === true,
        granted: Object.keys(permissions).filter((k) => permissions[k]),
      },
      missing_rights: unreadable.missing_rights,
      not_on_this_box: unreadable.absent,
      poll_intervals_s: {
        status: config.poll.statusInterval,
        config: config.poll.configInterval,
        leases: config.poll.leasesInterval,
      },
      discovery: config.ha.discovery,
      ...extra,
    };
    const payload = JSON.stringify(info);
    if (payload === this.infoPayload) return;
    this.infoPayload = payload;
    await this.o.mqtt.publish(`${this.base}/bridge/info`, payload, retained);
  }

  /**
   * One heartbeat: published (not retained) and written to DATA_DIR/health.json. Skipped on MQTT
   * while disconnected: a queue of stale heartbeats flushed at the reconnect tells nobody anything.
   */
  async heartbeat(): Promise<void> {
    const snapshot = this.health.snapshot({
      mqttConnected: this.o.mqtt.connected,
      boxAvailable: this.available === true,
      heartbeatMs: this.o.heartbeatMs,
    });
    const json = JSON.stringify(snapshot);
    if (this.o.mqtt.connected) void this.o.mqtt.publish(`${this.base}/bridge/health`, json, { qos: 0 });
    await writeHealthFile(this.o.config.dataDir, json).catch((error: Error) =>
      this.o.logger.warn(`cannot write the heartbeat file: ${error.message}`),
    );
  }

  private publishAvailability(): void {
    const payload = this.available ? "online" : "offline";
    void this.o.mqtt.publish(`${this.base}/box/availability`, payload, retained);
  }
}

const retained = { retain: true, qos: 1 } as const;
