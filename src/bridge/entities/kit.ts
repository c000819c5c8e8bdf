// Shared pieces of the entity table: the context, value templates and entity constructors.
//
// Templates never fail (README "Home Assistant entities": an absent field makes its entity `unknown`, never a
// template error). In HA, reading an attribute of an undefined value raises, and rendering or
// testing the truth of one logs a warning, so every template first checks with Jinja tests that
// never touch an undefined value (`is mapping`, `is number`, `is string`, `is boolean`, Jinja `and`
// short-circuits), then renders `None` otherwise: HA turns the payload "None" into `unknown` for
// sensors, binary sensors, switches, numbers (payload_reset) and device trackers (payload_reset)
// (HA core mqtt PAYLOAD_NONE, PR #65183 and #117813). Text entities are the exception (below).
import type { EntityDescriptor, EntityOptions } from "../../mqtt/discovery.js";
import { type ResourceId, resourceDef } from "../resources.js";

export interface BoxSensorRef {
  id: string;
  name?: string;
}

export interface StaticLeaseRef {
  mac: string;
  hostname?: string;
  comment?: string;
}

export interface TrackedHostRef {
  /** mac12. */
  mac: string;
  /** Its device's name. */
  name: string;
}

/** What decides which entities exist on this box right now (see entitiesFor). */
export interface EntityContext {
  baseTopic: string;
  /** Box MAC, lowercase hex without separators. */
  boxId: string;
  /** Line media: "xdsl" or "ftth" bring their entities; anything else brings neither. */
  media?: string;
  /** FTTH `sfp_has_power_report`: the SFP optical power sensors exist only with it. */
  sfpPowerReport: boolean;
  sensors: readonly BoxSensorRef[];
  fans: readonly BoxSensorRef[];
  staticLeases: readonly StaticLeaseRef[];
  /** LAN hosts with a device tracker (presence.ts), sorted by MAC; static leases included. */
  hosts: readonly TrackedHostRef[];
  /** DynDNS providers the box answers for (`ovh`, `dyndns`, `noip`). */
  ddnsProviders: readonly string[];
  /**
   * What the entities of each table resource need from its answer (ResourceDef `ref`), for the
   * resources the box answers for; a missing right or no display leaves its key out.
   */
  refs: Readonly<Record<string, unknown>>;
}

/** Full state topic of a resource. */
export const stateTopic = (ctx: EntityContext, resource: ResourceId): string =>
  `${ctx.baseTopic}/${resourceDef(resource).topic}`;

// ---------------------------------------------------------------------------------------------
// Templates

const at = (path: readonly string[]): string => ["value_json", ...path].join(".");

/** Condition true when `value_json.<path>` passes `test`, every parent being a mapping. */
export function has(path: readonly string[], test: "number" | "string" | "boolean" | "mapping"): string {
  const parents = path.slice(0, -1).map((_, i) => `${at(path.slice(0, i + 1))} is mapping`);
  return ["value_json is mapping", ...parents, `${at(path)} is ${test}`].join(" and ");
}

/**
 * Condition true when `expr` is a JSON array. `is defined` comes first: Jinja's `sequence` test is
 * true for an undefined value (it has __len__ and __getitem__), and iterating one logs a warning.
 */
export function isList(expr: string): string {
  return `${expr} is defined and ${expr} is sequence and ${expr} is not string and ${expr} is not mapping`;
}

/** A number field, optionally divided (API units kept otherwise). */
export function numberTpl(path: readonly string[], divisor?: number): string {
  return `{{ ${scaled(path, divisor)} if ${has(path, "number")} else None }}`;
}

const scaled = (path: readonly string[], divisor?: number): string =>
  divisor ? `(${at(path)} / ${divisor})` : at(path);

/** `preferred / divisor` when present, else `fallback` (xDSL `snr_10` in dB/10 over `snr` in dB). */
export function preferTpl(
  preferred: readonly string[],
  divisor: number,
  fallback: readonly string[],
): string {
  return (
    `{{ ${scaled(preferred, divisor)} if ${has(preferred, "number")}` +
    ` else (${at(fallback)} if ${has(fallback, "number")} else None) }}`
  );
}

export function stringTpl(path: readonly string[]): string {
  return `{{ ${at(path)} if ${has(path, "string")} else None }}`;
}

/** Boolean field → ON/OFF, the default payloads of binary sensors and switches. */
export function boolTpl(path: readonly string[]): string {
  return `{{ ('ON' if ${at(path)} else 'OFF') if ${has(path, "boolean")} else None }}`;
}

/**
 * Text entities: HA's text platform has no "None" handling (the literal "None" would show) and its
 * state must satisfy min/max/pattern or HA raises ValueError, so a missing value renders as "".
 */
export function textTpl(path: readonly string[]): string {
  return `{{ ${at(path)} if ${has(path, "string")} else '' }}`;
}

// ---------------------------------------------------------------------------------------------
// Constructors (HA platform required keys: sensor/binary_sensor state_topic; switch, number, text,
// button command_topic; shared/reference/ha-mqtt-discovery.md "Platforms")

/** Options of a constructor besides its state topic and value template. */
export type ExtraOptions = Omit<EntityOptions, "state_topic" | "value_template">;
type Extra = ExtraOptions;

export function sensor(key: string, name: string, topic: string, template: string, o: Extra = {}) {
  return {
    key,
    component: "sensor",
    name,
    state_topic: topic,
    value_template: template,
    ...o,
  } satisfies EntityDescriptor;
}

export function binarySensor(key: string, name: string, topic: string, template: string, o: Extra = {}) {
  const component = "binary_sensor";
  return {
    key,
    component,
    name,
    state_topic: topic,
    value_template: template,
    ...o,
  } satisfies EntityDescriptor;
}

/**
 * A switch on a boolean field; HA publishes `ON`/`OFF` (its defaults) raw on
 * `<setTopic>/<field>`, which the command router accepts (README "Commands").
 */
export function switchFor(key: string, name: string, topic: string, field: string, setTopic: string) {
  return {
    key,
    component: "switch",
    name,
    entity_category: "config",
    state_topic: topic,
    value_template: boolTpl([field]),
    command_topic: `${setTopic}/${field}`,
  } satisfies EntityDescriptor;
}

/** A text entity on a string field, its raw value published on `<setTopic>/<field>`. */
export function textFor(
  key: string,
  name: string,
  topic: string,
  field: string,
  setTopic: string,
  o: Extra = {},
) {
  return {
    key,
    component: "text",
    name,
    entity_category: "config",
    state_topic: topic,
    value_template: textTpl([field]),
    command_topic: `${setTopic}/${field}`,
    ...o,
  } satisfies EntityDescriptor;
}

// Dotted-quad IPv4 or empty (the empty state of a missing field must match too: TextEntity.state
// checks its own value against the pattern). Invalid input is refused by HA before it is sent.
const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
export const IPV4_OR_EMPTY = `^$|^(${OCTET}\\.){3}${OCTET}$`;
