// The lease rows kept from one answer to the next (src/bridge/lease-rows.ts) must never give a
// stale message: whatever the sequence of answers, the messages built with the kept rows are those
// built afresh, byte for byte, and a lease the box stops listing is forgotten.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LeaseRows } from "../../src/bridge/lease-rows.js";
import {
  dynamicLeaseStates,
  messagePayload,
  type StateMessage,
  staticLeaseStates,
} from "../../src/bridge/state.js";
import { ftthBox } from "../fixtures/box-ftth.js";

/** The rows as state.ts built them before rows were kept, to hold the bytes to. */
function reference(raw: unknown, fields: readonly string[]): string {
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const out: Array<Record<string, unknown>> = [];
  for (const lease of Array.isArray(raw) ? raw : []) {
    if (!isRecord(lease)) continue;
    const host = isRecord(lease.host) ? lease.host : {};
    const row: Record<string, unknown> = {};
    for (const f of fields) row[f] = lease[f] ?? null;
    row.name = host.primary_name ?? null;
    row.vendor = host.vendor_name ?? null;
    row.host_type = host.host_type ?? null;
    out.push(row);
  }
  const key = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : "");
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  out.sort((a, b) => cmp(key(a.mac), key(b.mac)) || cmp(key(a.ip), key(b.ip)));
  return JSON.stringify(out);
}

const nth = <T>(list: readonly T[], i: number): T => {
  const item = list[i];
  if (item === undefined) throw new Error(`no item ${i}`);
  return item;
};

const texts = (messages: readonly StateMessage[]) => messages.map((m) => [m.topic, messagePayload(m)]);
/** A fresh copy, as every answer of the box is a new parse. */
const answer = (leases: unknown): unknown => JSON.parse(JSON.stringify(leases));
const leases = (): Array<Record<string, unknown> & { host: Record<string, unknown> }> =>
  answer(ftthBox.staticLeases) as Array<Record<string, unknown> & { host: Record<string, unknown> }>;

describe("lease rows kept between answers", () => {
  it("republishes a lease whose lasting field or host name changed, and the list with it", () => {
    const rows = new LeaseRows();
    staticLeaseStates("fbx", leases(), rows);
    const renamed = leases();
    nth(renamed, 0).hostname = "Renamed";
    nth(renamed, 1).host.primary_name = "Printer";
    const got = texts(staticLeaseStates("fbx", renamed, rows));
    expect(got).toEqual(texts(staticLeaseStates("fbx", renamed)));
    expect(got.find(([t]) => t === "fbx/dhcp/static_leases/00deadb00b55")?.[1]).toContain(
      '"hostname":"Renamed"',
    );
    expect(got[0]?.[1]).toContain('"name":"Printer"');
  });

  it("gives the very same rows for an unchanged answer in any order, and says so", () => {
    const rows = new LeaseRows();
    const first = texts(staticLeaseStates("fbx", leases(), rows));
    expect(rows.unchanged).toBe(false);
    expect(texts(staticLeaseStates("fbx", leases(), rows))).toEqual(first);
    expect(rows.unchanged).toBe(true);
    expect(texts(staticLeaseStates("fbx", leases().reverse(), rows))).toEqual(first);
    expect(rows.unchanged).toBe(true);
    const moved = leases();
    nth(moved, 0).ip = "192.168.1.250";
    staticLeaseStates("fbx", moved, rows);
    expect(rows.unchanged).toBe(false);
  });

  it("builds the per-lease topics under the base topic asked for", () => {
    const rows = new LeaseRows();
    staticLeaseStates("fbx", leases(), rows);
    const other = texts(staticLeaseStates("other", leases(), rows));
    expect(other).toEqual(texts(staticLeaseStates("other", leases())));
    expect(other.every(([t]) => t?.startsWith("other/"))).toBe(true);
  });

  it("forgets a lease the box no longer lists", () => {
    const rows = new LeaseRows();
    staticLeaseStates("fbx", leases(), rows);
    expect(rows.size).toBe(3);
    const got = texts(staticLeaseStates("fbx", leases().slice(1), rows));
    expect(got.map(([t]) => t)).not.toContain("fbx/dhcp/static_leases/00deadb00b55");
    expect(rows.size).toBe(2);
    staticLeaseStates("fbx", [], rows);
    expect(rows.size).toBe(0);
  });

  // Leases drawn from a small pool, so that answers share MACs and values with the previous ones:
  // MACs in two cases, duplicates, missing fields, a field holding an object.
  const value = fc.constantFrom<unknown>(undefined, null, "", "a", "B", 1, { x: 1 }, ["y"]);
  const lease = fc.record(
    {
      mac: fc.constantFrom<unknown>(
        "00:DE:AD:B0:0B:55",
        "00:de:ad:b0:0b:55",
        "00:DE:AD:B0:0B:69",
        "bad",
        undefined,
      ),
      id: value,
      ip: fc.constantFrom<unknown>("192.168.1.2", "192.168.1.10", "192.168.1.9", undefined),
      comment: value,
      hostname: value,
      is_static: value,
      assign_time: value,
      host: fc.oneof(
        fc.record({ primary_name: value, vendor_name: value, host_type: value }, { requiredKeys: [] }),
        fc.constantFrom<unknown>(undefined, "not a host"),
      ),
    },
    { requiredKeys: [] },
  );
  const answers = fc.array(fc.array(fc.oneof(lease, fc.constant<unknown>(null)), { maxLength: 6 }), {
    minLength: 1,
    maxLength: 8,
  });

  it("gives, for any sequence of answers, the messages built afresh", () => {
    fc.assert(
      fc.property(answers, (seq) => {
        const fixed = new LeaseRows();
        const dynamic = new LeaseRows();
        for (const list of seq) {
          expect(texts(staticLeaseStates("fbx", answer(list), fixed))).toEqual(
            texts(staticLeaseStates("fbx", answer(list))),
          );
          expect(texts(dynamicLeaseStates("fbx", answer(list), dynamic))).toEqual(
            texts(dynamicLeaseStates("fbx", answer(list))),
          );
          expect(messagePayload(nth(staticLeaseStates("fbx", answer(list), fixed), 0))).toBe(
            reference(answer(list), ["id", "mac", "ip", "comment", "hostname"]),
          );
          expect(messagePayload(nth(dynamicLeaseStates("fbx", answer(list), dynamic), 0))).toBe(
            reference(answer(list), ["mac", "ip", "hostname", "is_static", "assign_time"]),
          );
          // Only the MACs of the last answer are kept.
          const macs = new Set(
            (answer(list) as Array<{ mac?: unknown } | null>).flatMap((l) => (l ? [l.mac] : [])),
          );
          expect(fixed.size).toBe(macs.size);
        }
      }),
    );
  });
});
