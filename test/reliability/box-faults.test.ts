// Box faults, each alone: the bridge stays up, box/availability tells the truth, backoff keeps
// the request rate bounded while the box fails, and it recovers by itself once the box is fine.
// Each case runs its own box, broker and bridge, concurrently: most of the time is waiting.
import { describe, it } from "vitest";
import { NO_FAULTS, type SimFaults } from "../../src/sim/index.js";
import { sleep } from "../integration/mqtt-helpers.js";
import { BASE } from "../integration/stack.js";
import { attempts, exitWatch, faultStack, requestsDuring } from "./helpers.js";
import { MOSQUITTO, NO_MOSQUITTO } from "./mosquitto.js";

/** Box faults after which nothing the bridge asks is answered properly. */
const OUTAGES: Array<[string, Partial<SimFaults>]> = [
  ["timeouts", { hang: true }],
  ["5xx", { status5xx: 1e9 }],
  ["malformed JSON", { malformed: 1e9 }],
  ["connection resets", { drop: 1e9 }],
  ["sessions expiring on every call", { expireEveryCall: true }],
];

describe.skipIf(!MOSQUITTO)(`box faults${NO_MOSQUITTO}`, () => {
  // First: vitest runs at most five concurrent tests at a time, and this one is short.
  it.concurrent("netdown and busy: the box answers, so it stays online and the rest keeps flowing", async (ctx) => {
    const { expect } = ctx;
    const s = await faultStack(ctx);
    const exited = exitWatch(s);
    const availability = () => s.watch.on(`${BASE}/box/availability`).length;
    const before = availability();
    s.sim.faults.netdown = true;
    s.sim.faults.busy = 5;
    const lease = s.sim.state.staticLeases[0];
    if (lease) lease.comment = "during netdown";
    await s.waitFor(`${BASE}/dhcp/static_leases`, (p) => p.includes("during netdown"));
    await sleep(2000);
    expect(availability()).toBe(before);
    expect(s.last(`${BASE}/box/availability`)).toBe("online");

    s.sim.faults.netdown = false;
    s.sim.state.connection.bytes_down += 123_456_789;
    const bytes = s.sim.state.connection.bytes_down;
    await s.waitFor(`${BASE}/connection`, (p) => JSON.parse(p).bytes_down === bytes);
    expect(s.last(`${BASE}/box/availability`)).toBe("online");
    expect(exited()).toBe(false);
  }, 30_000);

  it.concurrent.for(OUTAGES)(
    "%s: offline, backing off, then back by itself",
    { timeout: 40_000 },
    async ([name, fault], ctx) => {
      const { expect } = ctx;
      const s = await faultStack(ctx);
      const exited = exitWatch(s);
      Object.assign(s.sim.faults, fault);
      await s.waitFor(`${BASE}/box/availability`, (p) => p === "offline");
      // Backoff: polling at the configured pace (1 s) would make at least three attempts per poll
      // group in this window; backing off from 2 s, doubling, makes at most two.
      await sleep(2000);
      const outage = await requestsDuring(s.sim, 6000);
      for (const path of ["connection/", "system/", "dhcp/static_lease/"]) {
        expect(attempts(outage, path), `attempts on ${path}`).toBeLessThanOrEqual(2);
      }
      // And the box gets fewer requests than from a healthy bridge polling every second (about 14
      // a second), even counting the logins and replays of each attempt.
      expect(outage.length, "requests in 6 s").toBeLessThanOrEqual(48);
      expect(s.last(`${BASE}/box/availability`)).toBe("offline");

      Object.assign(s.sim.faults, NO_FAULTS);
      const lease = s.sim.state.staticLeases[0];
      if (lease) lease.comment = `after ${name}`;
      await s.waitFor(`${BASE}/box/availability`, (p) => p === "online", 15_000);
      await s.waitFor(`${BASE}/dhcp/static_leases`, (p) => p.includes(`after ${name}`), 15_000);
      expect(s.last(`${BASE}/bridge/state`)).toBe("online");
      expect(exited()).toBe(false);
    },
  );
});
