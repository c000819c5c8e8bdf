// Identifiers derived from hardware identity (HA: a unique_id must never come from a user-visible
// name). The box id and lease keys are MAC addresses, lowercase hex without separators
// (README "Topics": `34:27:92:60:0B:9E` → `342792600b9e`); the box sends MACs in varying case
// (freebox-os-essentials §8), so every comparison goes through these helpers.

const code = (c: string): number => c.charCodeAt(0);
const COLON = code(":");
const DASH = code("-");
const DOT = code(".");
const ZERO = code("0");
const NINE = code("9");
const LOWER_A = code("a");
const LOWER_F = code("f");
const UPPER_A = code("A");
const UPPER_F = code("F");

/** `aa:bb:cc:dd:ee:ff` in any case or separator style → `aabbccddeeff`; undefined when not a MAC. */
export function macKey(mac: unknown): string | undefined {
  if (typeof mac !== "string") return undefined;
  // Called for every host and lease at every poll, and on every lease hostname (most are no MAC):
  // one pass over the characters, no regex, decides for ASCII text, which is all a box sends.
  // Other text takes the rule itself (macKeyOf: toLowerCase may map such characters anywhere).
  let key = "";
  for (let i = 0; i < mac.length; i++) {
    const c = mac.charCodeAt(i);
    if (c === COLON || c === DASH || c === DOT) continue;
    const hex = (c >= ZERO && c <= NINE) || (c >= LOWER_A && c <= LOWER_F) || (c >= UPPER_A && c <= UPPER_F);
    // `| 0x20` lowercases A-F and leaves digits and a-f as they are.
    if (hex) key += String.fromCharCode(c | 0x20);
    else if (c < 0x80) return undefined;
    else return macKeyOf(mac);
    if (key.length > 12) return undefined;
  }
  return key.length === 12 ? key : undefined;
}

/** The rule macKey follows, as written: for text that is not all ASCII. */
function macKeyOf(mac: string): string | undefined {
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
