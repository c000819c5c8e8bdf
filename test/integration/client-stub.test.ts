// Answers the simulator does not script, from a stub box on loopback: every documented error code
// of both pages, pairing refusals and `unknown`, empty lists without `result`, odd discovery.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FreeboxClient } from "../../src/freebox/client.js";
import {
  APP_ID,
  captureLogs,
  expectNoSecret,
  failure,
  makeClient,
  STUB_SESSION,
  type StubBox,
  type StubReply,
  type StubRequest,
  startStub,
  tempDir,
} from "./client-helpers.js";

const TOKEN = "stub-app-token-0123456789";
let stub: StubBox;
let dir: { path: string; remove(): Promise<void> };
let client: FreeboxClient;
let handler: (req: StubRequest) => StubReply | undefined;

beforeEach(async () => {
  handler = () => undefined;
  stub = await startStub((req) => handler(req));
  dir = await tempDir();
  client = makeClient(stub.url, dir.path, captureLogs().logger, { appToken: TOKEN });
});
afterEach(async () => {
  await client.close();
  await stub.close();
  await dir.remove();
});

const boxError = (code: string, status = 200): StubReply => ({
  status,
  body: { success: false, error_code: code, msg: `Erreur ${code}` },
});

// freebox-api-connection "Connection Errors" and freebox-api-dhcp "DHCP Errors", plus codes met
// in practice (essentials §4, §8).
const CONNECTION_CODES = [
  "inval",
  "nodev",
  "noent",
  "netdown",
  "busy",
  "invalid_port",
  "insecure_password",
  "invalid_provider",
  "invalid_next_hop",
  "port_outside_range",
];
const DHCP_CODES = [
  "inval",
  "inval_netmask",
  "inval_ip_range",
  "inval_ip_range_net",
  "inval_gw_net",
  "exist",
  "nodev",
  "noent",
  "netdown",
  "busy",
];
const OTHER_CODES = ["pending_token", "apps_denied", "internal_error", "deprecated", "invalid_request"];

describe("error codes from a stub box", () => {
  it.each(CONNECTION_CODES)("connection page: %s surfaces as FreeboxError.code", async (code) => {
    handler = () => boxError(code);
    const error = await failure(client.updateConnectionConfig({ ping: true }));
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(200);
    expect(error.message).toMatch(/^PUT connection\/config\/: /);
    expect(error.message).toContain(`(box: "Erreur ${code}")`);
    // A write is never replayed after a box error.
    expect(stub.requests.filter((r) => r.method === "PUT")).toHaveLength(1);
  });

  it.each(DHCP_CODES)("DHCP page: %s surfaces as FreeboxError.code", async (code) => {
    handler = () => boxError(code);
    const error = await failure(client.updateDhcpConfig({ enabled: true }));
    expect(error.code).toBe(code);
    expect(error.message).toContain(`Erreur ${code}`);
  });

  it.each(OTHER_CODES)("other code %s surfaces as FreeboxError.code", async (code) => {
    handler = () => boxError(code, 403);
    const error = await failure(client.getDhcpConfig());
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(403);
  });

  it("sends the session token on every authenticated call", async () => {
    handler = () => ({ body: { success: true, result: { enabled: true } } });
    await client.getDhcpConfig();
    const call = stub.requests.find((r) => r.path === "dhcp/config/");
    expect(call?.auth).toBe(STUB_SESSION);
    expect(stub.requests.find((r) => r.path === "login/")?.auth).toBeUndefined();
  });

  it("never puts the app token, session token or challenge answer in errors or logs", async () => {
    const { logger, lines } = captureLogs();
    const c = makeClient(stub.url, dir.path, logger, { appToken: TOKEN });
    const errors = [];
    for (const reply of [
      boxError("insufficient_rights", 403),
      { status: 502, body: "<html>" },
      boxError("invalid_token", 403),
    ]) {
      handler = () => reply;
      errors.push(await failure(c.getDhcpConfig()));
    }
    await c.close();
    const password = stub.requests.find((r) => r.path === "login/session/")?.body as { password: string };
    const secrets = [TOKEN, STUB_SESSION, password.password];
    for (const error of errors) expectNoSecret(error, secrets);
    for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);
    expect(lines.length).toBeGreaterThan(0);
  });

  it("an insufficient_rights without missing_right names settings (every write needs it)", async () => {
    handler = () => boxError("insufficient_rights", 403);
    const error = await failure(client.reboot());
    expect(error.missingRight).toBe("settings");
  });
});

describe("lists and results", () => {
  it("an empty list without result is []", async () => {
    expect(await client.listStaticLeases()).toEqual([]);
    expect(await client.listDynamicLeases()).toEqual([]);
  });

  it("an answer starting with a UTF-8 byte order mark is read as JSON, as fetch's text() reads it", async () => {
    handler = () => ({ body: `\uFEFF${JSON.stringify({ success: true, result: { state: "up" } })}` });
    expect(await client.getConnectionStatus()).toEqual({ state: "up" });
    expect(await client.updateConnectionConfig({ ping: true })).toEqual({ state: "up" });
  });

  it("a missing result object is bad_response", async () => {
    expect((await failure(client.getConnectionStatus())).code).toBe("bad_response");
    handler = () => ({ body: { success: true, result: "up" } });
    expect((await failure(client.getConnectionStatus())).code).toBe("bad_response");
    handler = () => ({ body: { success: true, result: { not: "a list" } } });
    expect((await failure(client.listDynamicLeases())).code).toBe("bad_response");
  });
});

describe("pairing refusals", () => {
  it.each([
    ["new_apps_denied", /allow new applications/],
    ["denied_from_external_ip", /local network/],
  ])("POST login/authorize/ answering %s", async (code, text) => {
    handler = (req) => (req.path === "login/authorize/" ? boxError(code, 403) : undefined);
    const error = await failure(client.pair());
    expect(error.code).toBe(code);
    expect(error.message).toMatch(text);
  });

  it("a track whose status becomes unknown is pairing_unknown", async () => {
    handler = (req) => {
      if (req.path === "login/authorize/") {
        expect(req.body).toMatchObject({ app_id: APP_ID, app_name: "freebox2mqtt" });
        return { body: { success: true, result: { app_token: "stub-new-token-xyz987", track_id: 7 } } };
      }
      if (req.path === "login/authorize/7") return { body: { success: true, result: { status: "unknown" } } };
      return undefined;
    };
    const progress: string[] = [];
    const error = await failure(client.pair((p) => progress.push(p.status)));
    expect(error.code).toBe("pairing_unknown");
    expect(progress).toEqual(["unknown"]);
    expect(await makeClient(stub.url, dir.path, captureLogs().logger).hasToken()).toBe(false);
  });

  it("a box that stays pending past our bound is pairing_timeout", async () => {
    handler = (req) => {
      if (req.path === "login/authorize/") {
        return { body: { success: true, result: { app_token: "stub-new-token-xyz987", track_id: 8 } } };
      }
      return { body: { success: true, result: { status: "pending" } } };
    };
    const slow = makeClient(stub.url, dir.path, captureLogs().logger, { pairingTimeoutMs: 200 });
    const left: number[] = [];
    const error = await failure(slow.pair((p) => left.push(p.secondsLeft ?? -1)));
    await slow.close();
    expect(error.code).toBe("pairing_timeout");
    expect(left.at(-1)).toBe(0);
  });
});

describe("discovery", () => {
  it("an /api_version without api_version is bad_response", async () => {
    const odd = await startStub(() => undefined, "not-a-version");
    const c = makeClient(odd.url, dir.path, captureLogs().logger, { appToken: TOKEN });
    expect((await failure(c.getConnectionStatus())).code).toBe("bad_response");
    await c.close();
    await odd.close();
  });

  it("serves the v3/v4 paths through the box's major (v10 box: /api/v10/)", async () => {
    const ten = await startStub(() => ({ body: { success: true, result: { enabled: true } } }), "10.0");
    const c = makeClient(ten.url, dir.path, captureLogs().logger, { appToken: TOKEN });
    await c.getDhcpConfig();
    expect(c.apiMajor).toBe(10);
    expect(ten.requests.map((r) => r.url)).toContain("/api/v10/dhcp/config/");
    await c.close();
    await ten.close();
  });
});
