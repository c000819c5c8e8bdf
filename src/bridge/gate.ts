// Resources this box will not let us read: a right the app lacks (`insufficient_rights`,
// freebox-os-essentials §5), or a thing the box does not have (lcd/config/ answering `no_panel`).
// Such a resource publishes nothing and has no entities, is said once in the log, is listed in
// `<base>/bridge/info`, and is read again now and then (and at a refresh request), so that it
// comes back by itself once the right is granted.
import { FreeboxError } from "../freebox/errors.js";
import type { Logger } from "../logger.js";
import { type ResourceId, resourceDef } from "./resources.js";

export type Unreadable = { kind: "right"; right: string } | { kind: "absent"; code: string };

export interface GateOptions {
  logger: Logger;
  /** Read again after this long without the right (default 10 min: one extra login each time). */
  rightRetryMs?: number;
  /** Read again after this long on a box without the thing (default 1 h: firmware updates add some). */
  absentRetryMs?: number;
  now?: () => number;
}

/** Why a read failure means "not on this box / not for this app", or undefined for a plain failure. */
export function unreadable(resource: ResourceId, error: unknown): Unreadable | undefined {
  if (!(error instanceof FreeboxError)) return undefined;
  if (error.code === "insufficient_rights") return { kind: "right", right: error.missingRight ?? "settings" };
  if (resourceDef(resource).absentOn?.includes(error.code)) return { kind: "absent", code: error.code };
  return undefined;
}

const GRANT_HOW = "Freebox OS: Paramètres de la Freebox → Gestion des accès → Applications → freebox2mqtt";

export class ResourceGate {
  private readonly held = new Map<ResourceId, { why: Unreadable; retryAt: number }>();

  constructor(private readonly o: GateOptions) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Whether to read the resource in this poll: not held, or its retry time came. */
  due(resource: ResourceId): boolean {
    const entry = this.held.get(resource);
    return entry === undefined || this.now() >= entry.retryAt;
  }

  /** Resources held now (reconciliation counts them as known: they have no entities). */
  settled(): ReadonlySet<ResourceId> {
    return new Set(this.held.keys());
  }

  /**
   * Holds a resource the box refused; true the first time (the caller then drops its state and
   * entities), when it is said in the log.
   */
  hold(resource: ResourceId, why: Unreadable): boolean {
    const first = !this.held.has(resource);
    const wait =
      why.kind === "right" ? (this.o.rightRetryMs ?? 600_000) : (this.o.absentRetryMs ?? 3_600_000);
    this.held.set(resource, { why, retryAt: this.now() + wait });
    if (first) {
      const minutes = Math.round(wait / 60_000);
      if (why.kind === "right") {
        this.o.logger.warn(
          `${resource}: freebox2mqtt lacks the "${why.right}" right, so ${resource} is not published; grant it in ${GRANT_HOW} (checked again every ${minutes} min and at each refresh request)`,
        );
      } else {
        this.o.logger.info(
          `${resource}: not on this box (the box answers ${why.code}); checked again every ${minutes} min`,
        );
      }
    }
    return first;
  }

  /** A successful read: a held resource is back. */
  release(resource: ResourceId): void {
    if (this.held.delete(resource)) this.o.logger.info(`${resource}: readable again, published`);
  }

  /** A refresh request: read every held resource at the next poll. */
  retryAll(): void {
    for (const entry of this.held.values()) entry.retryAt = 0;
  }

  /** For `<base>/bridge/info`: each resource missing a right, with the right to grant. */
  missingRights(baseTopic: string): Array<{ resource: ResourceId; topic: string; right: string }> {
    return [...this.held.entries()].flatMap(([resource, { why }]) =>
      why.kind === "right"
        ? [{ resource, topic: `${baseTopic}/${resourceDef(resource).topic}`, right: why.right }]
        : [],
    );
  }

  /** For `<base>/bridge/info`: resources this box does not have, with the box's code. */
  absent(): Array<{ resource: ResourceId; code: string }> {
    return [...this.held.entries()].flatMap(([resource, { why }]) =>
      why.kind === "absent" ? [{ resource, code: why.code }] : [],
    );
  }
}
