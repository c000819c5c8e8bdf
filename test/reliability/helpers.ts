// Shared pieces of the reliability suite: MQTT clients that survive broker restarts (persistent
// sessions, automatic reconnects), command payloads whose writes can be told apart on the box,
// and counters over the simulator's request log.
import type { TestContext } from "vitest";
import type { SimRequest, Simulator, SimulatorOptions } from "../../src/sim/index.js";
import { type Observer, observe, type Received, sleep, until } from "../integration/mqtt-helpers.js";
import { BASE, type Stack, startStack } from "../integration/stack.js";
import { startMosquitto } from "./mosquitto.js";

export interface Watcher extends Observer {
  /** Messages received after index `from` on `topic`. */
  since(from: number, topic: string): Received[];
}

/**
 * An mqtt.js client like a user's: a fixed client id with a persistent session (clean: false),
 * reconnecting on its own, so that it misses nothing the broker queued while it was away.
 */
export async function persistentClient(
  url: string,
  clientId: string,
  filters: string[] = [],
  auth: { username?: string; password?: string } = {},
): Promise<Watcher> {
  const observer = await observe(url, filters, {
    clientId,
    clean: false,
    reconnectPeriod: 100,
    connectTimeout: 2000,
    ...auth,
  });
  return {
    ...observer,
    since: (from, topic) => observer.messages.slice(from).filter((m) => m.topic === topic),
  };
}

/** A lease comment command: every write it causes carries `comment`, so writes can be counted per command. */
export function leaseComment(mac: string, n: number, tag = "c"): { topic: string; payload: string } {
  return {
    topic: `${BASE}/dhcp/static_leases/${mac}/set`,
    payload: JSON.stringify({ comment: `${tag}-${n}`, transaction: `${tag}-${n}` }),
  };
}

export const responseTopicOf = (commandTopic: string): string =>
  `${BASE}/bridge/response/${commandTopic.slice(BASE.length + 1)}`;

/** Responses received on `topic`, by transaction (every copy, to see duplicates). */
export function responsesByTransaction(messages: Received[], topic: string): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const m of messages) {
    if (m.topic !== topic) continue;
    const body = JSON.parse(m.payload) as { transaction?: unknown };
    const key = String(body.transaction);
    out.set(key, [...(out.get(key) ?? []), body]);
  }
  return out;
}

/** Writes (non-GET calls) the box received on paths matching `path`, excluding login calls. */
export function writes(sim: Simulator, path: RegExp): SimRequest[] {
  return sim.requests.filter((r) => r.method !== "GET" && !r.path.startsWith("login/") && path.test(r.path));
}

/** How many writes carried each comment value. */
export function writesPerComment(sim: Simulator): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of writes(sim, /^dhcp\/static_lease\//)) {
    const comment = (r.body as { comment?: unknown } | undefined)?.comment;
    if (typeof comment === "string") out.set(comment, (out.get(comment) ?? 0) + 1);
  }
  return out;
}

/** Requests the box received in [from, to) (Date.now() times). */
const requestsBetween = (sim: Simulator, from: number, to: number): SimRequest[] =>
  sim.requests.filter((r) => r.at >= from && r.at < to);

/** Waits for `ms` and returns the requests the box received meanwhile. */
export async function requestsDuring(sim: Simulator, ms: number): Promise<SimRequest[]> {
  const from = Date.now();
  await sleep(ms);
  return requestsBetween(sim, from, Date.now());
}

/** Waits until the latest message on `topic` in `messages` is `payload`. */
export function untilLatest(messages: Received[], topic: string, payload: string, timeoutMs = 8000) {
  return until(
    () => messages.filter((m) => m.topic === topic).at(-1)?.payload === payload,
    timeoutMs,
    `${topic} = ${payload}`,
  );
}

/** Polls an async check in real time until it holds (each check may take a while, e.g. a subscription). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 8000, what = "condition") {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Polls every second, one-second box timeout: faults show (and heal) quickly. */
export const FAST_POLLS: Record<string, string> = {
  POLL_STATUS_INTERVAL: "1",
  POLL_CONFIG_INTERVAL: "1",
  POLL_LEASES_INTERVAL: "1",
  FREEBOX_TIMEOUT: "1",
};

/** Sends a command (QoS 1, not retained) and waits for its response, matched by `transaction`. */
export async function command(
  s: { watch: { on(topic: string): Received[] }; publish(topic: string, payload: string): Promise<void> },
  topic: string,
  body: Record<string, unknown> & { transaction: string },
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  const responseTopic = responseTopicOf(topic);
  const find = () =>
    s.watch
      .on(responseTopic)
      .map((m) => JSON.parse(m.payload) as Record<string, unknown>)
      .find((r) => r.transaction === body.transaction);
  await s.publish(topic, JSON.stringify(body));
  await until(() => find() !== undefined, timeoutMs, `response to ${topic} ${body.transaction}`);
  return find() ?? {};
}

/**
 * Poll attempts seen by the box on one path: requests closer than 800 ms to the previous one are
 * the same attempt (a GET retried after 300 then 600 ms, a call replayed after a re-login), while
 * polls at the configured pace are at least the 1 s interval apart.
 */
export function attempts(requests: SimRequest[], path: string): number {
  let count = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of requests.filter((x) => x.path === path).sort((a, b) => a.at - b.at)) {
    if (r.at - last > 800) count++;
    last = r.at;
  }
  return count;
}

/** A bridge polling every second on its own mosquitto, closed when the test ends. */
export async function faultStack(ctx: TestContext, sim: SimulatorOptions = {}): Promise<Stack> {
  const broker = await startMosquitto({ persistence: false });
  const stack = await startStack({ broker, env: FAST_POLLS, sim });
  ctx.onTestFinished(async () => {
    await stack.close();
    await broker.close();
  });
  await stack.waitFor(`${BASE}/box/availability`, (p) => p === "online");
  await stack.waitFor(`${BASE}/dhcp/static_leases`);
  return stack;
}

/** True once the app has stopped by itself (it must not, whatever the box does). */
export function exitWatch(s: Stack): () => boolean {
  let exited = false;
  void s.app.done.then(() => {
    exited = true;
  });
  return () => exited;
}
