// No secret in any log line (debug level) or MQTT message: the app token, session tokens, the
// challenge answer, the MQTT password, DynDNS passwords (set through commands, valid or not).
// The session tokens and challenge answers are read off the wire between the bridge and the box.
import { afterAll, describe, expect, it } from "vitest";
import { sleep, until } from "../integration/mqtt-helpers.js";
import { BASE, type Stack, startStack } from "../integration/stack.js";
import { command } from "./helpers.js";
import { MOSQUITTO, type Mosquitto, NO_MOSQUITTO, startMosquitto } from "./mosquitto.js";
import { startWireTap, type WireTap } from "./wire-tap.js";

const MQTT_PASSWORD = "mqtt-Pa55word-for-the-bridge";
const WATCH = { username: "watcher", password: "watcher-password-1" };
// Several DynDNS passwords: each reaches the bridge in a different way.
const DDNS = {
  object: "ddns-secret-object-1",
  field: "ddns-secret-field-2",
  invalid: "ddns-secret-invalid-3",
  malformed: "ddns-secret-malformed-4",
  refused: "ddns-secret-refused-5",
};

let broker: Mosquitto | undefined;
let stack: Stack | undefined;
let tap: WireTap | undefined;
afterAll(async () => {
  await stack?.close();
  await tap?.close();
  await broker?.close();
});

/** Where each secret was found: "<secret name> in <log line or topic>". */
function leaks(secrets: Record<string, string>, places: string[]): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    for (const place of places) if (place.includes(value)) out.push(`${name} in ${place.slice(0, 300)}`);
  }
  return out;
}

describe.skipIf(!MOSQUITTO)(`secrets${NO_MOSQUITTO}`, () => {
  it("never appear in a log line or an MQTT message", { timeout: 40_000 }, async () => {
    broker = await startMosquitto({
      persistence: false,
      users: { bridge: MQTT_PASSWORD, [WATCH.username]: WATCH.password },
    });
    const env = { MQTT_USERNAME: "bridge", MQTT_PASSWORD, FREEBOX_TIMEOUT: "1", POLL_STATUS_INTERVAL: "1" };
    stack = await startStack({ broker, watchAuth: WATCH, env });
    const s = stack;
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "online");
    // Run again through the tap, so that every session token of this run is seen on the wire.
    tap = await startWireTap(Number(new URL(s.sim.url).port));
    await s.restartApp({ FREEBOX_URL: tap.url });
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "online");

    const ddns = `${BASE}/connection/ddns/dyndns/set`;
    const set = { enabled: true, hostname: "home.example.org", user: "me", password: DDNS.object };
    expect(await command(s, ddns, { ...set, transaction: "d1" })).toMatchObject({ status: "ok" });
    expect(s.sim.state.ddns.dyndns.password).toBe(DDNS.object);
    await s.publish(`${BASE}/connection/ddns/noip/set/password`, DDNS.field);
    await s.waitFor(`${BASE}/bridge/response/connection/ddns/noip/set/password`);
    expect(s.sim.state.ddns.noip.password).toBe(DDNS.field);
    const invalid = await command(s, ddns, { password: DDNS.invalid, hostname: 42, transaction: "d2" });
    expect(invalid).toMatchObject({ status: "error", code: "invalid_request" });
    await s.publish(ddns, `{"transaction":"d3","password":"${DDNS.malformed}",`);
    await s.waitFor(`${BASE}/bridge/response/connection/ddns/dyndns/set`, (p) =>
      p.includes("invalid_request"),
    );
    s.sim.faults.busy = 1;
    s.sim.faults.match = /^connection\/ddns\/dyndns\/$/;
    const refused = await command(s, ddns, { password: DDNS.refused, transaction: "d4" });
    expect(refused).toMatchObject({ status: "error", code: "busy" });
    s.sim.faults.match = null;

    // Sessions come and go: new session tokens, new challenge answers; failures get logged.
    const logins = () => s.sim.requests.filter((r) => r.path === "login/session/").length;
    for (let n = 0; n < 2; n++) {
      const before = logins();
      s.sim.expireSessions();
      await until(() => logins() > before, 5000, "a new login");
    }
    s.sim.faults.malformed = 1;
    s.sim.faults.status5xx = 1;
    s.sim.faults.match = /^connection\/ddns\/ovh\/status\/$/;
    await s.publish(`${BASE}/bridge/request/refresh`, "PRESS");
    await s.waitFor(`${BASE}/bridge/response/bridge/request/refresh`);
    s.sim.faults.match = null;
    await sleep(300);

    const sessionTokens = tap.values("session_token");
    const answers = s.sim.requests
      .filter((r) => r.path === "login/session/")
      .map((r) => String((r.body as { password?: unknown }).password));
    expect(sessionTokens.length).toBeGreaterThanOrEqual(3);
    expect(answers.length).toBeGreaterThanOrEqual(3);
    const secrets: Record<string, string> = {
      "app token": s.token,
      "MQTT password": MQTT_PASSWORD,
      ...Object.fromEntries(Object.entries(DDNS).map(([k, v]) => [`DynDNS password (${k})`, v])),
      ...Object.fromEntries(sessionTokens.map((t, i) => [`session token ${i}`, t])),
      ...Object.fromEntries(answers.map((a, i) => [`challenge answer ${i}`, a])),
    };
    // Everything on the broker but the commands this test sent (they do hold the passwords).
    const sent = new Set([ddns, `${BASE}/connection/ddns/noip/set/password`]);
    const messages = s.watch.messages.filter((m) => !sent.has(m.topic)).map((m) => `${m.topic} ${m.payload}`);
    expect(s.logs.lines.filter((l) => l.includes('"level":"debug"')).length).toBeGreaterThan(50);
    expect(leaks(secrets, s.logs.lines)).toEqual([]);
    expect(leaks(secrets, messages)).toEqual([]);
    // Nor what the broker keeps for later subscribers.
    const retained = (await s.retained("#")).map((m) => `${m.topic} ${m.payload}`);
    expect(leaks(secrets, retained)).toEqual([]);
  });
});
