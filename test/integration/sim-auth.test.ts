// The simulator's discovery, pairing, sessions and permissions, seen through plain fetch
// (freebox-os-essentials §2–§5).
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hmacPassword } from "../../src/sim/index.js";
import { call, openSession } from "../../src/sim/testing.js";
import { useSimulators } from "./sim-helpers.js";

const sim = useSimulators();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const APP = { app_id: "fr.test.app", app_name: "Test", app_version: "1.0.0", device_name: "ci" };

async function authorize(url: string) {
  return call<{ app_token: string; track_id: number }>(url, "POST", "login/authorize/", { body: APP });
}
async function track(url: string, id: number) {
  return call<{ status: string; challenge: string }>(url, "GET", `login/authorize/${id}`);
}
async function pollUntilFinal(url: string, id: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const status = (await track(url, id)).body.result?.status ?? "";
    if (status !== "pending") return status;
    await sleep(10);
  }
  throw new Error("still pending");
}

describe("discovery", () => {
  it("GET /api_version answers without envelope nor auth", async () => {
    const s = await sim();
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const info = (await (await fetch(`${s.url}/api_version`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      device_name: "Freebox Server",
      box_model: "fbxgw7-r1/full",
      api_version: "15.0",
      api_base_url: "/api/",
      https_available: false,
      https_port: 0,
    });
    expect(info.uid).toMatch(/^[0-9a-f]{32}$/);
    expect(info.api_domain).toMatch(/\.fbxos\.fr$/);
    expect(info.success).toBeUndefined();
  });

  it("an xDSL box advertises another model and the asked api_version", async () => {
    const s = await sim({ media: "xdsl", apiVersion: "10.2" });
    const info = (await (await fetch(`${s.url}/api_version`)).json()) as Record<string, unknown>;
    expect(info.box_model).toBe("fbxgw-r2/full");
    expect(info.api_version).toBe("10.2");
  });
});

describe("HMAC password", () => {
  it("matches the documented vector and opens a session", async () => {
    const token = "89vtuOaDxJ/TDeBDPgWSk9083SbQgEMnHdIGoHg2qK2tpWcLuiRofIjuxZSG8yJn";
    const expected = "b4015852c9216f99f4ba20964b21c010bb779d99";
    const challenge = "drMHV/Atq4ZTtFItdgqfklDdT75k92qE";
    expect(createHmac("sha1", token).update(challenge).digest("hex")).toBe(expected);
    expect(hmacPassword(token, challenge)).toBe(expected);
    const s = await sim({ apps: [{ appId: "vector", appToken: token }] });
    const login = await call<{ challenge: string; logged_in: boolean }>(s.url, "GET", "login/");
    expect(login.body.result?.logged_in).toBe(false);
    const challengeNow = login.body.result?.challenge ?? "";
    const password = createHmac("sha1", token).update(challengeNow).digest("hex");
    const session = await call<{
      session_token: string;
      challenge: string;
      permissions: Record<string, boolean>;
    }>(s.url, "POST", "login/session/", { body: { app_id: "vector", app_version: "1", password } });
    expect(session.status).toBe(200);
    expect(session.body.success).toBe(true);
    expect(session.body.result?.session_token).toEqual(expect.any(String));
    // Challenges rotate: the answer carries a new one.
    expect(session.body.result?.challenge).not.toBe(challengeNow);
    const next = await call<{ challenge: string }>(s.url, "GET", "login/");
    expect(next.body.result?.challenge).toBe(session.body.result?.challenge);
    expect(session.body.result?.permissions).toMatchObject({ settings: false, wdo: false });
  });

  it("two clients logging in with the same challenge both succeed", async () => {
    const s = await sim();
    const token = s.pairApp("a");
    const login = await call<{ challenge: string }>(s.url, "GET", "login/");
    const password = hmacPassword(token, login.body.result?.challenge ?? "");
    const body = { app_id: "a", app_version: "1", password };
    const [one, two] = await Promise.all([
      call(s.url, "POST", "login/session/", { body }),
      call(s.url, "POST", "login/session/", { body }),
    ]);
    expect(one.body.success && two.body.success).toBe(true);
  });

  it("a wrong password or an unknown app get 403 invalid_token with a fresh challenge", async () => {
    const s = await sim();
    s.pairApp("known", { token: "t".repeat(64) });
    const wrong = await call<{ challenge: string }>(s.url, "POST", "login/session/", {
      body: { app_id: "known", app_version: "1", password: "0".repeat(40) },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ success: false, error_code: "invalid_token" });
    expect(wrong.body.msg).toMatch(/[a-zé]/);
    expect(wrong.body.result?.challenge).toEqual(expect.any(String));
    const unknown = await call(s.url, "POST", "login/session/", {
      body: { app_id: "nobody", app_version: "1", password: "0".repeat(40) },
    });
    expect(unknown.status).toBe(403);
    expect(unknown.body.error_code).toBe("invalid_token");
  });
});

describe("pairing", () => {
  it("granted: pending, then granted once polled, then the token logs in", async () => {
    const s = await sim({ pairing: { outcome: "granted", delayMs: 60 } });
    const auth = await authorize(s.url);
    expect(auth.body.success).toBe(true);
    const token = auth.body.result?.app_token ?? "";
    const trackId = auth.body.result?.track_id ?? -1;
    expect(token.length).toBeGreaterThanOrEqual(40);
    const first = await track(s.url, trackId);
    expect(first.body.result).toMatchObject({ status: "pending", challenge: expect.any(String) });
    await expect(openSession(s.url, APP.app_id, token)).rejects.toThrow(/pending_token/);
    expect(await pollUntilFinal(s.url, trackId)).toBe("granted");
    const session = await openSession(s.url, APP.app_id, token);
    expect((await call(s.url, "GET", "connection/", { session })).body.success).toBe(true);
  });

  it("a token whose track was never polled to the end stays invalid", async () => {
    const s = await sim({ pairing: { delayMs: 20 } });
    const auth = await authorize(s.url);
    await sleep(40);
    await expect(openSession(s.url, APP.app_id, auth.body.result?.app_token ?? "")).rejects.toThrow(
      /invalid_token/,
    );
  });

  it.each(["denied", "timeout"] as const)(
    "%s: the status says so and the token is refused",
    async (outcome) => {
      const s = await sim({ pairing: { outcome, delayMs: 20 } });
      const auth = await authorize(s.url);
      expect(await pollUntilFinal(s.url, auth.body.result?.track_id ?? -1)).toBe(outcome);
      await expect(openSession(s.url, APP.app_id, auth.body.result?.app_token ?? "")).rejects.toThrow(
        /invalid_token/,
      );
    },
  );

  it("refuses missing fields, and new requests when allow_token_request is off", async () => {
    const s = await sim();
    const missing = await call(s.url, "POST", "login/authorize/", { body: { app_id: "x", app_name: "X" } });
    expect(missing.status).toBe(403);
    expect(missing.body.error_code).toBe("invalid_request");
    expect((await track(s.url, 9999)).body.result?.status).toBe("unknown");
    s.state.config.allow_token_request = false;
    const denied = await authorize(s.url);
    expect(denied.status).toBe(403);
    expect(denied.body.error_code).toBe("new_apps_denied");
  });

  it("grantSettings gives the settings right to newly paired apps", async () => {
    const s = await sim({ grantSettings: true, pairing: { delayMs: 0 } });
    const auth = await authorize(s.url);
    await pollUntilFinal(s.url, auth.body.result?.track_id ?? -1);
    const session = await openSession(s.url, APP.app_id, auth.body.result?.app_token ?? "");
    const put = await call(s.url, "PUT", "connection/config/", { session, body: { ping: false } });
    expect(put.body.success).toBe(true);
  });
});

describe("sessions and permissions", () => {
  it("answers 403 auth_required without a session and invalid_session for a made-up one", async () => {
    const s = await sim();
    const none = await call(s.url, "GET", "connection/");
    expect(none.status).toBe(403);
    expect(none.body).toMatchObject({ success: false, error_code: "auth_required", uid: s.state.box.uid });
    const garbage = await call(s.url, "GET", "connection/", { session: "not-a-session" });
    expect(garbage.status).toBe(403);
    expect(garbage.body.error_code).toBe("invalid_session");
  });

  it("logout ends the session; GET login/ tells whether logged in", async () => {
    const s = await sim();
    const session = await openSession(s.url, "a", s.pairApp("a"));
    expect((await call(s.url, "GET", "login/", { session })).body.result?.logged_in).toBe(true);
    const out = await call(s.url, "POST", "login/logout/", { session });
    expect(out.body).toEqual({ success: true });
    expect((await call(s.url, "GET", "connection/", { session })).body.error_code).toBe("auth_required");
  });

  it("writes need settings; a right granted later needs a new session", async () => {
    const s = await sim();
    const token = s.pairApp("a");
    const session = await openSession(s.url, "a", token);
    const refused = await call(s.url, "PUT", "dhcp/config/", { session, body: { enabled: false } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error_code: "insufficient_rights", missing_right: "settings" });
    expect(s.state.dhcp.enabled).toBe(true);
    s.setPermission("a", "settings", true);
    expect((await call(s.url, "PUT", "dhcp/config/", { session, body: { enabled: false } })).status).toBe(
      403,
    );
    const fresh = await openSession(s.url, "a", token);
    const ok = await call(s.url, "PUT", "dhcp/config/", { session: fresh, body: { enabled: false } });
    expect(ok.body.success).toBe(true);
    expect(s.state.dhcp.enabled).toBe(false);
    // Reading never needs settings.
    expect((await call(s.url, "GET", "dhcp/config/", { session })).body.success).toBe(true);
  });

  it("revokeApp: the token gets invalid_token and open sessions end", async () => {
    const s = await sim();
    const token = s.pairApp("a");
    const session = await openSession(s.url, "a", token);
    s.revokeApp("a");
    expect((await call(s.url, "GET", "connection/", { session })).body.error_code).toBe("auth_required");
    await expect(openSession(s.url, "a", token)).rejects.toThrow(/invalid_token/);
  });

  it("sessions expire: on demand and after sessionTtlMs", async () => {
    const s = await sim({ sessionTtlMs: 50 });
    const token = s.pairApp("a");
    let session = await openSession(s.url, "a", token);
    s.expireSessions();
    const expired = await call(s.url, "GET", "connection/", { session });
    expect(expired.status).toBe(403);
    expect(expired.body.error_code).toBe("auth_required");
    session = await openSession(s.url, "a", token);
    expect((await call(s.url, "GET", "connection/", { session })).body.success).toBe(true);
    await sleep(70);
    expect((await call(s.url, "GET", "connection/", { session })).body.error_code).toBe("auth_required");
  });

  it("logs every request with its path, major, body and whether it was authenticated", async () => {
    const s = await sim();
    const session = await openSession(s.url, "a", s.pairApp("a"), 8);
    s.clearRequests();
    await call(s.url, "GET", "connection/config/", { session, major: 8 });
    await call(s.url, "PUT", "connection/config/", { major: 8, body: { ping: false } });
    expect(s.requests).toEqual([
      expect.objectContaining({ method: "GET", path: "connection/config/", major: 8, authenticated: true }),
      expect.objectContaining({ method: "PUT", major: 8, body: { ping: false }, authenticated: false }),
    ]);
    expect(s.requests[0]?.at).toBeGreaterThan(0);
  });
});
