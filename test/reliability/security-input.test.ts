// What reaches the bridge from outside: the token file a pairing writes (0600, atomic, never
// shown), the embedded broker's credentials, and hostile commands (wildcards or control characters
// in topic segments, extra segments, oversized or deeply nested payloads): refused, box untouched.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { type App, startApp } from "../../src/main.js";
import { type Simulator, startSimulator } from "../../src/sim/index.js";
import { captureLogs, freePort, observe, sleep, until } from "../integration/mqtt-helpers.js";
import { APP_ID, BASE, type Stack, startStack } from "../integration/stack.js";
import { command, writes } from "./helpers.js";
import { MOSQUITTO, type Mosquitto, NO_MOSQUITTO, startMosquitto } from "./mosquitto.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The CONNACK return code a client gets (0 = accepted), MQTT 3.1.1 §3.2.2.3. */
function connackCode(url: string, auth: { username?: string; password?: string }): Promise<number> {
  const client = connect(url, { protocolVersion: 4, reconnectPeriod: 0, ...auth });
  return new Promise<number>((resolve) => {
    client.once("connect", () => resolve(0));
    client.once("error", (error) => resolve(Number((error as { code?: unknown }).code)));
  }).finally(() => client.end(true));
}

/** The app on its embedded broker, with credentials, in front of a simulator. */
async function embeddedApp(): Promise<{
  app: App;
  sim: Simulator;
  url: string;
  auth: { username: string; password: string };
}> {
  const sim = await startSimulator({ port: 0 });
  cleanups.push(() => sim.close());
  const token = sim.pairApp(APP_ID, { settings: true });
  const port = await freePort();
  const auth = { username: "bridge", password: "embedded-Br0ker-pass" };
  const dataDir = mkdtempSync(join(tmpdir(), "fbx-sec-"));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig({
    env: {
      FREEBOX_URL: sim.url,
      FREEBOX_APP_TOKEN: token,
      DATA_DIR: dataDir,
      MQTT_EMBEDDED_HOST: "127.0.0.1",
      MQTT_EMBEDDED_PORT: String(port),
      MQTT_USERNAME: auth.username,
      MQTT_PASSWORD: auth.password,
      LOG_LEVEL: "debug",
    },
  });
  const app = startApp(config, captureLogs().logger);
  cleanups.push(() => app.stop());
  await app.ready;
  return { app, sim, url: `mqtt://127.0.0.1:${port}`, auth };
}

describe("the token file written by pairing", () => {
  it("is 0600, whole, alone in its directory, and its token is never shown", async () => {
    const stack = await startStack({
      env: { FREEBOX_APP_TOKEN: "", FREEBOX_TIMEOUT: "2" },
      sim: { pairing: { delayMs: 300 } },
      app: { pairingPollMs: 50 },
    });
    cleanups.push(() => stack.close());
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "online");
    const dir = stack.config.dataDir;
    const file = join(dir, "freebox-app-token.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, "utf8")) as { app_id: string; app_token: string };
    expect(saved.app_id).toBe(APP_ID);
    expect(saved.app_token.length).toBeGreaterThan(20);
    // Written through a temp file renamed over it: nothing else is left behind.
    expect(readdirSync(dir).filter((n) => n.includes("token"))).toEqual(["freebox-app-token.json"]);
    for (const line of stack.logs.lines) expect(line).not.toContain(saved.app_token);
    for (const m of stack.watch.messages) expect(`${m.topic} ${m.payload}`).not.toContain(saved.app_token);
  });
});

describe("the embedded broker with credentials", () => {
  it("refuses anonymous clients and wrong passwords, accepts the right ones", async () => {
    const { url, auth } = await embeddedApp();
    expect(await connackCode(url, {})).toBe(5);
    expect(await connackCode(url, { username: auth.username, password: "wrong" })).toBe(4);
    expect(await connackCode(url, { username: "intruder", password: auth.password })).toBe(4);
    const watcher = await observe(url, [`${BASE}/bridge/state`], auth);
    cleanups.push(() => watcher.close());
    await until(() => watcher.on(`${BASE}/bridge/state`).at(-1)?.payload === "online");
  });

  it("lets no wildcard or control character in a topic segment reach the box", async () => {
    const { sim, url, auth } = await embeddedApp();
    const mac = sim.state.staticLeases[0]?.mac ?? "";
    const watcher = await observe(url, [`${BASE}/bridge/response/#`], auth);
    cleanups.push(() => watcher.close());
    // Written by hand: a well-behaved client library would not send these. aedes may drop the
    // client instead of routing such a topic; either way the box must see nothing.
    const hostile = [
      `${BASE}/dhcp/static_leases/+/remove`,
      `${BASE}/dhcp/static_leases/#/remove`,
      `${BASE}/dhcp/static_leases/${mac}\u0001/remove`,
      `${BASE}/dhcp/static_leases/${mac}\u007f/set`,
      `${BASE}/connection/ddns/dyn\u0000dns/set`,
    ];
    for (const topic of hostile) {
      const client = connect(url, { protocolVersion: 4, reconnectPeriod: 0, ...auth });
      client.on("error", () => undefined);
      await new Promise<void>((resolve) => client.once("connect", () => resolve()));
      client.publish(topic, '{"comment":"hostile"}', { qos: 1 });
      await sleep(150);
      client.end(true);
    }
    await sleep(300);
    expect(writes(sim, /./)).toEqual([]);
    expect(sim.state.staticLeases.length).toBe(3);
    for (const m of watcher.messages) expect(JSON.parse(m.payload)).toMatchObject({ status: "error" });
  });
});

describe.skipIf(!MOSQUITTO)(`hostile commands through mosquitto${NO_MOSQUITTO}`, () => {
  let broker: Mosquitto | undefined;
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    await broker?.close();
  });

  it("refuses oversized, deeply nested, non-UTF-8 and mis-segmented commands", async () => {
    broker = await startMosquitto({ persistence: false });
    stack = await startStack({ broker });
    const s = stack;
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "online");
    const mac = s.sim.state.staticLeases[0]?.mac ?? "";
    const before = JSON.stringify(s.sim.state.staticLeases);
    const set = `${BASE}/dhcp/static_leases/${mac}/set`;
    // Refused before being parsed, so without a transaction to echo: counted, not matched.
    await s.publish(set, JSON.stringify({ comment: "x".repeat(2 * 1024 * 1024), transaction: "big" }));
    await s.publish(set, `{"transaction":"deep","comment":${"[".repeat(5000)}${"]".repeat(5000)}}`);
    await s.publish(set, JSON.stringify({ transaction: "nested", comment: nestedObject(40) }));
    await s.publish(set, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    // A MAC segment cut in two by a "/", an encoded "/", a path climbing up a level.
    for (const topic of [
      `${BASE}/dhcp/static_leases/${mac.slice(0, 8)}/${mac.slice(9)}/set`,
      `${BASE}/dhcp/static_leases/${mac}%2Fx/set`,
      `${BASE}/dhcp/static_leases/../config/set`,
    ]) {
      await s.publish(topic, '{"comment":"elsewhere","enabled":false}');
    }
    const responses = () => s.watch.messages.filter((m) => m.topic.startsWith(`${BASE}/bridge/response/`));
    // The two topics with an extra level match no command subscription: never delivered.
    await until(() => responses().length >= 5, 8000, "five answers");
    await sleep(300);
    for (const m of responses()) {
      expect(JSON.parse(m.payload), m.topic).toMatchObject({
        status: "error",
        code: expect.stringMatching(/^(invalid_request|unknown_command)$/),
      });
    }
    // No effect on the box, and the bridge carries on.
    expect(writes(s.sim, /./)).toEqual([]);
    expect(JSON.stringify(s.sim.state.staticLeases)).toBe(before);
    expect(s.sim.state.dhcp.enabled).toBe(true);
    expect(await command(s, set, { comment: "fine", transaction: "ok" })).toMatchObject({ status: "ok" });
    expect(s.last(`${BASE}/box/availability`)).toBe("online");
  });
});

/** {"a":{"a":…}} `depth` levels deep. */
function nestedObject(depth: number): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}
