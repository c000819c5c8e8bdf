// Wi-Fi, call log, storage and display data of the simulated boxes, in the shapes real boxes send
// (shared/reference/freebox-api-extras.md, from Home Assistant's test captures). The fibre box (a
// Delta) has two disks in a RAID 1 array, the xDSL box (a Revolution) one internal disk and no RAID
// support; both have a display, without the LED strip of a Freebox Ultra unless asked for.
import type { CallEntry, LcdConfig, RaidArray, StorageDisk } from "../freebox/types-home.js";
import type { Rng } from "./rng.js";
import type { SimMedia } from "./types.js";

export interface SimStorage {
  disks: StorageDisk[];
  raids: RaidArray[];
  /** false: storage/raid/ answers internal_error (Revolution, Pop). */
  raidSupported: boolean;
}

export interface HomeOptions {
  /** Disks at all (default true); false: storage/disk/ has no result. */
  disks?: boolean;
  /** The display's LED strip of a Freebox Ultra (default false). */
  ledStrip?: boolean;
  /** A display at all (default true); false: lcd/config/ answers no_panel. */
  display?: boolean;
}

export const LED_ANIMATIONS = ["organic", "static", "breathing", "rain", "trail", "wave"];

const TB = 1_000_000_000_000;

/** `path` is the mount point in base64 (freebox-api-extras.md). */
const path64 = (label: string): string => Buffer.from(`/Disque dur/${label}`).toString("base64");

function disk(id: number, type: string, rng: Rng, extra: Partial<StorageDisk>): StorageDisk {
  return {
    id,
    type,
    state: "enabled",
    connector: id,
    model: type === "raid" ? "" : "ST2000LM015-2E8174",
    serial: type === "raid" ? "" : `ZDZ${rng.int(10000, 99999)}`,
    firmware: type === "raid" ? "" : "SDM1",
    temp: type === "raid" || type === "usb" ? 0 : rng.int(33, 41),
    spinning: true,
    idle: false,
    total_bytes: 2 * TB,
    table_type: "gpt",
    read_requests: rng.int(1e5, 1e6),
    write_requests: rng.int(1e5, 1e6),
    read_error_requests: 0,
    write_error_requests: 0,
    time_before_spindown: 600,
    partitions: [],
    ...extra,
  };
}

function partition(id: number, diskId: number, label: string, total: number, used: number) {
  return {
    id,
    disk_id: diskId,
    label,
    fstype: "ext4",
    state: "mounted",
    total_bytes: total,
    used_bytes: used,
    free_bytes: total - used,
    internal: false,
    fsck_result: "no_run_yet",
    path: path64(label),
  };
}

/** RAID member disks read "disabled" and hold a zero-sized `raid` partition. */
function member(id: number, rng: Rng): StorageDisk {
  return disk(id, "sata", rng, {
    state: "disabled",
    partitions: [
      {
        id: id * 10 + 1,
        disk_id: id,
        label: "",
        fstype: "raid",
        state: "umounted",
        total_bytes: 0,
        used_bytes: 0,
        free_bytes: 0,
      },
    ],
  });
}

export function storageModel(media: SimMedia, rng: Rng, options: HomeOptions): SimStorage {
  if (options.disks === false) return { disks: [], raids: [], raidSupported: media === "ftth" };
  if (media === "xdsl") {
    const total = 250_000_000_000;
    const internal = disk(0, "internal", rng, { total_bytes: total, model: "ST250LT012-9WS14C" });
    internal.partitions = [partition(1000, 0, "Disque dur", total, rng.int(20, 180) * 1_000_000_000)];
    return { disks: [internal], raids: [], raidSupported: false };
  }
  const used = rng.int(100, 1500) * 1_000_000_000;
  const array = disk(2000, "raid", rng, {
    table_type: "superfloppy",
    partitions: [partition(2001, 2000, "Stockage", 2 * TB, used)],
  });
  const raid: RaidArray = {
    id: 0,
    name: "md0",
    level: "raid1",
    degraded: false,
    state: "running",
    sysfs_state: "clean",
    sync_action: "idle",
    sync_completed_pos: 0,
    sync_completed_percent: 0,
    raid_disks: 2,
    array_size: 2 * TB,
    disk_id: 2000,
    members: [0, 1].map((id) => ({
      id,
      role: "active",
      active_device: id,
      device_location: `sata-internal-p${id}`,
      disk: {
        model: "ST2000LM015-2E8174",
        serial: `ZDZ${rng.int(10000, 99999)}`,
        temp: rng.int(33, 41),
        firmware: "SDM1",
      },
    })),
    uuid: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
  };
  return { disks: [member(0, rng), member(1, rng), array], raids: [raid], raidSupported: true };
}

/** A short call log, newest first: two new missed calls, an older read one, and others. */
export function callLog(rng: Rng, now: number): CallEntry[] {
  const number = () => `09${rng.int(10_000_000, 99_999_999)}`;
  const entry = (id: number, type: string, ageS: number, isNew: boolean, name?: string): CallEntry => {
    const n = number();
    return {
      number: n,
      type,
      id,
      duration: type === "missed" ? 0 : rng.int(10, 900),
      datetime: now - ageS,
      contact_id: 0,
      line_id: 0,
      name: name ?? n,
      new: isNew,
    };
  };
  return [
    entry(96, "missed", 600, true, "Jean Dupont"),
    entry(95, "missed", 3_600, true),
    entry(94, "accepted", 7_200, false),
    entry(93, "outgoing", 86_400, false, "Marie"),
    entry(92, "missed", 2 * 86_400, false),
  ];
}

export function lcdModel(options: HomeOptions): LcdConfig | null {
  if (options.display === false) return null;
  const lcd: LcdConfig = {
    brightness: 100,
    orientation: 0,
    orientation_forced: true,
    hide_wifi_key: false,
    hide_status_led: false,
  };
  if (options.ledStrip === true) {
    lcd.led_strip_enabled = true;
    lcd.led_strip_brightness = 70;
    lcd.led_strip_animation = "static";
    lcd.available_led_strip_animations = [...LED_ANIMATIONS];
  }
  return lcd;
}
