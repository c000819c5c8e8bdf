// The "did you mean" of an unknown_command answer (README "Commands": an unknown
// topic is answered naming the nearest valid topic where there is one). Topics are compared level
// by level, so that a misspelt verb (`SET`, `sett`), a missing `<mac>` level or a wrong area each
// count as one mistake, whatever the length of the levels around them.

/** A `<name>` level of a command pattern: any one topic level (a MAC, a provider, a field). */
export const isPlaceholder = (part: string): boolean => part.startsWith("<");

/** Longer topics get no suggestion: comparing them costs more than it helps. */
const MAX_COMPARED_CHARS = 256;

/** Levenshtein distance between two short strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const replace = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, replace));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** 0 when a level matches the pattern's level, up to 1 when nothing of it does. */
function levelCost(level: string, part: string): number {
  if (isPlaceholder(part)) return 0;
  const longest = Math.max(level.length, part.length);
  return longest === 0 ? 0 : editDistance(level, part) / longest;
}

/**
 * Mistakes between a topic and a pattern, level by level: a wrong level costs up to 1, a level too
 * many or missing costs 1, a missing `<name>` level only ½ (forgetting the MAC is the usual slip).
 */
function topicCost(levels: string[], parts: string[]): number {
  let previous = [0];
  for (let j = 1; j <= parts.length; j++) {
    previous.push((previous[j - 1] ?? 0) + (isPlaceholder(parts[j - 1] ?? "") ? 0.5 : 1));
  }
  for (let i = 1; i <= levels.length; i++) {
    const row = [i];
    for (let j = 1; j <= parts.length; j++) {
      const part = parts[j - 1] ?? "";
      const missing = isPlaceholder(part) ? 0.5 : 1;
      row.push(
        Math.min(
          (previous[j] ?? 0) + 1,
          (row[j - 1] ?? 0) + missing,
          (previous[j - 1] ?? 0) + levelCost(levels[i - 1] ?? "", part),
        ),
      );
    }
    previous = row;
  }
  return previous[parts.length] ?? 0;
}

/**
 * The command topic (below the base) nearest to `relative`, or undefined when none is close: at
 * most one mistake for every two levels of the topic. `<name>` levels are filled with the user's own level when the
 * topic has as many levels as the pattern (`dhcp/static_leases/AA:…/sett` → `…/AA:…/set`).
 */
export function nearestTopic(relative: string, patterns: readonly string[]): string | undefined {
  if (relative.length > MAX_COMPARED_CHARS) return undefined;
  const original = relative.split("/");
  const levels = original.map((level) => level.toLowerCase());
  let best: { pattern: string; cost: number } | undefined;
  for (const pattern of patterns) {
    const cost = topicCost(levels, pattern.split("/"));
    if (best === undefined || cost < best.cost) best = { pattern, cost };
  }
  if (best === undefined || best.cost > levels.length / 2) return undefined;
  const parts = best.pattern.split("/");
  if (parts.length !== original.length) return best.pattern;
  return parts.map((part, i) => (isPlaceholder(part) ? (original[i] ?? part) : part)).join("/");
}
