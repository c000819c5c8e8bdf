// The table of the resources the bridge polls, publishes and changes: one declarative entry each
// (./resources/<area>.ts, shape in ./resources/def.ts). The poller (groups, reads, reconciliation),
// the state builder, the publisher's discovery inputs, own-topics and the command router iterate
// it; adding a resource is a typed endpoint in freebox/ and an entry here (README "Adding a resource").
import { calls } from "./resources/calls.js";
import { connection, connectionConfig, ipv6 } from "./resources/connection.js";
import { ddnsDyndns, ddnsNoip, ddnsOvh } from "./resources/ddns.js";
import type { PollGroup, ResourceDef } from "./resources/def.js";
import { dhcpConfig, dynamicLeases, staticLeases } from "./resources/dhcp.js";
import { lcd } from "./resources/lcd.js";
import { ftth, xdsl } from "./resources/line.js";
import { storage } from "./resources/storage.js";
import { system } from "./resources/system.js";
import { wifi } from "./resources/wifi.js";

export type { PollGroup, ResourceDef } from "./resources/def.js";

/**
 * In reading order within each group: `system` first in its group (the box id of every entity),
 * the line data after `connection`. Also the order of the states in snapshots, of the entities
 * these entries build, and of the command topics in an unknown_command suggestion.
 */
export const RESOURCES = [
  connection,
  xdsl,
  ftth,
  system,
  connectionConfig,
  ipv6,
  ddnsOvh,
  ddnsDyndns,
  ddnsNoip,
  dhcpConfig,
  wifi,
  calls,
  storage,
  lcd,
  staticLeases,
  dynamicLeases,
] as const;

type Entry = (typeof RESOURCES)[number];

export type ResourceId = Entry["id"];

/** What the poller keeps for each resource: the value its entry's `read` resolves to. */
export type ResourceValues = {
  [E in Entry as E["id"]]?: Awaited<ReturnType<E["read"]>>;
};

/** The table with each entry's types erased, to iterate it. */
export const RESOURCE_DEFS: readonly ResourceDef[] = RESOURCES;

const BY_ID = new Map(RESOURCE_DEFS.map((r) => [r.id, r]));

/** The entry of a resource (its id, group, topic, reader, state and entity builders, routes). */
export const resourceDef = (id: ResourceId): ResourceDef => {
  const def = BY_ID.get(id);
  if (!def) throw new Error(`unknown resource ${id}`);
  return def;
};

/** The resources a poll group reads, in order; line data is read by media (ResourceDef `media`). */
export const groupResources = (group: PollGroup): ResourceId[] =>
  RESOURCES.filter((r) => r.group === group && r.media === undefined).map((r) => r.id);
