// Version routing, system/ shapes per major (essentials §2, §7) and reboot.
import { describe, expect, it } from "vitest";
import type { SimulatorOptions } from "../../src/sim/index.js";
import { call, openSession } from "../../src/sim/testing.js";
import { useSimulators } from "./sim-helpers.js";

const sim = useSimulators();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function box(options: SimulatorOptions = {}, settings = true) {
  const s = await sim(options);
  const token = s.pairApp("app", { settings });
  const session = await openSession(s.url, "app", token, 1);
  return { s, token, session };
}

describe("version routing", () => {
  it("404 'Version d'API inconnue' above the advertised major, 404 for unknown paths", async () => {
    const { s, session } = await box({ apiVersion: "8.3" });
    const above = await call(s.url, "GET", "connection/", { session, major: 9 });
    expect(above.status).toBe(404);
    expect(above.body).toEqual({
      success: false,
      error_code: "invalid_request",
      msg: "Version d'API inconnue",
    });
    expect((await call(s.url, "GET", "connection/", { session, major: 8 })).status).toBe(200);
    const unknown = await call(s.url, "GET", "parental/config/", { session, major: 8 });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ success: false, error_code: "invalid_request" });
    expect((await call(s.url, "DELETE", "connection/config/", { session, major: 8 })).status).toBe(404);
    expect((await fetch(`${s.url}/api/connection/`)).status).toBe(404);
  });

  it("connection from v3, DHCP from v4, login and system from v1", async () => {
    const { s, session } = await box();
    expect((await call(s.url, "GET", "connection/", { session, major: 2 })).status).toBe(404);
    expect((await call(s.url, "GET", "connection/", { session, major: 3 })).status).toBe(200);
    expect((await call(s.url, "GET", "dhcp/config/", { session, major: 3 })).status).toBe(404);
    expect((await call(s.url, "GET", "dhcp/config/", { session, major: 4 })).status).toBe(200);
    expect((await call(s.url, "GET", "system/", { session, major: 1 })).body.success).toBe(true);
    expect((await call(s.url, "GET", "login/", { major: 1 })).body.success).toBe(true);
  });
});

describe("system", () => {
  it("v6 and later: sensors[] (one without value), fans[], model_info, French uptime", async () => {
    const { s, session } = await box();
    s.state.system.uptime_val = 5 * 86400 + 3600 + 49 * 60 + 36;
    type Sensor = { id: string; name: string; value?: number };
    const res = await call<Record<string, unknown> & { sensors: Sensor[]; fans: Sensor[] }>(
      s.url,
      "GET",
      "system/",
      {
        session,
        major: 6,
      },
    );
    const sys = res.body.result;
    expect(sys).toMatchObject({
      firmware_version: expect.any(String),
      mac: s.state.system.mac,
      serial: expect.any(String),
      uptime: "5 jours 1 heure 49 minutes 36 secondes",
      uptime_val: 5 * 86400 + 3600 + 49 * 60 + 36,
      board_name: "fbxgw7r",
      disk_status: "active",
      model_info: { name: "fbxgw7-r1/full", pretty_name: "Freebox v7 (r1)" },
    });
    expect(String(sys?.mac)).toMatch(/^34:27:92:([0-9A-F]{2}:){2}[0-9A-F]{2}$/);
    expect(sys?.sensors.some((x) => x.value === undefined)).toBe(true);
    expect(sys?.sensors.find((x) => x.id === "temp_cpu_ap")?.value).toEqual(expect.any(Number));
    expect(sys?.fans[0]).toMatchObject({ id: "fan0_speed", value: expect.any(Number) });
    expect(sys).not.toHaveProperty("temp_cpum");
  });

  it("v5 and earlier: the flat shape", async () => {
    const { s, session } = await box({ media: "xdsl" });
    const sys = (await call(s.url, "GET", "system/", { session, major: 5 })).body.result;
    expect(sys).toMatchObject({
      temp_cpum: expect.any(Number),
      temp_cpub: expect.any(Number),
      temp_sw: expect.any(Number),
      fan_rpm: expect.any(Number),
      box_flavor: "full",
      board_name: "fbxgw2r",
    });
    expect(sys).not.toHaveProperty("sensors");
    expect(sys).not.toHaveProperty("model_info");
  });

  it("reboot needs settings", async () => {
    const { s, session } = await box({}, false);
    const res = await call(s.url, "POST", "system/reboot/", { session });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error_code: "insufficient_rights", missing_right: "settings" });
    expect((await call(s.url, "GET", "system/", { session })).body.success).toBe(true);
  });

  it("reboot answers, is unreachable for rebootMs, then comes back without sessions", async () => {
    const { s, token, session } = await box({ rebootMs: 150 });
    const uptimeBefore = s.state.system.uptime_val;
    const res = await call(s.url, "POST", "system/reboot/", { session });
    expect(res.body).toEqual({ success: true });
    await sleep(20);
    await expect(fetch(`${s.url}/api_version`)).rejects.toThrow();
    await sleep(200);
    const after = await call(s.url, "GET", "connection/", { session });
    expect(after.status).toBe(403);
    expect(after.body.success).toBe(false);
    const fresh = await openSession(s.url, "app", token);
    const sys = (await call(s.url, "GET", "system/", { session: fresh })).body.result;
    expect(Number(sys?.uptime_val)).toBeLessThan(uptimeBefore);
    expect((await call(s.url, "GET", "connection/", { session: fresh })).body.result?.state).toBe("up");
  });
});
