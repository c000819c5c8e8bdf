// Reads the box through the resource table (resources.ts: each entry's `read`, its poll group) and
// keeps the latest answers. Media-aware (freebox-os-essentials §8): connection/xdsl/ means nothing on a fibre line and
// connection/ftth/ nothing on xDSL, so each is read only on its own media.
import type { FreeboxApi } from "../freebox/api.js";
import type { ApiVersionInfo } from "../freebox/types.js";
import type { TrackedHostRef } from "./entities/kit.js";
import { RESOURCES, type ResourceId, type ResourceValues, resourceDef } from "./resources.js";

export type { DdnsState } from "./resources/ddns.js";
export type { StorageState } from "./resources/storage.js";

/** The latest answer of the box for each resource (keys are the resource ids), and two extras. */
export interface BoxSnapshot extends ResourceValues {
  apiVersion?: ApiVersionInfo;
  /** LAN hosts with a device tracker (presence.ts), not a box answer: kept here for discovery. */
  lan_hosts?: readonly TrackedHostRef[];
}

/** Resources the set of entities depends on, besides the line data of the media (ResourceDef `shapesEntities`). */
const ENTITY_SOURCES: readonly ResourceId[] = RESOURCES.filter((r) => r.shapesEntities === true).map(
  (r) => r.id,
);

/**
 * The snapshot, fed by reads that may overlap: a group poll and the refresh after a command can
 * read the same resource at once. The answer of the read that STARTED last wins: a poll that asked
 * before a command changed the box and got its answer after the command's refresh would otherwise
 * publish the old value again (a deleted lease back for a whole poll interval).
 */
export class BoxReader {
  readonly box: BoxSnapshot = {};
  /** Resources read successfully at least once. */
  readonly known = new Set<ResourceId>();
  private seq = 0;
  private readonly applied = new Map<ResourceId, number>();

  constructor(private readonly api: FreeboxApi) {}

  /** Reads `resource`; false when a newer read already landed (this answer is then dropped). */
  async read(resource: ResourceId): Promise<boolean> {
    const ticket = ++this.seq;
    // One read per resource. Calls run one after the other: one keep-alive connection serves a poll.
    const value = await resourceDef(resource).read(this.api, this.box[resource]);
    if ((this.applied.get(resource) ?? 0) > ticket) return false;
    this.applied.set(resource, ticket);
    (this.box as Record<ResourceId, unknown>)[resource] = value;
    this.known.add(resource);
    return true;
  }

  /**
   * Whether every resource the set of entities depends on was read this run: the line media known
   * (not a 4G backup since the start) and its data (the SFP power entities), each DynDNS provider,
   * the static leases. Until then a config missing from the entities may only be unknown yet, so
   * reconciliation, which clears what an earlier run left, must wait: nothing valid is ever cleared.
   */
  entitiesKnown(media: string | undefined, settled: ReadonlySet<ResourceId> = new Set()): boolean {
    if (media !== "xdsl" && media !== "ftth") return false;
    // `settled`: resources known to be unreadable on this box (a missing right, no display).
    return [media as ResourceId, ...ENTITY_SOURCES].every((r) => this.known.has(r) || settled.has(r));
  }

  /** Forgets a resource that no longer exists on this box (the other line media). */
  forget(resource: ResourceId): void {
    delete this.box[resource];
    this.known.delete(resource);
  }
}
