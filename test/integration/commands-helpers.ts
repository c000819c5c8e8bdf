// Shared pieces of the end-to-end command tests (commands-*.test.ts): publish a command as a user
// or Home Assistant would, wait for its answer on `<base>/bridge/response/…`, and see what reached
// the simulated box.
import { expect } from "vitest";
import type { SimRequest } from "../../src/sim/types.js";
import { until } from "./mqtt-helpers.js";
import { BASE, type Stack, startStack } from "./stack.js";

export interface Answer {
  status: "ok" | "error";
  data?: unknown;
  code?: string;
  error?: string;
  transaction?: unknown;
}

/** `<base>/bridge/response/<command topic without base/>` (README "Commands"). */
export const responseTopic = (relative: string): string => `${BASE}/bridge/response/${relative}`;

/** Every write the box received (logins and reads left out). */
export const writes = (stack: Stack): SimRequest[] =>
  stack.sim.requests.filter((r) => r.method !== "GET" && !r.path.startsWith("login/"));

export const logins = (stack: Stack): SimRequest[] =>
  stack.sim.requests.filter((r) => r.method === "POST" && r.path === "login/session/");

/**
 * Publishes `payload` on `<base>/<relative>` and resolves with the next answer on its response
 * topic (answers are counted before publishing, so an earlier one is never taken for this one).
 */
export async function command(stack: Stack, relative: string, payload: string): Promise<Answer> {
  const topic = responseTopic(relative);
  const before = stack.watch.on(topic).length;
  await stack.publish(`${BASE}/${relative}`, payload);
  await until(() => stack.watch.on(topic).length > before, 8000, `an answer on ${topic}`);
  const answer = stack.watch.on(topic)[before];
  if (!answer) throw new Error(`no answer on ${topic}`);
  expect(answer.retain).toBe(false);
  return JSON.parse(answer.payload) as Answer;
}

/** A stack whose first polls are all published, so commands can read the LAN and states exist. */
export async function readyStack(options: Parameters<typeof startStack>[0] = {}): Promise<Stack> {
  const stack = await startStack(options);
  await stack.waitFor(`${BASE}/box/availability`, (p) => p === "online");
  for (const state of ["connection/config", "connection/ipv6", "dhcp/config", "dhcp/static_leases"]) {
    await stack.waitFor(`${BASE}/${state}`);
  }
  for (const provider of ["ovh", "dyndns", "noip"])
    await stack.waitFor(`${BASE}/connection/ddns/${provider}`);
  return stack;
}

/** Waits until the JSON state on `<base>/<relative>` satisfies `check`; returns it. */
export async function stateWhere<T = Record<string, unknown>>(
  stack: Stack,
  relative: string,
  check: (state: T) => boolean,
): Promise<T> {
  const payload = await stack.waitFor(`${BASE}/${relative}`, (p) => p !== "" && check(JSON.parse(p) as T));
  return JSON.parse(payload) as T;
}
