// Identifiers derived from hardware identity (HA: a unique_id must never come from a user-visible
// name). The box id and lease keys are MAC addresses, lowercase hex without separators
// (README "Topics": `34:27:92:60:0B:9E` → `342792600b9e`); the box sends MACs in varying case
// (freebox-os-essentials §8), so every comparison goes through these helpers.

/** `aa:bb:cc:dd:ee:ff` in any case or separator style → `aabbccddeeff`; undefined when not a MAC. */
export function macKey(mac: unknown): string | undefined {
  if (typeof mac !== "string") return undefined;
  const hex = mac.toLowerCase().replace(/[:\-.]/g, "");
  return /^[0-9a-f]{12}$/.test(hex) ? hex : undefined;
}

/** `aabbccddeeff` → `aa:bb:cc:dd:ee:ff`, the form HA's device registry uses for mac connections. */
export function macColon(key: string): string {
  return key.replace(/(..)(?!$)/g, "$1:");
}

/**
 * A box sensor or fan id (`temp_cpum`, `cpu_ap`, `t1`, …; freebox-os-essentials §7) as part of an
 * entity key: lowercase, `[a-z0-9]` runs joined by single underscores, because the key ends up in
 * `default_entity_id` (HA valid_entity_id). Undefined when nothing usable is left.
 */
export function idKey(id: unknown): string | undefined {
  if (typeof id !== "string") return undefined;
  const parts = id
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return parts.length > 0 ? parts.join("_") : undefined;
}
