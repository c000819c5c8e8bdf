// The bridge through what goes wrong in a home: the broker restarts empty, the box disappears or
// hangs, sessions expire, the app token is revoked, the app is stopped mid-poll.
import { afterEach, describe, expect, it } from "vitest";
import { EXIT } from "../../src/exit-codes.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/mqtt/broker.js";
import {
  configTopics,
  FIBRE_STATE_TOPICS,
  parse,
  quiet,
  requestsSince,
  retainedMap,
  since,
  startBridge,
  untilRetained,
} from "./bridge-helpers.js";
import { captureLogs, observe, retainedOn, sleep, until } from "./mqtt-helpers.js";
import { BASE, type Stack } from "./stack.js";

let stack: Stack | undefined;
const brokers: EmbeddedBroker[] = [];
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  for (const b of brokers.splice(0)) await b.close().catch(() => undefined);
});

const availability = (s: Stack) => s.watch.on(`${BASE}/box/availability`).map((m) => m.payload);

describe("bridge: broker restart", () => {
  it("a new, empty broker on the same port gets bridge/state, discovery and every state back", async () => {
    const logs = captureLogs();
    const first = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: logs.logger });
    brokers.push(first);
    stack = await startBridge({ broker: first });
    const before = await retainedMap(stack);
    const configs = configTopics(before);
    expect(configs.length).toBeGreaterThan(40);

    await first.close();
    // While the broker is away, the box changes: the new value must be what the new broker holds.
    stack.sim.state.config.ping = !stack.sim.state.config.ping;
    await stack.app.bridge?.refreshAll();
    const second = await startEmbeddedBroker({ host: "127.0.0.1", port: first.port, logger: logs.logger });
    brokers.push(second);
    expect(await retainedOn(second.url, `${BASE}/system`)).toBeNull(); // it lost everything
    // Watch the reconnect (the bridge retries after 1 s): heartbeats are not stored while away.
    const late = await observe(second.url, [`${BASE}/bridge/#`]);
    const health = () => late.messages.filter((m) => m.topic === `${BASE}/bridge/health`).length;
    await until(() => late.messages.some((m) => m.topic === `${BASE}/bridge/state`), 8000, "the reconnect");
    await sleep(100);
    expect(health()).toBeLessThanOrEqual(1);
    await late.close();

    const s = stack;
    const after = await untilRetained(
      stack,
      (r) =>
        r.get(`${BASE}/bridge/state`) === "online" &&
        configs.every((t) => r.has(t)) &&
        r.has(`${BASE}/system`),
      "bridge/state, every config and the states",
      10_000,
    );
    expect(after.get(`${BASE}/box/availability`)).toBe("online");
    expect(after.get(`${BASE}/bridge/info`)).toBe(before.get(`${BASE}/bridge/info`));
    for (const topic of configs) expect(after.get(topic), topic).toBe(before.get(topic));
    for (const topic of FIBRE_STATE_TOPICS) expect(after.has(topic), topic).toBe(true);
    for (const lease of s.sim.state.staticLeases) {
      expect(after.has(`${BASE}/dhcp/static_leases/${lease.mac.toLowerCase().replace(/:/g, "")}`)).toBe(true);
    }
    expect(parse(after.get(`${BASE}/connection/config`)).ping).toBe(s.sim.state.config.ping);
  });
});

describe("bridge: box outage", () => {
  it("unreachable: box/availability offline after a failed poll, states kept, online again on the next good poll", async () => {
    stack = await startBridge({ env: { POLL_STATUS_INTERVAL: "1" } });
    const statesBefore = await retainedMap(stack, `${BASE}/connection`);
    stack.sim.faults.unreachable = true;
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "offline", 8000);
    expect(await retainedOn(stack.broker.url, `${BASE}/box/availability`)).toBe("offline");
    // States are not cleared: HA shows them unavailable through the availability topic.
    expect(await retainedMap(stack, `${BASE}/connection`)).toEqual(statesBefore);
    expect(stack.logs.matching(`the box at ${stack.sim.url} is unavailable`)).toHaveLength(1);

    stack.sim.faults.unreachable = false;
    // No refresh asked: the scheduler's own next poll brings it back.
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "online", 10_000);
    // `offline` first: the bridge says nothing it did not check (the broker may hold an old `online`).
    expect(availability(stack)).toEqual(["offline", "online", "offline", "online"]);
    await until(() => (stack?.logs.matching("answers again").length ?? 0) > 0, 5000, "the recovery line");
    expect(stack.logs.matching(`the box at ${stack.sim.url} answers again`)).toHaveLength(1);
    expect(stack.logs.matching("is unavailable")).toHaveLength(1);
    expect(await retainedOn(stack.broker.url, `${BASE}/bridge/state`)).toBe("online");
  });

  it("a poll cut short by the box going away still publishes what it read before", async () => {
    stack = await startBridge();
    // The config group reads connection/config/ before dhcp/config/, which breaks off the
    // connection at each attempt (the GET and its two retries): the poll fails there.
    stack.sim.state.config.ping = !stack.sim.state.config.ping;
    stack.sim.faults.match = /^dhcp\/config\/$/;
    stack.sim.faults.drop = 3;
    await stack.app.bridge?.refreshGroup("config");
    expect(stack.sim.faults.drop).toBe(0);
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "offline");
    const config = await retainedOn(stack.broker.url, `${BASE}/connection/config`);
    expect(parse(config ?? "{}").ping).toBe(stack.sim.state.config.ping);
  });

  it("back online as soon as a command succeeds, without waiting for the polls' backoff", async () => {
    stack = await startBridge();
    stack.sim.faults.unreachable = true;
    await stack.app.bridge?.refreshAll();
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "offline");
    stack.sim.faults.unreachable = false;
    const lease = stack.sim.state.staticLeases[0];
    if (!lease) throw new Error("the simulator needs a static lease");
    lease.comment = "changed during the outage";
    const from = stack.watch.messages.length;
    // The next polls are 10 s (status), 30 s (leases) and 60 s (config) away: only the command's
    // success can bring the box back within the waits below.
    await stack.publish(`${BASE}/connection/config/set/ping`, "ON");
    await stack.waitFor(
      `${BASE}/bridge/response/connection/config/set/ping`,
      (p) => p.includes('"ok"'),
      5000,
    );
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "online", 3000);
    // The groups that failed are polled at once: their states are fresh again.
    await stack.waitFor(`${BASE}/dhcp/static_leases`, (p) => p.includes("changed during the outage"), 3000);
    expect(stack.logs.matching("the box answers again")).toHaveLength(1);
    expect(since(stack, from).filter((m) => m.topic === `${BASE}/box/availability`)).toHaveLength(1);
  });

  it("a hung box: offline after the timeout, and polls back off (bounded requests while down), never crashing", async () => {
    stack = await startBridge();
    const done = { value: false };
    void stack.app.done.then(() => {
      done.value = true;
    });
    stack.sim.faults.hang = true;
    await stack.app.bridge?.refreshAll(); // each group waits for its timeout (FREEBOX_TIMEOUT=2)
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "offline");
    const from = stack.sim.requests.length;
    await sleep(7000);
    // Status polls every 10 s, config 60 s, leases 30 s: a box that is down is not probed more
    // often than that, so no group tries again within 7 s.
    expect(requestsSince(stack, from)).toEqual([]);
    expect(done.value).toBe(false);

    stack.sim.faults.hang = false;
    await stack.app.bridge?.refreshAll();
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "online");
    expect(done.value).toBe(false);
  }, 30_000);

  it("a first poll that fails: offline, then everything published once the box answers", async () => {
    stack = await startBridge();
    await stack.app.stop();
    stack.sim.faults.unreachable = true;
    const from = stack.watch.messages.length;
    await stack.restartApp({
      POLL_STATUS_INTERVAL: "1",
      POLL_CONFIG_INTERVAL: "1",
      POLL_LEASES_INTERVAL: "1",
    });
    const s = stack;
    await until(
      () => since(s, from).some((m) => m.topic === `${BASE}/box/availability`),
      5000,
      "availability",
    );
    await sleep(1500);
    expect(stack.last(`${BASE}/box/availability`)).toBe("offline");
    expect(since(stack, from).filter((m) => FIBRE_STATE_TOPICS.includes(m.topic))).toEqual([]);

    stack.sim.faults.unreachable = false;
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "online", 10_000);
    // Each group comes back at its own backoff (up to 8 s after these failures), then publishes
    // every state of the fresh run: wait for them, not for the previous run's copies.
    const published = () => new Set(since(s, from).map((m) => m.topic));
    await until(() => FIBRE_STATE_TOPICS.every((t) => published().has(t)), 20_000, "every state republished");
    for (const topic of FIBRE_STATE_TOPICS) expect(published().has(topic), topic).toBe(true);
  }, 40_000);
});

describe("bridge: sessions", () => {
  it("a session expiring mid-run: one re-login, polls go on, the box stays online", async () => {
    stack = await startBridge();
    const from = stack.sim.requests.length;
    const messages = stack.watch.messages.length;
    stack.sim.expireSessions();
    stack.sim.state.config.wol = !stack.sim.state.config.wol;
    await stack.app.bridge?.refreshAll();
    await quiet(stack);
    expect(requestsSince(stack, from, /^login\/session\/?$/)).toHaveLength(1);
    expect(since(stack, messages).map((m) => m.topic)).toEqual([`${BASE}/connection/config`]);
    expect(stack.last(`${BASE}/box/availability`)).toBe("online");
  });

  it("sessions expiring at every call: the box is offline (no usable session), back online once they hold", async () => {
    stack = await startBridge({ env: { POLL_STATUS_INTERVAL: "1" } });
    stack.sim.faults.expireEveryCall = true;
    await stack.app.bridge?.refreshAll().catch(() => undefined);
    // The publish travels through the broker to the observer: wait for it rather than race it.
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "offline");
    const from = stack.sim.requests.length;
    await sleep(2500);
    // No login storm (a real box bans an address that logs in too often): a failed poll opens a
    // session and re-logs in once; config and leases wait for their own intervals (60 s, 30 s),
    // the status group backs off from its 1 s.
    expect(requestsSince(stack, from, /^login\/session\/?$/).length).toBeLessThanOrEqual(4);
    stack.sim.faults.expireEveryCall = false;
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "online", 10_000);
    expect(availability(stack)).toEqual(["offline", "online", "offline", "online"]);
    await until(() => (stack?.logs.matching("answers again").length ?? 0) > 0, 5000, "the recovery line");
    expect(stack.logs.matching(`the box at ${stack.sim.url} answers again`)).toHaveLength(1);
    expect(stack.logs.matching("is unavailable")).toHaveLength(1);
  });

  it("a revoked app token: the app stops by itself with exit code 4, bridge/state ends offline", async () => {
    stack = await startBridge();
    stack.sim.revokeApp("fr.freebox2mqtt");
    void stack.app.bridge?.refreshAll();
    const code = await Promise.race([stack.app.done, sleep(8000).then(() => "timeout")]);
    expect(code).toBe(EXIT.tokenRevoked);
    expect(await retainedOn(stack.broker.url, `${BASE}/bridge/state`)).toBe("offline");
    expect(await retainedOn(stack.broker.url, `${BASE}/box/availability`)).toBe("offline");
    expect(stack.logs.matching("refused the app token").length).toBeGreaterThan(0);
  });
});

describe("bridge: stop", () => {
  it("stop() while a poll is in flight: nothing reaches the box or the broker afterwards", async () => {
    stack = await startBridge();
    stack.sim.faults.latencyMs = 300;
    stack.sim.state.config.ping = !stack.sim.state.config.ping;
    void stack.app.bridge?.refreshAll();
    await sleep(100);
    await stack.app.stop();
    const stoppedAt = Date.now();
    const requests = stack.sim.requests.length;
    const messages = stack.watch.messages.length;
    await sleep(1500);
    expect(stack.sim.requests.slice(requests)).toEqual([]);
    expect(stack.watch.messages.slice(messages)).toEqual([]);
    // The last requests: a logout, no login after it.
    const after = stack.sim.requests.filter((r) => r.at >= stoppedAt - 2000).map((r) => r.path);
    const logout = after.lastIndexOf("login/logout/");
    expect(logout).toBeGreaterThanOrEqual(0);
    expect(after.slice(logout + 1).filter((p) => p.startsWith("login/"))).toEqual([]);
    expect(stack.last(`${BASE}/bridge/state`)).toBe("offline");
  });
});
