// State payloads of the Wi-Fi, call log, storage and display resources (README "State
// topics": `<base>/wifi/config`, `<base>/calls`, `<base>/storage`, `<base>/lcd/config`). Fields
// after shared/reference/freebox-api-extras.md; same rules as state.ts (documented fields present,
// null when missing, unknown keys kept). Each is the `state` of its entry in ./resources/.

import { isRecord, type Json } from "../json.js";
import { listOf, shape } from "./state.js";

const WIFI = ["enabled", "mac_filter_state"];
const CALL = ["id", "type", "datetime", "number", "name", "duration", "new", "contact_id", "line_id"];
const DISK = [
  "id",
  "type",
  "state",
  "connector",
  "model",
  "serial",
  "firmware",
  "temp",
  "spinning",
  "idle",
  "total_bytes",
  "table_type",
];
const PARTITION = [
  "id",
  "disk_id",
  "label",
  "fstype",
  "state",
  "total_bytes",
  "used_bytes",
  "free_bytes",
  "internal",
];
const RAID = [
  "id",
  "name",
  "level",
  "degraded",
  "state",
  "sync_action",
  "sync_completed_percent",
  "raid_disks",
  "array_size",
  "disk_id",
  "members",
  "uuid",
];
// Every field but brightness/orientation is optional (doc); the LED strip's fields (Freebox Ultra)
// pass through as the box's own keys, present only where the box has a strip.
const LCD = ["brightness", "orientation", "orientation_forced", "hide_wifi_key", "hide_status_led"];

/** Calls listed on the `<base>/calls` topic: the latest ones, not a whole year of log. */
export const CALLS_LISTED = 10;

const records = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isRecord) : []);

export function wifiState(raw: unknown): Json {
  return shape(raw, WIFI);
}

export function lcdState(raw: unknown): Json {
  return shape(raw, LCD);
}

/**
 * `missed_new`: missed calls not yet marked read, as Home Assistant's Freebox integration counts
 * them (`type` missed and `new`); `missed` and `latest`: the newest missed calls and the newest
 * calls of any type, each with `time` (ISO 8601) beside the box's unix `datetime`.
 */
export function callsState(raw: unknown): Json {
  // The box sends the newest first; sorting keeps that true whatever the order it used. Only the
  // listed calls are shaped: a call log holds hundreds of calls, read at every config poll.
  const calls = records(raw).sort((a, b) => num(b.datetime) - num(a.datetime));
  const missed = calls.filter((c) => c.type === "missed");
  return {
    missed_new: missed.filter((c) => c.new === true).length,
    missed: missed.slice(0, CALLS_LISTED).map(listedCall),
    latest: calls.slice(0, CALLS_LISTED).map(listedCall),
  };
}

/** A call as listed: its fields, and `time` (ISO 8601) beside the box's unix `datetime`. */
function listedCall(c: Json): Json {
  const call = shape(c, CALL);
  const at = typeof c.datetime === "number" ? new Date(c.datetime * 1000) : undefined;
  call.time = at && !Number.isNaN(at.getTime()) ? at.toISOString() : null;
  return call;
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * Disks without their partitions, the partitions of every disk in one list (each names its
 * `disk_id`), and the RAID arrays: `null` on a box without RAID support.
 */
export function storageState(raw: unknown): Json {
  const src = isRecord(raw) ? raw : {};
  const disks = records(src.disks);
  return {
    disks: disks.map((d) => {
      const disk = shape(d, DISK);
      delete disk.partitions;
      return disk;
    }),
    partitions: disks.flatMap((d) => listOf(PARTITION)(d.partitions) ?? []),
    raids: Array.isArray(src.raids) ? (listOf(RAID)(src.raids) ?? []) : null,
  };
}
