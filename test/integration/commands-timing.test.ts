// Commands against a box that takes its time: several commands on one resource reach the box in
// the order they were published even when they overlap, a command during a session renewal is
// sent once on the new session, an unreachable box is reported, and the reboot button reboots
// the box and the bridge comes back with it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Answer,
  command,
  logins,
  readyStack,
  responseTopic,
  stateWhere,
  writes,
} from "./commands-helpers.js";
import { until } from "./mqtt-helpers.js";
import { BASE, type Stack } from "./stack.js";

/** Publishes every command at once (no waiting in between), then waits for every answer. */
async function burst(stack: Stack, relative: string, payloads: string[]): Promise<Answer[]> {
  const topic = responseTopic(relative);
  const before = stack.watch.on(topic).length;
  await Promise.all(payloads.map((p) => stack.publish(`${BASE}/${relative}`, p)));
  await until(() => stack.watch.on(topic).length >= before + payloads.length, 10_000, `answers on ${topic}`);
  return stack.watch
    .on(topic)
    .slice(before)
    .map((m) => JSON.parse(m.payload) as Answer);
}

describe("a slow box", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await readyStack();
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(() => {
    stack.sim.faults.latencyMs = 0;
    stack.sim.faults.unreachable = false;
  });

  it("receives overlapping commands on one resource in publication order, one at a time", async () => {
    stack.sim.faults.latencyMs = 60;
    const before = writes(stack).length;
    const ports = [41001, 41002, 41003, 41004, 41005];
    const answers = await burst(
      stack,
      "connection/config/set",
      ports.map((port) => JSON.stringify({ remote_access_port: port, transaction: port })),
    );
    expect(answers.map((a) => [a.status, a.transaction])).toEqual(ports.map((p) => ["ok", p]));
    const puts = writes(stack).slice(before);
    expect(puts.map((r) => r.body)).toEqual(ports.map((port) => ({ remote_access_port: port })));
    // One at a time: each PUT arrived after the previous one had been answered (latency included).
    for (let i = 1; i < puts.length; i++) {
      expect((puts[i]?.at ?? 0) - (puts[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(50);
    }
    await stateWhere(stack, "connection/config", (s) => s.remote_access_port === 41005);
    expect(stack.sim.state.config.remote_access_port).toBe(41005);
  });

  it("keeps the order across both forms of the same resource", async () => {
    stack.sim.faults.latencyMs = 40;
    const before = writes(stack).length;
    const relatives = ["connection/config/set/ping", "connection/config/set", "connection/config/set/ping"];
    const payloads = ["OFF", '{"ping":true}', "OFF"];
    const answered = (r: string) => stack.watch.on(responseTopic(r)).length;
    const ping = answered(relatives[0] ?? "");
    const object = answered(relatives[1] ?? "");
    await Promise.all(relatives.map((r, i) => stack.publish(`${BASE}/${r}`, payloads[i] ?? "")));
    // Every command answered, not only received: the next test expires the session, which must not
    // meet a write still in flight (it would be refused, then rightly sent again on the new session).
    await until(
      () => answered(relatives[0] ?? "") >= ping + 2 && answered(relatives[1] ?? "") >= object + 1,
      10_000,
      "three answers",
    );
    expect(
      writes(stack)
        .slice(before)
        .map((r) => r.body),
    ).toEqual([{ ping: false }, { ping: true }, { ping: false }]);
    await stateWhere(stack, "connection/config", (s) => s.ping === false);
  });

  it("a command after the session expired: one login, the write applied once", async () => {
    stack.sim.expireSessions();
    const loginsBefore = logins(stack).length;
    const before = writes(stack).length;
    const answer = await command(stack, "connection/config/set/wol", "ON");
    expect(answer.status).toBe("ok");
    expect(logins(stack).length - loginsBefore).toBe(1);
    const puts = writes(stack).slice(before);
    // The box refused the first attempt (403 auth_required) before doing anything; the one it
    // applied is the retry on the new session.
    expect(puts.filter((r) => r.authenticated).map((r) => r.body)).toEqual([{ wol: true }]);
    expect(puts.filter((r) => !r.authenticated)).toHaveLength(puts.length - 1);
    await stateWhere(stack, "connection/config", (s) => s.wol === true);
  });

  it("a command that arrives while polls renew the session shares their single login", async () => {
    stack.sim.faults.latencyMs = 40;
    stack.sim.expireSessions();
    const loginsBefore = logins(stack).length;
    const before = writes(stack).length;
    const requests = stack.sim.requests.length;
    // The refresh's polls meet the expired session first and start the re-login…
    const refresh = command(stack, "bridge/request/refresh", "PRESS");
    const challenge = () => stack.sim.requests.slice(requests).some((r) => r.path === "login/");
    await until(challenge, 5000, "GET login/");
    expect(logins(stack).length).toBe(loginsBefore);
    // …and the command arrives during it.
    const answer = await command(stack, "connection/config/set/wol", "OFF");
    expect(answer.status).toBe("ok");
    expect((await refresh).status).toBe("ok");
    expect(logins(stack).length - loginsBefore).toBe(1);
    // The expired session was dropped before the command came: its PUT waited for the new one and
    // went out exactly once.
    expect(
      writes(stack)
        .slice(before)
        .map((r) => [r.authenticated, r.body]),
    ).toEqual([[true, { wol: false }]]);
  });

  it("an unreachable box: commands and refresh answer an error, and work again afterwards", async () => {
    stack.sim.faults.unreachable = true;
    const answer = await command(stack, "connection/config/set/ping", "ON");
    expect(answer).toMatchObject({ status: "error", code: "unreachable" });
    expect(answer.error).toMatch(/connection\/config/);
    const refresh = await command(stack, "bridge/request/refresh", '{"transaction":"r1"}');
    expect(refresh).toMatchObject({ status: "error", code: "unreachable", transaction: "r1" });
    stack.sim.faults.unreachable = false;
    expect((await command(stack, "connection/config/set/ping", "ON")).status).toBe("ok");
    expect((await command(stack, "bridge/request/refresh", "PRESS")).status).toBe("ok");
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "online");
  });
});

describe("the reboot button", () => {
  let stack: Stack;
  beforeAll(async () => {
    // Polls every second so the bridge notices the reboot, which lasts longer than GET retries.
    stack = await readyStack({ sim: { rebootMs: 2500 }, env: { POLL_STATUS_INTERVAL: "1" } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("a burst of refresh requests: each answered, the box read about twice, not once per request", async () => {
    stack.sim.faults.latencyMs = 20;
    const reads = () =>
      stack.sim.requests.filter((r) => r.method === "GET" && r.path === "connection/").length;
    const before = reads();
    const answers = await burst(
      stack,
      "bridge/request/refresh",
      Array.from({ length: 30 }, () => "PRESS"),
    );
    expect(answers).toHaveLength(30);
    expect(answers.every((a) => a.status === "ok")).toBe(true);
    // The poll in flight when the burst arrived (if any), then one shared by every later request.
    expect(reads() - before).toBeLessThanOrEqual(3);
  });

  it("reboots the box; the bridge shows it offline, then online again with a new session", async () => {
    const before = writes(stack).length;
    const availability = () => stack.watch.on(`${BASE}/box/availability`).map((m) => m.payload);
    const seen = availability().length;
    const answer = await command(stack, "system/reboot", "PRESS");
    expect(answer).toEqual({ status: "ok", data: null });
    expect(
      writes(stack)
        .slice(before)
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual(["POST system/reboot/"]);
    await until(() => availability().slice(seen).includes("offline"), 8000, "box offline");
    await until(() => availability().slice(seen).join() === "offline,online", 15_000, "box back online");
    expect((await command(stack, "connection/config/set/ping", "OFF")).status).toBe("ok");
  });
});

describe("the reboot button, at the default poll pace", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await readyStack({ sim: { rebootMs: 1500 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("shows the box offline at once, not at the next status poll (10 s away)", async () => {
    const availability = () => stack.watch.on(`${BASE}/box/availability`).map((m) => m.payload);
    const seen = availability().length;
    const sent = Date.now();
    expect(await command(stack, "system/reboot", "PRESS")).toEqual({ status: "ok", data: null });
    await until(() => availability().slice(seen).includes("offline"), 6000, "box offline");
    expect(Date.now() - sent).toBeLessThan(8000);
  });
});
