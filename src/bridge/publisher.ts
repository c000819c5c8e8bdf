// Publishes what the bridge knows: retained states (only when their content changed) and Home
// Assistant discovery configs (only when changed; removed with an EMPTY RETAINED payload when an
// entity stops existing, including configs a previous run left on the broker).
import { DDNS_PROVIDERS } from "../freebox/types.js";
import { buildDiscovery, discoveryTopicFilter, removalsFor } from "../mqtt/discovery.js";
import type { MqttLink } from "../mqtt/link.js";
import { topicMatches } from "../mqtt/topics.js";
import { buildEntityContext, deviceInfo, entitiesFor } from "./entities.js";
import type { BoxSnapshot, DdnsState } from "./poller.js";
import { type ResourceId, resourceInfo } from "./resources.js";
import { StateCache, stateMessages } from "./state.js";

export interface PublisherOptions {
  mqtt: MqttLink;
  baseTopic: string;
  discovery: boolean;
  prefix: string;
  boxUrl: string;
  version: string;
}

export class Publisher {
  private readonly states = new StateCache();
  /** Config topic → payload we published (this run). */
  private readonly configs = new Map<string, string>();
  /** Non-empty config topics the broker holds for this box (retained, seen on the subscription). */
  private readonly held = new Set<string>();
  private filter: string | undefined;

  constructor(private readonly o: PublisherOptions) {}

  /** Discovery subscription filter once the box id is known (reconciliation of retained configs). */
  discoveryFilter(boxId: string): string {
    this.filter = discoveryTopicFilter(this.o.prefix, boxId);
    return this.filter;
  }

  /** A message seen on the discovery filter: remember what the broker holds. */
  noteRetainedConfig(topic: string, payload: Buffer): boolean {
    if (!this.filter || !topicMatches(this.filter, topic)) return false;
    if (payload.length === 0) this.held.delete(topic);
    else this.held.add(topic);
    return true;
  }

  /** Publishes the states of a resource whose content changed; `force` re-sends them anyway. */
  publishState(resource: ResourceId, box: BoxSnapshot, force = false): void {
    const raw = box[resource];
    if (raw === undefined) return;
    const messages = isDdns(raw)
      ? stateMessages(this.o.baseTopic, resource, raw.config, { ddnsStatus: raw.status })
      : stateMessages(this.o.baseTopic, resource, raw);
    for (const m of messages) {
      if (force) this.states.delete(m.topic);
      const payload = this.states.changed(m.topic, m.value);
      if (payload !== null) void this.o.mqtt.publish(m.topic, payload, { retain: true, qos: 1 });
    }
    if (resource === "static_leases") {
      for (const topic of this.states.staleLeaseTopics(this.o.baseTopic, messages)) this.clear(topic);
    }
  }

  /** Clears the retained state of a resource that no longer exists on this box (xDSL after a move to fibre). */
  clearState(resource: ResourceId): void {
    const topic = `${this.o.baseTopic}/${resourceInfo(resource).topic}`;
    if (this.states.get(topic) !== undefined) this.clear(topic);
  }

  /** Re-sends every state (after a reconnect or Home Assistant's birth). */
  republishStates(): void {
    for (const [topic, payload] of this.states.entries()) {
      void this.o.mqtt.publish(topic, payload, { retain: true, qos: 1 });
    }
  }

  /**
   * Brings the discovery configs in line with the box: new or changed configs are published,
   * configs of entities that are gone are cleared. `reconcile` also clears what an earlier run left
   * on the broker (only once every poll group has been read, so nothing valid is cleared early).
   */
  syncDiscovery(
    box: BoxSnapshot,
    media: string | undefined,
    options: { force?: boolean; reconcile?: boolean } = {},
  ): void {
    if (!this.o.discovery || !box.system) return;
    const ctx = buildEntityContext({
      baseTopic: this.o.baseTopic,
      system: box.system,
      connection: box.connection,
      ftth: box.ftth,
      staticLeases: box.static_leases ?? [],
      ddnsProviders: DDNS_PROVIDERS.filter((p) => box[`ddns_${p}`] !== undefined),
      previousMedia: media,
    });
    const messages = buildDiscovery({
      prefix: this.o.prefix,
      baseTopic: this.o.baseTopic,
      boxId: ctx.boxId,
      device: deviceInfo(box.system, box.apiVersion, this.o.boxUrl),
      origin: { name: "freebox2mqtt", sw_version: this.o.version },
      entities: entitiesFor(ctx),
    });
    const current = new Set<string>();
    for (const m of messages) {
      current.add(m.topic);
      if (!options.force && this.configs.get(m.topic) === m.payload) continue;
      this.configs.set(m.topic, m.payload);
      void this.o.mqtt.publish(m.topic, m.payload, { retain: true, qos: 1 });
    }
    const stale = removalsFor([...this.configs.keys(), ...(options.reconcile ? this.held : [])], current);
    for (const topic of stale) {
      this.configs.delete(topic);
      this.held.delete(topic);
      void this.o.mqtt.publish(topic, "", { retain: true, qos: 1 });
    }
  }

  private clear(topic: string): void {
    this.states.delete(topic);
    void this.o.mqtt.publish(topic, "", { retain: true, qos: 1 });
  }
}

const isDdns = (raw: unknown): raw is DdnsState =>
  typeof raw === "object" && raw !== null && "config" in raw && "status" in raw;
