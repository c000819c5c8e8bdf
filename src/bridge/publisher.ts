// Publishes what the bridge knows: retained states (only when their content changed) and Home
// Assistant discovery configs (only when changed; removed with an EMPTY RETAINED payload when an
// entity stops existing, including configs a previous run left on the broker).
import { createHash } from "node:crypto";
import { DDNS_PROVIDERS } from "../freebox/types.js";
import {
  buildDiscovery,
  type DeviceBlock,
  type DiscoveryMessage,
  discoveryTopicFilter,
  type EntityDescriptor,
  removalsFor,
} from "../mqtt/discovery.js";
import type { MqttLink } from "../mqtt/link.js";
import { topicMatches } from "../mqtt/topics.js";
import {
  buildEntityContext,
  deviceInfo,
  type EntityContext,
  entitiesFor,
  type StaticLeaseRef,
  type TrackedHostRef,
} from "./entities.js";
import { HOSTS_TOPIC } from "./hosts.js";
import { LeaseRows } from "./lease-rows.js";
import type { BoxSnapshot } from "./poller.js";
import { type ResourceId, resourceDef } from "./resources.js";
import {
  messagePayload,
  StateCache,
  type StateMessage,
  stateMessages,
  statePayload,
  staticLeaseTopic,
} from "./state.js";

/** held's value for a config this run published: an empty payload is never held (it clears). */
const OWN = "";

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
  /** Each resource's value its states were last built from (publishState). */
  private readonly published = new Map<ResourceId, unknown>();
  /** Each lease list's rows of its last answer, reused while unchanged (lease-rows.ts). */
  private readonly leaseRows: Partial<Record<ResourceId, LeaseRows>> = {};
  /** Config topic → digest() of the payload we published (this run). */
  private readonly configs = new Map<string, string>();
  /**
   * Non-empty configs the broker holds for this box (seen on the subscription): topic → payload,
   * or OWN for the ones this run published (their echo), whose text nothing reads.
   */
  private readonly held = new Map<string, string>();
  private filter: string | undefined;
  /** discoveryKey() and topics of the last complete sync. */
  private builtKey: string | undefined;
  private builtTopics = new Set<string>();
  /**
   * discoveryKey()'s text for the static leases and tracked hosts, its long part, with the lists it
   * was built from and their refs' values (refValues), to tell an unchanged list cheaply.
   */
  private listsKey:
    | {
        leases: readonly unknown[];
        hosts: readonly unknown[];
        leaseValues: unknown[];
        hostValues: unknown[];
        key: string;
      }
    | undefined;
  /** hasGhost()'s answer while neither `held` nor `builtTopics` changed (undefined: to compute). */
  private ghostKnown: boolean | undefined;

  constructor(private readonly o: PublisherOptions) {}

  /** Discovery subscription filter once the box id is known (reconciliation of retained configs). */
  discoveryFilter(boxId: string): string {
    this.filter = discoveryTopicFilter(this.o.prefix, boxId);
    return this.filter;
  }

  /**
   * A message seen on the discovery filter: remember what the broker holds. Undefined when `topic`
   * is not one of our config topics; else whether it may be a ghost (a config this run does not
   * publish), which a reconciliation would clear.
   */
  noteRetainedConfig(topic: string, payload: Buffer): boolean | undefined {
    if (!this.filter || !topicMatches(this.filter, topic)) return undefined;
    if (payload.length === 0) {
      this.held.delete(topic);
      this.ghostKnown = undefined;
      return false;
    }
    const text = payload.toString("utf8");
    const foreign = this.configs.get(topic) !== digest(text);
    this.held.set(topic, foreign ? text : OWN);
    this.ghostKnown = undefined;
    return foreign;
  }

  /**
   * Publishes the states of a resource whose payload text differs from the last one published on
   * its topic (the box's answers are parsed afresh at every poll: a new object may hold the same
   * values).
   */
  publishState(resource: ResourceId, box: BoxSnapshot): void {
    const value = box[resource];
    // Never read: no message, and no per-lease topic to call stale.
    if (value === undefined) return;
    // A read that kept its last value (a DynDNS provider not in use: resources/ddns.ts) gives the
    // very messages published from it: nothing to build or compare.
    if (this.published.get(resource) === value) return;
    this.published.set(resource, value);
    const rows = this.leaseRows[resource] ?? new LeaseRows();
    this.leaseRows[resource] = rows;
    const messages = resourceStates(this.o.baseTopic, resource, box, rows);
    for (const m of messages) this.publishPayload(m.topic, messagePayload(m));
    // The very rows of the last answer have its per-lease topics, none of which can be stale
    // (the last scan cleared the others): no scan of every cached topic at every leases poll.
    if (resource === "static_leases" && !rows.unchanged) {
      for (const topic of this.states.staleLeaseTopics(this.o.baseTopic, messages)) this.clear(topic);
    }
  }

  /** A retained state published when its payload text differs from the last one sent there. */
  publishValue(topic: string, value: unknown): void {
    this.publishPayload(topic, statePayload(value));
  }

  private publishPayload(topic: string, payload: string): void {
    if (this.states.changed(topic, payload))
      void this.o.mqtt.publish(topic, payload, { retain: true, qos: 1 });
  }

  /** Clears a retained state this run published (a LAN host that lost its tracker). */
  clearTopic(topic: string): void {
    if (this.states.get(topic) !== undefined) this.clear(topic);
  }

  /** Clears the retained state of a resource that no longer exists on this box (xDSL after a move to fibre). */
  clearState(resource: ResourceId): void {
    this.published.delete(resource);
    const topic = `${this.o.baseTopic}/${resourceDef(resource).topic}`;
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
   * on the broker: the caller asks for it only once every resource entities come from was read, so
   * nothing valid is ever cleared.
   */
  syncDiscovery(
    box: BoxSnapshot,
    media: string | undefined,
    options: { force?: boolean; reconcile?: boolean } = {},
  ): void {
    if (!this.o.discovery) {
      // HA_DISCOVERY=false: every config the broker holds for this box was left by an earlier run
      // with discovery on; turning discovery off removes its entities (README "Home Assistant").
      if (!options.reconcile) return;
      const ghosts = [...this.held.keys()];
      this.remove(ghosts, this.ghostStates(ghosts, []));
      return;
    }
    // Building every config was most of a poll's CPU with many leases, and the configs depend on
    // ctx and device only: unchanged, with nothing forced and no ghost to reconcile, nothing to do.
    const unforced = !options.force && !(options.reconcile && this.hasGhost());
    const basis = discoveryBasis(box, media, this.o);
    if (!basis) return;
    const { ctx, device } = basis;
    const key = discoveryKey(ctx, device, this.listsKeyOf(ctx));
    if (unforced && key === this.builtKey) return;
    this.builtKey = undefined;
    const { entities, messages } = discoveryConfigs(basis, this.o);
    const current = new Set<string>();
    for (const m of messages) {
      current.add(m.topic);
      const published = digest(m.payload);
      if (!options.force && this.configs.get(m.topic) === published) continue;
      this.configs.set(m.topic, published);
      void this.o.mqtt.publish(m.topic, m.payload, { retain: true, qos: 1 });
    }
    // Ghosts: configs the broker holds that this run never published (its own are in `configs`).
    const ghosts = options.reconcile
      ? [...this.held.keys()].filter((t) => !current.has(t) && !this.configs.has(t))
      : [];
    this.remove(
      removalsFor([...this.configs.keys(), ...ghosts], current),
      this.ghostStates(ghosts, entities),
    );
    this.builtKey = key;
    this.builtTopics = current;
    this.ghostKnown = undefined;
  }

  private listsKeyOf(ctx: EntityContext): string {
    const cached = this.listsKey;
    // The leases are a new array at every leases poll: their refs' values are compared with the
    // ones the key was built from, rather than stringified again (2% of a poll at 1,000 leases).
    if (
      cached &&
      (cached.leases === ctx.staticLeases || sameRefs(cached.leaseValues, ctx.staticLeases, LEASE_REF)) &&
      (cached.hosts === ctx.hosts || sameRefs(cached.hostValues, ctx.hosts, HOST_REF))
    ) {
      cached.leases = ctx.staticLeases;
      cached.hosts = ctx.hosts;
      return cached.key;
    }
    // The key holds what the entities read of each (the refs' fields), the values compared above.
    const key = JSON.stringify([refObjects(ctx.staticLeases, LEASE_REF), refObjects(ctx.hosts, HOST_REF)]);
    this.listsKey = {
      leases: ctx.staticLeases,
      hosts: ctx.hosts,
      leaseValues: refValues(ctx.staticLeases, LEASE_REF),
      hostValues: refValues(ctx.hosts, HOST_REF),
      key,
    };
    return key;
  }

  /** Clears configs (ours or ghosts) and the state topics only ghost configs read, with empty retained messages. */
  private remove(configs: string[], ghostStates: string[]): void {
    for (const topic of configs) {
      this.configs.delete(topic);
      this.held.delete(topic);
      this.ghostKnown = undefined;
      void this.o.mqtt.publish(topic, "", { retain: true, qos: 1 });
    }
    for (const topic of ghostStates) void this.o.mqtt.publish(topic, "", { retain: true, qos: 1 });
  }

  /** A config the broker holds for this box that the last sync did not publish. */
  private hasGhost(): boolean {
    if (this.ghostKnown === undefined) {
      this.ghostKnown = false;
      for (const topic of this.held.keys()) if (!this.builtTopics.has(topic)) this.ghostKnown = true;
    }
    return this.ghostKnown;
  }

  /**
   * State topics read only by ghost configs of an earlier run (the per-lease topic of a lease
   * deleted while the bridge was down, `connection/xdsl` after a move to fibre): cleared with them,
   * unless a current entity reads them or this run publishes them.
   */
  private ghostStates(ghosts: string[], entities: readonly EntityDescriptor[]): string[] {
    const used = new Set(entities.flatMap((e) => [e.state_topic, e.json_attributes_topic]));
    const out = new Set<string>();
    for (const topic of ghosts) {
      let config: { state_topic?: unknown; json_attributes_topic?: unknown };
      try {
        config = JSON.parse(this.held.get(topic) ?? "{}") as typeof config;
      } catch {
        continue;
      }
      for (const t of [config.state_topic, config.json_attributes_topic]) {
        if (this.isStateTopic(t) && !used.has(t) && this.states.get(t) === undefined) out.add(t);
        // A lease's tracker reads its host topic; the lease's own topic went with the lease.
        const lease = this.leaseTopicOfHost(t);
        if (lease !== undefined && this.states.get(lease) === undefined) out.add(lease);
      }
    }
    return [...out];
  }

  /** `<base>/dhcp/static_leases/<mac12>` for `<base>/lan/hosts/<mac12>`, else undefined. */
  private leaseTopicOfHost(topic: unknown): string | undefined {
    const hosts = `${this.o.baseTopic}/${HOSTS_TOPIC}/`;
    if (typeof topic !== "string" || !topic.startsWith(hosts)) return undefined;
    return staticLeaseTopic(this.o.baseTopic, topic.slice(hosts.length));
  }

  private isStateTopic(topic: unknown): topic is string {
    const base = this.o.baseTopic;
    return typeof topic === "string" && topic.startsWith(`${base}/`) && !topic.startsWith(`${base}/bridge/`);
  }

  private clear(topic: string): void {
    this.states.delete(topic);
    void this.o.mqtt.publish(topic, "", { retain: true, qos: 1 });
  }
}

/**
 * The state messages of one resource (none when the box has not answered for it). Pure but for
 * `rows`, the rows of its previous answer when it is a lease list (lease-rows.ts).
 */
export function resourceStates(
  baseTopic: string,
  resource: ResourceId,
  box: BoxSnapshot,
  rows?: LeaseRows,
): StateMessage[] {
  const value = box[resource];
  if (value === undefined) return [];
  const input = resourceDef(resource).stateInput?.(value) ?? { raw: value, ctx: {} };
  return stateMessages(baseTopic, resource, input.raw, input.ctx, rows);
}

export interface DiscoveryOptions {
  baseTopic: string;
  prefix: string;
  boxUrl: string;
  version: string;
}

/**
 * What the discovery configs depend on: the entity context and the device block, from the latest
 * answers of the box (undefined until `system/` was read: the box id comes from it).
 */
export function discoveryBasis(
  box: BoxSnapshot,
  media: string | undefined,
  o: Pick<DiscoveryOptions, "baseTopic" | "boxUrl">,
): { ctx: EntityContext; device: DeviceBlock } | undefined {
  if (!box.system) return undefined;
  const ctx = buildEntityContext({
    baseTopic: o.baseTopic,
    system: box.system,
    connection: box.connection,
    ftth: box.ftth,
    staticLeases: box.static_leases ?? [],
    hosts: box.lan_hosts ?? [],
    ddnsProviders: DDNS_PROVIDERS.filter((p) => box[`ddns_${p}`] !== undefined),
    previousMedia: media,
    answers: box,
  });
  return { ctx, device: deviceInfo(box.system, box.apiVersion, o.boxUrl) };
}

/** Every entity of the box and its retained config message. Pure. */
export function discoveryConfigs(
  basis: { ctx: EntityContext; device: DeviceBlock },
  o: DiscoveryOptions,
): { entities: EntityDescriptor[]; messages: DiscoveryMessage[] } {
  const entities = entitiesFor(basis.ctx);
  const messages = buildDiscovery({
    prefix: o.prefix,
    baseTopic: o.baseTopic,
    boxId: basis.ctx.boxId,
    device: basis.device,
    origin: { name: "freebox2mqtt", sw_version: o.version },
    entities,
  });
  return { entities, messages };
}

/** `keys` when they are every key of `T`: a field added to the ref and left out here does not compile. */
const everyKey =
  <T>() =>
  <const K extends readonly (keyof T)[]>(...keys: Exclude<keyof T, K[number]> extends never ? K : never): K =>
    keys;

// The fields of a static lease and a tracked host that the discovery key holds (listsKeyOf): all
// the entities read of them.
const LEASE_REF = everyKey<StaticLeaseRef>()("mac", "hostname", "comment");
const HOST_REF = everyKey<TrackedHostRef>()("mac", "name");

/** Each item with `keys` only (objects, not flat values: JSON turns an undefined in an array into null). */
function refObjects<T>(list: readonly T[], keys: readonly (keyof T)[]): Partial<T>[] {
  return list.map((item) => {
    const out: Partial<T> = {};
    for (const k of keys) out[k] = item[k];
    return out;
  });
}

/** The values of `keys` of each item, in one flat array. */
function refValues<T>(list: readonly T[], keys: readonly (keyof T)[]): unknown[] {
  const out: unknown[] = [];
  for (const item of list) for (const k of keys) out.push(item[k]);
  return out;
}

/**
 * Whether `list` has the values `values` holds (refValues), each `===`: a fresh object never is, so
 * anything but a primitive (which the box never sends there) only costs a rebuilt key.
 */
function sameRefs<T>(values: readonly unknown[], list: readonly T[], keys: readonly (keyof T)[]): boolean {
  if (values.length !== list.length * keys.length) return false;
  let i = 0;
  for (const item of list) for (const k of keys) if (values[i++] !== item[k]) return false;
  return true;
}

/** What the configs are built from, as text: the context (its lists as `listsKey`) and the device. */
function discoveryKey(ctx: EntityContext, device: DeviceBlock, listsKey: string): string {
  return `${JSON.stringify([{ ...ctx, staticLeases: undefined, hosts: undefined }, device])}${listsKey}`;
}

/**
 * A short stand-in for a config's text whose only use is "is it the one this run published": a
 * 28-character SHA-1 rather than the text kept in memory, for every config of every lease.
 */
function digest(text: string): string {
  return createHash("sha1").update(text).digest("base64");
}
