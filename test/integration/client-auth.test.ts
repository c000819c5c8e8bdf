// Every authentication path against the simulator (freebox-os-essentials §3–§5): pairing, token
// precedence and file, shared re-login, revoked token, missing right, rate-limited login, secrets.
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { FreeboxClient } from "../../src/freebox/client.js";
import { TOKEN_FILE_NAME } from "../../src/freebox/token-store.js";
import { type Simulator, startSimulator } from "../../src/sim/index.js";
import { APP_ID, captureLogs, expectNoSecret, failure, makeClient, tempDir } from "./client-helpers.js";

let sim: Simulator;
let dir: { path: string; remove(): Promise<void> };
const clients: FreeboxClient[] = [];

async function start(options: Parameters<typeof startSimulator>[0] = {}) {
  sim = await startSimulator({ port: 0, ...options });
  dir = await tempDir();
}
function client(overrides: Parameters<typeof makeClient>[3] = {}, logger = captureLogs().logger) {
  const c = makeClient(sim.url, dir.path, logger, overrides);
  clients.push(c);
  return c;
}
const count = (method: string, path: string) =>
  sim.requests.filter((r) => r.method === method && r.path === path).length;

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await sim.close();
  await dir.remove();
});

describe("pairing", () => {
  it("granted: progress, token saved 0600 as {app_id, app_token}, reused on the next start", async () => {
    await start({ pairing: { outcome: "granted", delayMs: 150 } });
    const first = client();
    expect(await first.hasToken()).toBe(false);
    expect((await failure(first.getConnectionStatus())).code).toBe("pairing_required");
    const progress: Array<{ status: string; secondsLeft?: number; message: string }> = [];
    await first.pair((p) => progress.push(p));

    const authorize = sim.requests.find((r) => r.path === "login/authorize/");
    expect(authorize?.body).toMatchObject({ app_id: APP_ID, app_name: "freebox2mqtt", app_version: "0.1.0" });
    expect((authorize?.body as { device_name?: unknown } | undefined)?.device_name).toBeTypeOf("string");
    expect(progress[0]?.status).toBe("pending");
    expect(progress[0]?.message).toMatch(/right arrow/);
    expect(progress[0]?.secondsLeft).toBeGreaterThan(0);
    expect(progress.at(-1)?.status).toBe("granted");
    // Polled about every pairingPollMs until the answer, never in a tight loop.
    const polls = sim.requests.filter((r) => r.path.startsWith("login/authorize/") && r.method === "GET");
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls.length).toBeLessThan(30);

    const file = join(dir.path, TOKEN_FILE_NAME);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    expect(Object.keys(saved).sort()).toEqual(["app_id", "app_token"]);
    expect(saved.app_id).toBe(APP_ID);

    // The same client uses it at once; a new process (client) reads it from the file.
    await first.getConnectionStatus();
    const second = client();
    expect(await second.hasToken()).toBe(true);
    sim.clearRequests();
    await second.getConnectionStatus();
    expect(count("POST", "login/authorize/")).toBe(0);
    expect(count("POST", "login/session/")).toBe(1);
  });

  it.each([
    ["denied", "pairing_denied"],
    ["timeout", "pairing_timeout"],
  ] as const)("%s: FreeboxError %s, no token saved", async (outcome, code) => {
    await start({ pairing: { outcome, delayMs: 60 } });
    const c = client();
    const statuses: string[] = [];
    const error = await failure(c.pair((p) => statuses.push(p.status)));
    expect(error.code).toBe(code);
    expect(statuses.at(-1)).toBe(outcome);
    expect(await c.hasToken()).toBe(false);
  });

  it("new_apps_denied when the user disabled new requests", async () => {
    await start();
    sim.state.config.allow_token_request = false;
    const error = await failure(client().pair());
    expect(error.code).toBe("new_apps_denied");
    expect(error.message).toMatch(/allow new applications/);
  });
});

describe("token precedence", () => {
  it("the configured token wins over the file", async () => {
    await start();
    const good = sim.pairApp(APP_ID);
    await writeFile(
      join(dir.path, TOKEN_FILE_NAME),
      JSON.stringify({ app_id: APP_ID, app_token: "stale-token-from-file" }),
      { mode: 0o600 },
    );
    await client({ appToken: good }).getConnectionStatus();
    // And the file alone (stale) is refused by the box.
    expect((await failure(client().getConnectionStatus())).code).toBe("invalid_token");
  });

  it("a token file of another app_id is not used", async () => {
    await start();
    await writeFile(
      join(dir.path, TOKEN_FILE_NAME),
      JSON.stringify({ app_id: "other.app", app_token: "x".repeat(20) }),
    );
    const error = await failure(client().getConnectionStatus());
    expect(error.code).toBe("token_file_invalid");
    expect(error.message).toContain("other.app");
  });
});

describe("sessions", () => {
  it("HMAC login, session header on calls, challenge never reused", async () => {
    await start();
    const c = client({ appToken: sim.pairApp(APP_ID) });
    await c.getConnectionStatus();
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api_version",
      "GET login/",
      "POST login/session/",
      "GET connection/",
    ]);
    expect(sim.requests[2]?.body).toMatchObject({ app_id: APP_ID, app_version: "0.1.0" });
    expect((sim.requests[2]?.body as { password?: string } | undefined)?.password).toMatch(/^[0-9a-f]{40}$/);
    expect(sim.requests[3]?.authenticated).toBe(true);
  });

  it("expiry during 10 concurrent calls: exactly one re-login, every call succeeds", async () => {
    await start();
    const c = client({ appToken: sim.pairApp(APP_ID) });
    await c.getConnectionStatus();
    sim.expireSessions();
    sim.clearRequests();
    const results = await Promise.all(Array.from({ length: 10 }, () => c.getConnectionStatus()));
    expect(results.every((r) => r.state === "up")).toBe(true);
    expect(count("POST", "login/session/")).toBe(1);
    expect(count("GET", "connection/")).toBe(20);
  });

  it("a write refused for an expired session is replayed once after the re-login", async () => {
    await start();
    const c = client({ appToken: sim.pairApp(APP_ID, { settings: true }) });
    await c.getConnectionStatus();
    sim.expireSessions();
    sim.clearRequests();
    await c.updateConnectionConfig({ wol: true });
    expect(count("PUT", "connection/config/")).toBe(2);
    expect(sim.state.config.wol).toBe(true);
  });

  it("a session that keeps expiring: one re-login per call, then auth_required (no loop)", async () => {
    await start();
    const c = client({ appToken: sim.pairApp(APP_ID) });
    sim.faults.expireEveryCall = true;
    const error = await failure(c.getConnectionStatus());
    expect(error.code).toBe("auth_required");
    expect(error.httpStatus).toBe(403);
    expect(count("POST", "login/session/")).toBe(2);
    expect(count("GET", "connection/")).toBe(2);
  });

  it("revoked token: invalid_token telling to pair again, then fail fast until restart", async () => {
    await start();
    const c = client({ appToken: sim.pairApp(APP_ID) });
    await c.getConnectionStatus();
    sim.revokeApp(APP_ID);
    const error = await failure(c.getConnectionStatus());
    expect(error.code).toBe("invalid_token");
    expect(error.message).toContain("freebox2mqtt pair");
    sim.clearRequests();
    const again = await failure(c.getDhcpConfig());
    expect(again.code).toBe("invalid_token");
    expect(sim.requests).toHaveLength(0);
  });

  it("missing settings: insufficient_rights naming the right; granted later, picked up by a new session", async () => {
    await start();
    const c = client({ appToken: sim.pairApp(APP_ID, { settings: false }) });
    expect((await c.permissions()).settings).toBe(false);
    const error = await failure(c.updateDhcpConfig({ enabled: false }));
    expect(error.code).toBe("insufficient_rights");
    expect(error.missingRight).toBe("settings");
    expect(error.message).toContain("Modification des réglages");
    expect(error.message).toContain("Gestion des accès");
    expect(count("PUT", "dhcp/config/")).toBe(1);

    sim.setPermission(APP_ID, "settings", true);
    sim.clearRequests();
    await c.updateDhcpConfig({ enabled: false });
    expect(count("POST", "login/session/")).toBe(1);
    expect((await c.permissions()).settings).toBe(true);
  });

  it("rate-limited login: backs off (no request meanwhile), reports, then logs in", async () => {
    await start();
    const { logger, lines } = captureLogs();
    const c = client({ appToken: sim.pairApp(APP_ID), loginBackoff: { baseMs: 200, maxMs: 2000 } }, logger);
    sim.faults.ratelimitLogin = 2;
    const first = await failure(c.getConnectionStatus());
    expect(first.code).toBe("ratelimited");
    expect(first.message).toMatch(/next login attempt in \d+ s/);
    // Within the backoff (200 ms): refused without asking the box.
    sim.clearRequests();
    expect((await failure(c.getConnectionStatus())).code).toBe("ratelimited");
    expect(count("POST", "login/session/")).toBe(0);
    // After it: a second refusal doubles the wait (400 ms), then success.
    await sleep(250);
    expect((await failure(c.getConnectionStatus())).code).toBe("ratelimited");
    await sleep(150);
    expect((await failure(c.getConnectionStatus())).code).toBe("ratelimited");
    expect(count("POST", "login/session/")).toBe(1);
    await sleep(300);
    expect((await c.getConnectionStatus()).state).toBe("up");
    expect(count("POST", "login/session/")).toBe(2);
    expect(lines.filter((l) => l.includes("rate-limits")).length).toBe(2);
  });

  it("no secret in errors or logs", async () => {
    await start({ pairing: { outcome: "granted", delayMs: 40 } });
    const { logger, lines } = captureLogs();
    const c = client({}, logger);
    await c.pair();
    const appToken = (
      JSON.parse(await readFile(join(dir.path, TOKEN_FILE_NAME), "utf8")) as { app_token: string }
    ).app_token;
    await c.getConnectionStatus();
    const login = sim.requests.find((r) => r.path === "login/session/");
    const password = (login?.body as { password?: string } | undefined)?.password ?? "missing";
    const errors = [];
    sim.setPermission(APP_ID, "settings", false);
    await c.logout();
    errors.push(await failure(c.reboot()));
    sim.expireSessions();
    sim.faults.expireEveryCall = true;
    errors.push(await failure(c.getConnectionStatus()));
    sim.faults.expireEveryCall = false;
    sim.revokeApp(APP_ID);
    sim.expireSessions();
    errors.push(await failure(c.getConnectionStatus()));
    await sleep(20);
    const secrets = [appToken, password];
    for (const error of errors) expectNoSecret(error, secrets);
    for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);
  });
});
