// Types of Wi-Fi, call log, storage and display objects, after the shapes real boxes send
// (shared/reference/freebox-api-extras.md, from Home Assistant's captures and the Freebox OS
// documentation). Same habits as types.ts: unknown keys kept, enums open.
import type { Extra } from "./types.js";

/** `GET wifi/config/`: the global Wi-Fi state. */
export interface WifiConfig extends Extra {
  enabled: boolean;
  /** `disabled`, `whitelist` or `blacklist`. */
  mac_filter_state?: string;
}

/** Writable fields of `PUT wifi/config/` that the bridge offers. */
export interface WifiConfigUpdate {
  enabled?: boolean;
}

/** One entry of `GET call/log/` (right `calls`), newest first. */
export interface CallEntry extends Extra {
  id: number;
  type: "missed" | "accepted" | "outgoing" | string;
  number: string;
  /** The network's caller name, else a contact's name, else the number. */
  name?: string;
  /** Unix seconds. */
  datetime: number;
  duration?: number;
  new: boolean;
  contact_id?: number;
  line_id?: number;
}

export interface StoragePartition extends Extra {
  id: number;
  disk_id: number;
  label?: string;
  fstype?: string;
  state?: string;
  total_bytes?: number;
  used_bytes?: number;
  free_bytes?: number;
}

/** One entry of `GET storage/disk/`; a RAID array shows up as a disk of type `raid`. */
export interface StorageDisk extends Extra {
  id: number;
  type?: string;
  state?: string;
  model?: string;
  serial?: string;
  /** °C; 0 where the disk cannot report it (USB disks, a RAID array's own entry). */
  temp?: number;
  total_bytes?: number;
  partitions?: StoragePartition[];
}

/** One entry of `GET storage/raid/` (not in the public doc; shape from a Delta capture). */
export interface RaidArray extends Extra {
  id: number;
  name?: string;
  level?: string;
  degraded: boolean;
  state?: string;
  disk_id?: number;
  members?: Extra[];
}

/** `GET lcd/config/`: display, plus the LED strip fields of a Freebox Ultra. */
export interface LcdConfig extends Extra {
  brightness: number;
  orientation?: number;
  orientation_forced?: boolean;
  hide_wifi_key?: boolean;
  hide_status_led?: boolean;
  led_strip_enabled?: boolean;
  led_strip_brightness?: number;
  led_strip_animation?: string;
  available_led_strip_animations?: string[];
}

/** Writable fields of `PUT lcd/config/` that the bridge offers (README). */
export interface LcdConfigUpdate {
  brightness?: number;
  led_strip_enabled?: boolean;
  led_strip_brightness?: number;
  led_strip_animation?: string;
}
