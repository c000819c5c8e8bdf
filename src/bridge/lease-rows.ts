// The rows of a lease list (static or dynamic, README "State topics"), with each row's payload
// text, sort keys and per-lease topic kept from one answer to the next. Why: at 1,000 leases,
// building, sorting and stringifying every row, then looking each fresh topic string up in the
// StateCache, was most of the bridge's state work per poll, while a lease's lasting fields rarely
// change. A row is reused only when every value it is built from is `===` the one it was built
// from last time (a fresh object never is, so anything but a primitive is always rebuilt), and an
// entry goes as soon as an answer no longer lists its lease: the memory is bounded by the box's list.

import { isRecord, type Json } from "../json.js";
import type { StateMessage } from "./state.js";

/** One lease's row and what publishing it needs. Never changed once built: a new answer makes a new entry. */
interface Entry {
  /** The values the row was built from: `fields`, then the host's name, vendor and type. */
  readonly values: readonly unknown[];
  readonly row: Json;
  /** JSON.stringify(row). */
  readonly text: string;
  /** Sort keys: MAC then IP, lowercase ("" when not a string). */
  readonly mac: string;
  readonly ip: string;
  /** The per-lease topic and the base topic it was built under (static leases). */
  topic?: { base: string; topic: string | undefined };
  /** The MAC it is kept under (the lease's `mac`, as the box sent it). */
  readonly key: unknown;
}

export interface LeaseList {
  /** The rows, sorted by MAC then IP. */
  readonly rows: readonly Json[];
  /** Each row's payload text, in `rows` order. */
  readonly texts: readonly string[];
  /** The list's payload text: JSON.stringify(rows), built from `texts`. */
  readonly text: string;
  /** Each row's entry, for its per-lease topic (topicOf). */
  readonly entries: readonly Entry[];
  /** The state messages made of this list under `base` (state.ts), kept with it: shared, not to change. */
  messages?: { base: string; messages: readonly StateMessage[] };
}

export class LeaseRows {
  /** The entries of the last answer by MAC (the last one for a MAC listed twice). */
  private byMac = new Map<unknown, Entry>();
  private fields: readonly string[] | undefined;
  private last: LeaseList | undefined;
  /** The entries of the last answer in the box's order (before sorting). */
  private order: readonly Entry[] = [];
  /** Whether the last read gave the very rows of the read before it, in the same order. */
  unchanged = false;

  /** How many leases are kept: one per MAC of the last answer. */
  get size(): number {
    return this.byMac.size;
  }

  /**
   * The rows of `raw` with `fields` and the host's name, vendor and type (null when absent),
   * sorted by MAC then IP: the box's order may vary, and an unchanged set must give the same text.
   */
  read(raw: unknown, fields: readonly string[]): LeaseList {
    if (fields !== this.fields) {
      this.byMac.clear();
      this.fields = fields;
      this.last = undefined;
      this.order = [];
    }
    const entries: Entry[] = [];
    let sameOrder = true;
    for (const lease of Array.isArray(raw) ? raw : []) {
      if (!isRecord(lease)) continue;
      // A box lists its leases in the same order from one answer to the next: the entry at the
      // same place last time is tried first, the MAC's entry (a lease moved) next.
      const before = this.order[entries.length];
      let entry: Entry;
      if (before && before.key === lease.mac && builtFrom(before.values, lease, fields)) entry = before;
      else {
        const known = this.byMac.get(lease.mac);
        entry =
          known && builtFrom(known.values, lease, fields)
            ? known
            : build(lease.mac, fields, valuesOf(lease, fields));
      }
      sameOrder &&= entry === before;
      entries.push(entry);
    }
    sameOrder &&= entries.length === this.order.length;
    // Only the MACs of this answer are kept: leases the box no longer lists go.
    if (!sameOrder) this.byMac = new Map(entries.map((e) => [e.key, e]));
    const last = this.last;
    // The same entries in the same order sort as they did last time: neither the sort nor the
    // texts are redone.
    this.order = entries;
    const sorted = sameOrder && last ? last.entries : [...entries].sort(byMacThenIp);
    this.unchanged = last !== undefined && sameEntries(last.entries, sorted);
    if (this.unchanged && last) return last;
    const texts = sorted.map((e) => e.text);
    // What JSON.stringify of the list gives: its rows' texts joined.
    this.last = { rows: sorted.map((e) => e.row), texts, text: `[${texts.join(",")}]`, entries: sorted };
    return this.last;
  }
}

/** The per-lease topic of an entry, built once per base topic by `make`. */
export function topicOf(
  entry: LeaseList["entries"][number],
  base: string,
  make: (row: Json) => string | undefined,
): string | undefined {
  if (entry.topic?.base !== base) entry.topic = { base, topic: make(entry.row) };
  return entry.topic.topic;
}

function build(key: unknown, fields: readonly string[], values: readonly unknown[]): Entry {
  const row: Json = {};
  fields.forEach((f, i) => {
    row[f] = values[i];
  });
  row.name = values[fields.length];
  row.vendor = values[fields.length + 1];
  row.host_type = values[fields.length + 2];
  return { values, row, text: JSON.stringify(row), mac: sortKey(row.mac), ip: sortKey(row.ip), key };
}

/** What a lease's row is built from: `fields`, then its host's name, vendor and type (null when absent). */
function valuesOf(lease: Json, fields: readonly string[]): unknown[] {
  const host = isRecord(lease.host) ? lease.host : {};
  const values = fields.map((f) => lease[f] ?? null);
  values.push(host.primary_name ?? null, host.vendor_name ?? null, host.host_type ?? null);
  return values;
}

/** Whether valuesOf(lease) would give `values`, each `===` (without building them: the common case). */
function builtFrom(values: readonly unknown[], lease: Json, fields: readonly string[]): boolean {
  for (let i = 0; i < fields.length; i++)
    if (values[i] !== (lease[fields[i] as string] ?? null)) return false;
  const host = isRecord(lease.host) ? lease.host : {};
  const n = fields.length;
  return (
    values[n] === (host.primary_name ?? null) &&
    values[n + 1] === (host.vendor_name ?? null) &&
    values[n + 2] === (host.host_type ?? null)
  );
}

const sameEntries = (a: readonly Entry[], b: readonly Entry[]): boolean =>
  a.length === b.length && a.every((e, i) => e === b[i]);

const byMacThenIp = (a: Entry, b: Entry): number => compare(a.mac, b.mac) || compare(a.ip, b.ip);

const sortKey = (v: unknown): string => (typeof v === "string" ? v.toLowerCase() : "");
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
