// `GET system/` in both of its shapes (freebox-os-essentials §7): v6+ boxes send `sensors[]` and
// `fans[]` of `{id, name, value}`; v5 and earlier send flat `temp_*` and `fan_rpm` fields. Both
// become the same arrays; the raw keys stay on the object (unknown keys are never dropped).
import { FreeboxError } from "./errors.js";
import type { SystemInfo, SystemSensor } from "./types.js";

// Names of the flat v5 fields (Revolution and older); ids stay the raw keys so that they do not
// change if the same box later answers in the v6 shape with the same ids (Revolution `temp_cpum`).
const FLAT_NAMES: Record<string, string> = {
  temp_cpum: "CPU M",
  temp_cpub: "CPU B",
  temp_sw: "Switch",
  temp_hdd: "Disk",
  fan_rpm: "Fan",
};

function flatName(key: string): string {
  const known = FLAT_NAMES[key];
  if (known) return known;
  const cpu = /^temp_cpu(\d+)$/.exec(key);
  if (cpu) return `CPU ${cpu[1]}`;
  return key.replace(/^temp_/, "").replace(/_/g, " ");
}

/** Entries of a v6 `sensors`/`fans` array; entries without an id are dropped, `value` may be absent. */
function entries(raw: unknown): SystemSensor[] {
  if (!Array.isArray(raw)) return [];
  const out: SystemSensor[] = [];
  for (const item of raw) {
    if (typeof item !== "object" || item === null) continue;
    const record = item as Record<string, unknown>;
    if (typeof record.id !== "string" || record.id === "") continue;
    const { value, ...rest } = record;
    out.push({
      ...rest,
      id: record.id,
      name: typeof record.name === "string" ? record.name : record.id,
      ...(typeof value === "number" && Number.isFinite(value) ? { value } : {}),
    });
  }
  return out;
}

/** Normalizes either shape; throws `bad_response` when the result is not an object. */
export function normalizeSystem(raw: unknown): SystemInfo {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new FreeboxError("bad_response", "GET system/: the box sent no system object");
  }
  const record = raw as Record<string, unknown>;
  const hasArrays = Array.isArray(record.sensors) || Array.isArray(record.fans);
  let sensors: SystemSensor[];
  let fans: SystemSensor[];
  if (hasArrays) {
    sensors = entries(record.sensors);
    fans = entries(record.fans);
  } else {
    sensors = [];
    fans = [];
    for (const [key, value] of Object.entries(record)) {
      if (typeof value !== "number" || !Number.isFinite(value)) continue;
      if (key.startsWith("temp_")) sensors.push({ id: key, name: flatName(key), value });
      else if (/^fan\d*_rpm$/.test(key)) fans.push({ id: key, name: flatName(key), value });
    }
  }
  // Identity fields are strings in every known shape; an absent one becomes "" rather than a
  // crash downstream (the bridge treats "" as unknown).
  const text = (key: string) => (typeof record[key] === "string" ? (record[key] as string) : "");
  return {
    ...record,
    firmware_version: text("firmware_version"),
    mac: text("mac"),
    serial: text("serial"),
    sensors,
    fans,
  };
}
