// The declarative table Freebox → Home Assistant entities (README "Home Assistant
// entities"), split by area in ./entities/. Pure: `entitiesFor` lists the entities that exist on
// this box now; mqtt/discovery.ts turns them into config messages.

import type { ApiVersionInfo, SystemInfo } from "../freebox/types.js";
import type { DeviceBlock, EntityDescriptor } from "../mqtt/discovery.js";
import { connectionEntities } from "./entities/connection.js";
import { ddnsEntities } from "./entities/ddns.js";
import { dhcpEntities } from "./entities/dhcp.js";
import { macColon, macKey } from "./entities/ids.js";
import type { BoxSensorRef, EntityContext, StaticLeaseRef, TrackedHostRef } from "./entities/kit.js";
import { ftthEntities, xdslEntities } from "./entities/line.js";
import { presenceEntities } from "./entities/presence.js";
import { systemEntities } from "./entities/system.js";
import { RESOURCE_DEFS, type ResourceId } from "./resources.js";

export { LEASE_ATTRIBUTE_LIMIT } from "./entities/dhcp.js";
export { idKey, macColon, macKey } from "./entities/ids.js";
export type { BoxSensorRef, EntityContext, StaticLeaseRef, TrackedHostRef } from "./entities/kit.js";

/**
 * Every entity applicable to the box described by `ctx`, main device entities first: the areas of
 * the box's own device, then those of each table resource the box answers for (its entry's
 * `entities`, in table order). The areas are named here because each spans several answers and
 * the context's media, sensors, leases and LAN hosts rather than one resource's `ref`.
 */
export function entitiesFor(ctx: EntityContext): EntityDescriptor[] {
  const out = [
    ...connectionEntities(ctx),
    ...(ctx.media === "xdsl" ? xdslEntities(ctx) : []),
    ...(ctx.media === "ftth" ? ftthEntities(ctx) : []),
    ...ddnsEntities(ctx),
    ...dhcpEntities(ctx),
    ...presenceEntities(ctx),
    ...systemEntities(ctx),
  ];
  for (const def of RESOURCE_DEFS) {
    const ref = ctx.refs[def.id];
    if (def.entities && ref !== undefined) out.push(...def.entities(ctx, ref));
  }
  return out;
}

/** The box id `<box>`: its MAC lowercase without separators (`GET system/` `mac`). */
export function boxIdOf(system: Pick<SystemInfo, "mac">): string {
  const id = macKey(system.mac);
  if (id === undefined) throw new Error(`the box MAC "${String(system.mac)}" is not a MAC address`);
  return id;
}

/**
 * The line media whose entities exist: `xdsl` or `ftth`. While the box runs on its 4G backup
 * (`media: backup_4g`, essentials §8) the line's entities are kept (removing them would delete
 * their history and settings in HA), so any other value falls back to the previous line media.
 */
export function lineMedia(current: string | undefined, previous?: string): string | undefined {
  return current === "xdsl" || current === "ftth" ? current : previous;
}

export interface EntityContextInput {
  baseTopic: string;
  system: Pick<SystemInfo, "mac" | "sensors" | "fans">;
  connection?: { media?: string };
  ftth?: { sfp_has_power_report?: boolean };
  staticLeases?: readonly StaticLeaseRef[];
  hosts?: readonly TrackedHostRef[];
  ddnsProviders?: readonly string[];
  /** The line media of the previous context (see lineMedia). */
  previousMedia?: string;
  /** The latest answers (BoxSnapshot): each table resource with a `ref` gives its entities' needs. */
  answers?: Readonly<Partial<Record<ResourceId, unknown>>>;
}

/** The entity context from the latest polled data. */
export function buildEntityContext(input: EntityContextInput): EntityContext {
  const refs = (list: unknown): BoxSensorRef[] =>
    Array.isArray(list)
      ? list.flatMap((s: { id?: unknown; name?: unknown }) =>
          typeof s?.id === "string"
            ? [{ id: s.id, name: typeof s.name === "string" ? s.name : undefined }]
            : [],
        )
      : [];
  return {
    baseTopic: input.baseTopic,
    boxId: boxIdOf(input.system),
    media: lineMedia(input.connection?.media, input.previousMedia),
    sfpPowerReport: input.ftth?.sfp_has_power_report === true,
    sensors: refs(input.system.sensors),
    fans: refs(input.system.fans),
    staticLeases: input.staticLeases ?? [],
    hosts: input.hosts ?? [],
    ddnsProviders: input.ddnsProviders ?? [],
    refs: resourceRefs(input.answers ?? {}),
  };
}

/** Each table resource's `ref` of its answer; none for a resource not read or unreadable. */
function resourceRefs(answers: Readonly<Partial<Record<ResourceId, unknown>>>): Record<string, unknown> {
  const refs: Record<string, unknown> = {};
  for (const def of RESOURCE_DEFS) {
    const value = answers[def.id as ResourceId];
    if (def.ref && value !== undefined) refs[def.id] = def.ref(value);
  }
  return refs;
}

/**
 * The Freebox device block: hardware identity from `GET system/` (essentials §7), model names from
 * `GET /api_version` (§2); unknown values are left out (HA refuses null strings in a device).
 */
export function deviceInfo(
  system: SystemInfo,
  apiVersion: Partial<ApiVersionInfo> | undefined,
  boxUrl: string,
): DeviceBlock {
  const id = boxIdOf(system);
  const str = (...values: unknown[]): string | undefined =>
    values.find((v): v is string => typeof v === "string" && v.trim() !== "");
  return {
    identifiers: [`freebox_${id}`],
    connections: [["mac", macColon(id)]],
    name: str(apiVersion?.device_name, system.model_info?.pretty_name) ?? "Freebox",
    manufacturer: "Free",
    model: str(apiVersion?.box_model_name, system.model_info?.pretty_name),
    model_id: str(apiVersion?.box_model, system.model_info?.name),
    sw_version: str(system.firmware_version),
    hw_version: str(system.board_name),
    serial_number: str(system.serial),
    configuration_url: boxUrl,
  };
}
