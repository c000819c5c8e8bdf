// Disks, partitions and RAID arrays (`GET storage/disk/`, `GET storage/raid/`;
// shared/reference/freebox-api-extras.md "Storage"). State `<base>/storage` (bridge/state-home.ts):
// `disks`, `partitions` and `raids` lists, each entity finding its item by its numeric id.
import type { EntityDescriptor } from "../../mqtt/discovery.js";
import { type EntityContext, isList, sensor, stateTopic } from "./kit.js";

export interface StorageRef {
  /** The box's numeric id: an integer, so it is safe in a key and a template literal. */
  id: number;
  label?: string;
}

/** Which storage entities exist: decided from the box's answers (see storageRefs). */
export interface StorageRefs {
  disks: readonly StorageRef[];
  partitions: readonly StorageRef[];
  raids: readonly StorageRef[];
}

export const NO_STORAGE: StorageRefs = { disks: [], partitions: [], raids: [] };

type Item = Record<string, unknown>;
const items = (v: unknown): Item[] =>
  Array.isArray(v) ? v.filter((x): x is Item => typeof x === "object" && x !== null) : [];
const idOf = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
const text = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;

function refs(list: Item[], keep: (item: Item) => boolean, label: (item: Item) => unknown): StorageRef[] {
  const seen = new Set<number>();
  const out: StorageRef[] = [];
  for (const item of list) {
    const id = idOf(item.id);
    if (id === undefined || seen.has(id) || !keep(item)) continue;
    seen.add(id);
    const name = text(label(item));
    out.push(name === undefined ? { id } : { id, label: name });
  }
  return out;
}

/**
 * - A temperature per disk that can report one: not USB disks nor the RAID array's own disk entry,
 *   whose `temp` is always 0 (freebox-api-extras.md). A 0 from another disk reads `unknown`.
 * - Free space per partition that has a size: not the zero-sized `raid` member partitions.
 * - A `degraded` problem sensor per RAID array; none on a box without RAID support (`raids` null).
 */
export function storageRefs(storage: { disks?: unknown; raids?: unknown } | undefined): StorageRefs {
  if (!storage) return NO_STORAGE;
  const disks = items(storage.disks);
  return {
    disks: refs(
      disks,
      (d) => d.type !== "usb" && d.type !== "raid" && typeof d.temp === "number",
      (d) => d.model,
    ),
    partitions: refs(
      disks.flatMap((d) => items(d.partitions)),
      (p) => p.fstype !== "raid" && typeof p.total_bytes === "number" && p.total_bytes > 0,
      (p) => p.label,
    ),
    raids: refs(
      items(storage.raids),
      () => true,
      (r) => r.name,
    ),
  };
}

/** `{% set x = [the item of value_json.<list> with this id] %}`; empty when absent. */
const pick = (name: string, list: string, id: number): string => {
  const path = `value_json.${list}`;
  return (
    `{% set ${name} = (${path} | select('mapping') | selectattr('id', 'eq', ${id}) | list)` +
    ` if (value_json is mapping and ${isList(path)}) else [] %}`
  );
};

/** Built while the box answers storage/disk/ (resources/storage.ts); none for a box without disks. */
export function storageEntities(ctx: EntityContext, storage: StorageRefs): EntityDescriptor[] {
  const topic = stateTopic(ctx, "storage");
  return [
    ...storage.disks.map((d) =>
      sensor(
        `disk_${d.id}_temperature`,
        `Disk ${d.id} temperature`,
        topic,
        `${pick("d", "disks", d.id)}{{ d[0].temp if (d and d[0].temp is number and d[0].temp > 0) else None }}`,
        {
          device_class: "temperature",
          unit_of_measurement: "°C",
          state_class: "measurement",
          entity_category: "diagnostic",
        },
      ),
    ),
    ...storage.partitions.map((p) => {
      const has = "p and p[0].free_bytes is number and p[0].total_bytes is number and p[0].total_bytes > 0";
      return sensor(
        `partition_${p.id}_free`,
        `Partition ${p.label ?? p.id} free space`,
        topic,
        `${pick("p", "partitions", p.id)}{{ (p[0].free_bytes * 100 / p[0].total_bytes) | round(1) if (${has}) else None }}`,
        {
          unit_of_measurement: "%",
          state_class: "measurement",
          icon: "mdi:harddisk",
          suggested_display_precision: 1,
          json_attributes_topic: topic,
          json_attributes_template:
            `${pick("p", "partitions", p.id)}{{ {'total_bytes': p[0].get('total_bytes'), 'used_bytes':` +
            ` p[0].get('used_bytes'), 'free_bytes': p[0].get('free_bytes'), 'label': p[0].get('label'),` +
            ` 'disk_id': p[0].get('disk_id')} | tojson if p else '{}' }}`,
        },
      );
    }),
    ...storage.raids.map((r) => ({
      key: `raid_${r.id}_degraded`,
      component: "binary_sensor" as const,
      name: `RAID ${r.label ?? r.id} degraded`,
      device_class: "problem",
      state_topic: topic,
      value_template: `${pick("r", "raids", r.id)}{{ ('ON' if r[0].degraded else 'OFF') if (r and r[0].degraded is boolean) else None }}`,
    })),
  ];
}
