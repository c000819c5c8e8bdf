// Disks, partitions and RAID arrays: `GET storage/disk/` and `GET storage/raid/` on one topic
// (shared/reference/freebox-api-extras.md "Storage"). No commands.
import type { RaidArray, StorageDisk } from "../../freebox/types-home.js";
import { type StorageRefs, storageEntities, storageRefs } from "../entities/storage.js";
import { storageState } from "../state-home.js";
import type { ResourceDef } from "./def.js";

/** `GET storage/disk/` and `GET storage/raid/` (raids null: a box without RAID support). */
export interface StorageState {
  disks: StorageDisk[];
  raids: RaidArray[] | null;
}

export const storage: ResourceDef<"storage", StorageState, StorageRefs> = {
  id: "storage",
  group: "config",
  topic: "storage",
  shapesEntities: true,
  // Both answers feed one topic.
  read: async (api) => ({ disks: await api.listDisks(), raids: await api.listRaidArrays() }),
  state: (raw) => storageState(raw),
  ref: (value) => storageRefs(value),
  entities: (ctx, refs) => storageEntities(ctx, refs),
};
