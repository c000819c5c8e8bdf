// Writes while the box misbehaves, a reboot, a rate-limited login, then all faults mixed at random
// (seeded): no write reaches the box twice unless the first one surely failed (refused before
// anything was done), every command is answered, and the bridge recovers by itself. Each case
// runs its own box, broker and bridge, concurrently: most of the time is waiting.
import { describe, it } from "vitest";
import { NO_FAULTS, type SimFaults } from "../../src/sim/index.js";
import { sleep, until } from "../integration/mqtt-helpers.js";
import { BASE } from "../integration/stack.js";
import {
  command,
  exitWatch,
  faultStack,
  leaseComment,
  requestsDuring,
  responsesByTransaction,
  responseTopicOf,
  writes,
  writesPerComment,
} from "./helpers.js";
import { MOSQUITTO, NO_MOSQUITTO } from "./mosquitto.js";

/** The lease PUT only (not the list the refresh reads). */
const LEASE_WRITE = /^dhcp\/static_lease\/[0-9A-F]/;

const WRITE_FAULTS: Array<[string, Partial<SimFaults>, string]> = [
  ["connection reset", { drop: 1, match: LEASE_WRITE }, "unreachable"],
  ["5xx", { status5xx: 1, match: LEASE_WRITE }, "http_error"],
  ["malformed JSON", { malformed: 1, match: LEASE_WRITE }, "bad_response"],
  ["busy", { busy: 1, match: LEASE_WRITE }, "busy"],
  // Every call takes 1.5 s, the bridge gives up after 1 s. Sent, the box applies it after the
  // bridge gave up: it must not be sent again. It may also time out unsent, waiting behind a slow
  // poll on the single connection: then it is never sent.
  ["timeout", { latencyMs: 1500 }, "timeout"],
];

/** Deterministic pseudo-random numbers (a failure can be replayed with the same seed). */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

// The long cases first: vitest runs at most five concurrent tests at a time.
describe.skipIf(!MOSQUITTO)(`writes to a failing box${NO_MOSQUITTO}`, () => {
  it.concurrent("a reboot: sent once, offline while away, back with a new session", async (ctx) => {
    const { expect } = ctx;
    const s = await faultStack(ctx, { rebootMs: 4000 });
    const exited = exitWatch(s);
    const reboot = await command(s, `${BASE}/system/reboot`, { transaction: "r1" });
    expect(reboot).toMatchObject({ status: "ok" });
    const rebootedAt = Date.now();
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "offline");
    // A command while the box is away never reaches it, and is answered.
    const mac = s.sim.state.staticLeases[0]?.mac ?? "";
    const away = await command(s, `${BASE}/dhcp/static_leases/${mac}/set`, {
      comment: "away",
      transaction: "a1",
    });
    expect(away).toMatchObject({ status: "error", code: "unreachable" });
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "online", 20_000);
    expect(writes(s.sim, /^system\/reboot\//)).toHaveLength(1);
    expect(writesPerComment(s.sim).get("away")).toBeUndefined();
    const logins = s.sim.requests.filter((r) => r.path === "login/session/" && r.at > rebootedAt);
    expect(logins.length).toBeGreaterThanOrEqual(1);
    expect(logins.length).toBeLessThanOrEqual(2);
    await s.waitFor(`${BASE}/system`, (p) => (JSON.parse(p) as { uptime_val: number }).uptime_val < 60);
    expect(s.last(`${BASE}/bridge/state`)).toBe("online");
    expect(exited()).toBe(false);
  });

  it.concurrent("survives a storm of mixed faults with commands in flight", {
    timeout: 60_000,
  }, async (ctx) => {
    const { expect } = ctx;
    const s = await faultStack(ctx);
    const exited = exitWatch(s);
    const f = s.sim.faults;
    const random = rng(Number(process.env.CHAOS_SEED ?? 6));
    const pick = (n: number) => Math.floor(random() * n);
    const mac = s.sim.state.staticLeases[0]?.mac ?? "";
    let sent = 0;
    const until6s = Date.now() + 6000;
    let tick = 0;
    let delayedUntil = 0;
    while (Date.now() < until6s) {
      // Clear the previous tick's one-shot toggles, then apply one new fault.
      f.hang = false;
      f.latencyMs = 0;
      switch (pick(8)) {
        case 0:
          f.status5xx += 1 + pick(3);
          break;
        case 1:
          f.malformed += 1 + pick(2);
          break;
        case 2:
          f.drop += 1 + pick(2);
          break;
        case 3:
          f.busy += 1 + pick(3);
          break;
        case 4:
          f.latencyMs = random() < 0.3 ? 1200 : pick(300);
          delayedUntil = Date.now() + f.latencyMs + 300;
          break;
        case 5:
          f.netdown = !f.netdown;
          break;
        case 6:
          // Not while delayed answers are pending: a write logged with a live session would then
          // be refused at answer time, and its replay would look like a duplicate here.
          if (Date.now() > delayedUntil) s.sim.expireSessions();
          break;
        default:
          f.hang = true;
      }
      if (tick++ % 2 === 0) {
        const { topic, payload } = leaseComment(mac, sent++, "m");
        await s.publish(topic, payload);
      }
      await sleep(150);
    }
    Object.assign(f, NO_FAULTS);

    // Every command answered.
    const topic = responseTopicOf(leaseComment(mac, 0).topic);
    await until(
      () => responsesByTransaction(s.watch.messages, topic).size >= sent,
      30_000,
      `answers to ${sent} commands`,
    );
    // Per command: any write before the last one arrived without a live session (refused by the
    // box before doing anything); at most one could have been applied.
    for (let n = 0; n < sent; n++) {
      const sentToBox = writes(s.sim, /^dhcp\/static_lease\/[0-9A-F]/).filter(
        (r) => (r.body as { comment?: string }).comment === `m-${n}`,
      );
      expect(sentToBox.length, `writes of m-${n}`).toBeLessThanOrEqual(2);
      expect(
        sentToBox.slice(0, -1).filter((r) => r.authenticated),
        `replays of m-${n}`,
      ).toEqual([]);
    }

    // Back by itself: available, and the states follow the box again.
    const lease = s.sim.state.staticLeases[1];
    if (lease) lease.comment = "after the storm";
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "online", 20_000);
    await s.waitFor(`${BASE}/dhcp/static_leases`, (p) => p.includes("after the storm"), 20_000);
    expect(s.last(`${BASE}/bridge/state`)).toBe("online");
    expect(exited()).toBe(false);
  });

  it.concurrent("a rate-limited login: no login attempt before the ban ends, then back", async (ctx) => {
    const { expect } = ctx;
    const s = await faultStack(ctx);
    s.sim.faults.ratelimitLogin = 1;
    s.sim.expireSessions();
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "offline");
    const during = await requestsDuring(s.sim, 3000);
    expect(during.filter((r) => r.path.startsWith("login/"))).toHaveLength(0);
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "online", 20_000);
    expect(s.sim.requests.filter((r) => r.path === "login/session/").length).toBeLessThanOrEqual(3);
  });

  it.concurrent.for(WRITE_FAULTS)(
    "%s: sent at most once, answered with an error",
    async ([name, fault, code], ctx) => {
      const { expect } = ctx;
      const s = await faultStack(ctx);
      const mac = s.sim.state.staticLeases[0]?.mac ?? "";
      const topic = `${BASE}/dhcp/static_leases/${mac}/set`;
      Object.assign(s.sim.faults, fault);
      const answer = await command(s, topic, { comment: `f-${name}`, transaction: "t1" });
      expect(answer).toMatchObject({ status: "error", code, transaction: "t1" });
      Object.assign(s.sim.faults, { latencyMs: 0, match: null });
      await sleep(1000);
      const sent = writesPerComment(s.sim).get(`f-${name}`) ?? 0;
      // A counted fault hits the write itself, so it was sent, once; a timeout allows "never sent".
      if (name === "timeout") expect(sent).toBeLessThanOrEqual(1);
      else expect(sent).toBe(1);
      // Applied despite the timeout: the state says so once the box answers again.
      if (name === "timeout" && sent === 1) {
        await s.waitFor(`${BASE}/dhcp/static_leases`, (p) => p.includes(`f-${name}`));
      }
      // The box is fine again: the next command goes through, once.
      expect(await command(s, topic, { comment: `ok-${name}`, transaction: "t2" })).toMatchObject({
        status: "ok",
      });
      expect(writesPerComment(s.sim).get(`ok-${name}`)).toBe(1);
      await s.waitFor(`${BASE}/dhcp/static_leases`, (p) => p.includes(`ok-${name}`));
    },
  );

  it.concurrent("expired sessions: the refused write is replayed once after a new login", async (ctx) => {
    const { expect } = ctx;
    const s = await faultStack(ctx);
    const mac = s.sim.state.staticLeases[0]?.mac ?? "";
    const topic = `${BASE}/dhcp/static_leases/${mac}/set`;
    s.sim.expireSessions();
    expect(await command(s, topic, { comment: "after-expiry", transaction: "e1" })).toMatchObject({
      status: "ok",
    });
    const sent = writes(s.sim, LEASE_WRITE).filter(
      (r) => (r.body as { comment?: string }).comment === "after-expiry",
    );
    // At most one write the box could have applied; any earlier one was refused (no live session).
    expect(sent.filter((r) => r.authenticated)).toHaveLength(1);
    expect(sent.length).toBeLessThanOrEqual(2);

    s.sim.faults.expireEveryCall = true;
    expect(await command(s, topic, { comment: "always-expired", transaction: "e2" })).toMatchObject({
      status: "error",
      code: "auth_required",
    });
    // Refused (403) both times: one replay after one re-login, then the error.
    expect(writesPerComment(s.sim).get("always-expired")).toBe(2);
  });
});
