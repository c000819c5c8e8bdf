// Home Assistant MQTT discovery, as a pure builder: generic entity descriptors and device info in,
// retained `{topic, payload}` config messages out. Knows HA, nothing of the Freebox (architecture:
// `mqtt/` never imports `freebox/`; `bridge/entities.ts` maps the box onto these descriptors).
// Rules followed (shared/reference/ha-mqtt-discovery.md, HA core mqtt/discovery.py, schemas.py):
// - per-entity discovery, topic `<prefix>/<component>/<node_id>/<object_id>/config`, ids in
//   `[a-zA-Z0-9_-]` (discovery.py TOPIC_MATCHER);
// - full option names, never abbreviations, so a payload reads like HA's documentation;
// - `default_entity_id` with its platform prefix (`object_id` stopped working in HA 2026.4);
// - `device` and `origin` hold only the keys HA's schemas accept (extra keys reject the message).

export type Component =
  | "binary_sensor"
  | "button"
  | "device_tracker"
  | "event"
  | "light"
  | "number"
  | "sensor"
  | "switch"
  | "text";

/** HA device registry block (schemas.py MQTT_ENTITY_DEVICE_INFO_SCHEMA: no other key allowed). */
export interface DeviceBlock {
  identifiers?: string[];
  connections?: Array<[string, string]>;
  name?: string;
  manufacturer?: string;
  model?: string;
  model_id?: string;
  sw_version?: string;
  hw_version?: string;
  serial_number?: string;
  configuration_url?: string;
  via_device?: string;
}

/** schemas.py MQTT_ORIGIN_INFO_SCHEMA: `name` required, nothing else than these three. */
export interface OriginBlock {
  name: string;
  sw_version?: string;
  support_url?: string;
}

/** Component options, with HA's full key names; only the ones this bridge uses. */
export interface EntityOptions {
  device_class?: string;
  unit_of_measurement?: string;
  state_class?: "measurement" | "total" | "total_increasing";
  entity_category?: "config" | "diagnostic";
  enabled_by_default?: boolean;
  icon?: string;
  suggested_display_precision?: number;
  state_topic?: string;
  value_template?: string;
  json_attributes_topic?: string;
  json_attributes_template?: string;
  command_topic?: string;
  command_template?: string;
  payload_on?: string;
  payload_off?: string;
  payload_press?: string;
  min?: number;
  max?: number;
  step?: number;
  mode?: "auto" | "box" | "slider" | "text" | "password";
  pattern?: string;
  source_type?: "router";
  // light, default schema (HA mqtt/light/schema_basic.py)
  state_value_template?: string;
  brightness_state_topic?: string;
  brightness_value_template?: string;
  brightness_command_topic?: string;
  brightness_scale?: number;
  effect_state_topic?: string;
  effect_value_template?: string;
  effect_command_topic?: string;
  effect_list?: string[];
  /** event entities: the `event_type` values the state topic may carry. */
  event_types?: string[];
}

export interface EntityDescriptor extends EntityOptions {
  /** Stable part of the unique id (`freebox_<box>_<key>`): `[a-z0-9_]`, no double underscore. */
  key: string;
  component: Component;
  /** Short name without the device name; `null` for the main entity of its device (has_entity_name). */
  name: string | null;
  /** Device of this entity when it is not the main one (a static lease's own device). */
  device?: DeviceBlock;
}

export interface DiscoveryInput {
  /** Discovery prefix, `homeassistant` by default. */
  prefix: string;
  /** Bridge base topic, for the availability topics. */
  baseTopic: string;
  /** Box id: the box MAC, lowercase hex without separators. */
  boxId: string;
  /** The main device; entities without their own `device` belong to it. */
  device: DeviceBlock;
  origin: OriginBlock;
  entities: readonly EntityDescriptor[];
}

export interface DiscoveryMessage {
  topic: string;
  /** JSON config; publish retained (an unretained config is lost when HA or the broker restarts). */
  payload: string;
}

// helpers/config_validation.py valid_entity_id applies to `<platform>.freebox_<key>`: lowercase,
// digits and single underscores, no leading or trailing underscore.
const KEY = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;

/** Node id shared by all our config topics: one per box, so two boxes never collide. */
export const nodeId = (boxId: string): string => `freebox_${boxId}`;

export function discoveryTopic(prefix: string, component: Component, boxId: string, key: string): string {
  return `${prefix}/${component}/${nodeId(boxId)}/${key}/config`;
}

/** Subscription filter matching every config topic we may have published for this box. */
export function discoveryTopicFilter(prefix: string, boxId: string): string {
  return `${prefix}/+/${nodeId(boxId)}/+/config`;
}

/**
 * Config topics published before and not produced any more (a lease removed, xDSL entities after a
 * move to fibre): clear each with an EMPTY RETAINED payload, or the broker keeps the ghost config.
 */
export function removalsFor(previousTopics: Iterable<string>, currentTopics: Iterable<string>): string[] {
  const current = new Set(currentTopics);
  return [...new Set(previousTopics)].filter((t) => !current.has(t));
}

/** One retained config message per entity, in the order given. */
export function buildDiscovery(input: DiscoveryInput): DiscoveryMessage[] {
  const availability = [
    { topic: `${input.baseTopic}/bridge/state` },
    { topic: `${input.baseTopic}/box/availability` },
  ];
  const seen = new Set<string>();
  return input.entities.map((entity) => {
    const { key, component, name, device, ...options } = entity;
    if (!KEY.test(key)) throw new Error(`entity key "${key}" is not a valid object id`);
    const id = `${component}/${key}`;
    if (seen.has(id)) throw new Error(`entity key "${key}" is used twice for ${component}`);
    seen.add(id);
    const config: Record<string, unknown> = {
      name,
      unique_id: `${nodeId(input.boxId)}_${key}`,
      default_entity_id: `${component}.freebox_${key}`,
      ...withoutUndefined(options),
      // HA marks the entity unavailable unless both say `online` (availability_mode all): the bridge
      // is connected AND the box answers.
      availability,
      availability_mode: "all",
      device: withoutUndefined(device ?? input.device),
      origin: withoutUndefined(input.origin),
    };
    return {
      topic: discoveryTopic(input.prefix, component, input.boxId, key),
      payload: JSON.stringify(config),
    };
  });
}

// HA validates device/origin strings with cv.string: `null` is refused, so unknown values are left out.
function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}
