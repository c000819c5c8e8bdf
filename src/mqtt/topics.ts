// Pure topic helpers shared by the bridge, the command router and the connection. No I/O.
// References: MQTT 3.1.1 §4.7 (topic names and filters) and §1.5.3 (UTF-8 strings).

/** A topic level built from user or box data must stay within this size (UTF-8 bytes). */
export const MAX_SEGMENT_BYTES = 128;

/**
 * MQTT 3.1.1 §1.5.3: a topic is a UTF-8 string with a two-byte length, so at most 65,535 bytes.
 * mqtt-packet throws on a longer one halfway through writing the packet, which corrupts the stream.
 */
export const MAX_TOPIC_BYTES = 65_535;

export const fitsTopicLimit = (topic: string): boolean =>
  // Every UTF-16 unit takes at most 3 UTF-8 bytes: short topics need no count.
  topic.length * 3 <= MAX_TOPIC_BYTES || Buffer.byteLength(topic, "utf8") <= MAX_TOPIC_BYTES;

/**
 * Whether `topic` (a topic name, no wildcards) matches `filter` (MQTT 3.1.1 §4.7.1):
 * `+` matches exactly one level, possibly empty; `#` (last level only) matches the parent level and
 * any number of children (`a/#` matches `a`). Topics starting with `$` are not matched by a filter
 * whose first level is a wildcard (§4.7.2), so `#` never catches `$SYS/…`.
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  if (topic.startsWith("$") && (f[0] === "+" || f[0] === "#")) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === "#") return i === f.length - 1;
    if (i >= t.length) return false;
    if (level !== "+" && level !== t[i]) return false;
  }
  return f.length === t.length;
}

// C0 and C1 control characters: MQTT 3.1.1 §1.5.3 forbids U+0000 and says senders SHOULD NOT use
// U+0001..U+001F and U+007F..U+009F; brokers may drop the connection on them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Unpaired surrogates cannot be encoded as UTF-8 (§1.5.3: the broker closes the connection).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether `s` may be used as one topic level taken from outside (a MAC address, a DynDNS provider,
 * a box sensor id): not empty, no wildcard (`+`, `#`, forbidden in topic names by §4.7.1), no `/`
 * (it would add a level), no control character or unpaired surrogate, at most 128 UTF-8 bytes.
 */
export function isSafeTopicSegment(s: string): boolean {
  if (s.length === 0) return false;
  if (s.includes("+") || s.includes("#") || s.includes("/")) return false;
  if (CONTROL.test(s) || LONE_SURROGATE.test(s)) return false;
  return Buffer.byteLength(s, "utf8") <= MAX_SEGMENT_BYTES;
}

/** `topic` without the leading `<base>/`, or null when `topic` is not below `base`. */
export function stripBase(base: string, topic: string): string | null {
  const prefix = `${base}/`;
  if (!topic.startsWith(prefix) || topic.length === prefix.length) return null;
  return topic.slice(prefix.length);
}

/**
 * Where the answer to a command goes (README "Commands"):
 * `<base>/bridge/response/<command topic without "<base>/">`. A topic outside `base` (never
 * produced by our own subscriptions) is appended whole rather than throwing, because a command
 * must never crash the bridge.
 */
export function responseTopic(base: string, commandTopic: string): string {
  return `${base}/bridge/response/${stripBase(base, commandTopic) ?? commandTopic}`;
}
