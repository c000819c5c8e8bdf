// Shared pieces of the bridge integration tests (bridge-*.test.ts): the whole stack on loopback,
// a fibre box by default, and helpers that read what a user sees on the broker.
import { expect } from "vitest";
import type { Received } from "./mqtt-helpers.js";
import { sleep, until } from "./mqtt-helpers.js";
import { BASE, type Stack, type StackOptions, startStack } from "./stack.js";

export const PREFIX = "homeassistant";

/** Every state topic of a fibre box (README "State topics"), connection/xdsl excepted. */
export const FIBRE_STATE_TOPICS = [
  "connection",
  "connection/config",
  "connection/ipv6",
  "connection/ftth",
  "connection/ddns/ovh",
  "connection/ddns/dyndns",
  "connection/ddns/noip",
  "dhcp/config",
  "dhcp/static_leases",
  "dhcp/dynamic_leases",
  "system",
].map((t) => `${BASE}/${t}`);

/** Starts the stack with short bridge timings, and waits for the first full picture. */
export async function startBridge(options: StackOptions = {}): Promise<Stack> {
  const stack = await startStack({
    ...options,
    app: { bridge: { birthDelayMs: { min: 50, max: 100 }, heartbeatMs: 200 }, ...options.app },
  });
  await settled(stack);
  return stack;
}

/** Waits until every poll group ran once and the bridge went quiet (no new message for `quietMs`). */
export async function settled(stack: Stack, quietMs = 300): Promise<void> {
  await stack.waitFor(`${BASE}/box/availability`, (p) => p === "online");
  await stack.waitFor(`${BASE}/system`);
  await stack.waitFor(`${BASE}/dhcp/static_leases`);
  await quiet(stack, quietMs);
}

/** Waits until no message other than the heartbeat arrived for `quietMs`. */
export async function quiet(stack: Stack, quietMs = 300, timeoutMs = 8000): Promise<void> {
  const start = Date.now();
  let count = -1;
  while (count !== meaningful(stack.watch.messages).length) {
    if (Date.now() - start > timeoutMs) throw new Error("the bridge never went quiet");
    count = meaningful(stack.watch.messages).length;
    await sleep(quietMs);
  }
}

/** Messages a user would count as publications: the heartbeat (bridge/health) excluded. */
export function meaningful(messages: Received[]): Received[] {
  return messages.filter((m) => m.topic !== `${BASE}/bridge/health`);
}

/** Messages seen from index `from` on, heartbeat excluded. */
export function since(stack: Stack, from: number): Received[] {
  return meaningful(stack.watch.messages.slice(from));
}

/** Retained messages as a topic → payload map (a new subscriber's view of the broker). */
export async function retainedMap(stack: Stack, filter = "#"): Promise<Map<string, string>> {
  const all = await stack.retained(filter);
  return new Map(all.map((m) => [m.topic, m.payload]));
}

/** The retained discovery config topics of one component for the box. */
export function configTopics(retained: Map<string, string>, component?: string): string[] {
  return [...retained.keys()].filter(
    (t) => t.startsWith(`${PREFIX}/`) && (component === undefined || t.startsWith(`${PREFIX}/${component}/`)),
  );
}

export const parse = <T = Record<string, unknown>>(payload: string | undefined): T => {
  expect(payload, "a JSON payload").toBeDefined();
  return JSON.parse(payload ?? "null") as T;
};

/** The box id of the simulated box (its MAC, lowercase hex without separators). */
export const boxIdOf = (stack: Stack): string => stack.sim.state.system.mac.toLowerCase().replace(/:/g, "");

/** `aa:bb:…` → `aabb…`. */
export const macKey = (mac: string): string => mac.toLowerCase().replace(/[:-]/g, "");

/** A host's device_tracker config (`host_<mac12>`; a static lease's tracker is its host's). */
export const leaseConfigTopic = (stack: Stack, mac: string): string =>
  `${PREFIX}/device_tracker/freebox_${boxIdOf(stack)}/host_${macKey(mac)}/config`;

export const leaseStateTopic = (mac: string): string => `${BASE}/dhcp/static_leases/${macKey(mac)}`;

/** `<base>/lan/hosts/<mac12>`: a LAN host's state, read by its device_tracker. */
export const hostStateTopic = (mac: string): string => `${BASE}/lan/hosts/${macKey(mac)}`;

/** Waits until the broker's retained view satisfies `check`. */
export async function untilRetained(
  stack: Stack,
  check: (retained: Map<string, string>) => boolean,
  what: string,
  timeoutMs = 8000,
): Promise<Map<string, string>> {
  let last = new Map<string, string>();
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    last = await retainedMap(stack);
    if (check(last)) return last;
    await sleep(100);
  }
  throw new Error(`timed out waiting for the broker to retain ${what}`);
}

/** Requests made to the simulator since index `from` whose path matches. */
export function requestsSince(stack: Stack, from: number, path?: RegExp) {
  return stack.sim.requests.slice(from).filter((r) => path === undefined || path.test(r.path));
}

export { until };
