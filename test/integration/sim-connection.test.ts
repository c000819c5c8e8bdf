// connection/* on the simulator: shapes per freebox-api-connection and essentials §8, statefulness,
// and every documented validation code.
import { describe, expect, it } from "vitest";
import type { SimulatorOptions } from "../../src/sim/index.js";
import { call, openSession } from "../../src/sim/testing.js";
import { useSimulators } from "./sim-helpers.js";

const sim = useSimulators();

/** A simulator and a session with the settings right. */
async function box(options: SimulatorOptions = {}) {
  const s = await sim(options);
  const session = await openSession(s.url, "app", s.pairApp("app", { settings: true }));
  const get = <R = Record<string, unknown>>(path: string) => call<R>(s.url, "GET", path, { session });
  const put = <R = Record<string, unknown>>(path: string, body: unknown) =>
    call<R>(s.url, "PUT", path, { session, body });
  return { s, session, get, put };
}

describe("connection status", () => {
  it("a fibre box: ethernet/ftth, 8 Gbit/s beyond 32 bits, addresses while up", async () => {
    const { get } = await box();
    const { status, body } = await get("connection/");
    expect(status).toBe(200);
    expect(body.result).toMatchObject({
      state: "up",
      media: "ftth",
      type: "ethernet",
      ipv4_port_range: [0, 65535],
    });
    expect(body.result?.bandwidth_down).toBe(8_000_000_000);
    expect(Number(body.result?.bandwidth_down)).toBeGreaterThan(2 ** 32);
    expect(body.result?.ipv4).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(body.result?.ipv6).toMatch(/^2a01:/);
    for (const key of ["rate_up", "rate_down", "bandwidth_up", "bytes_up", "bytes_down"]) {
      expect(Number.isInteger(body.result?.[key])).toBe(true);
    }
  });

  it("ipv4/ipv6 and remote_access_ip are absent unless up; bytes restart on reconnection", async () => {
    const { s, get } = await box();
    s.setLinkState("going_down");
    const down = (await get("connection/")).body.result ?? {};
    expect(down.state).toBe("going_down");
    expect(down).not.toHaveProperty("ipv4");
    expect(down).not.toHaveProperty("ipv6");
    expect((await get("connection/config/")).body.result).not.toHaveProperty("remote_access_ip");
    s.setLinkState("down");
    s.setLinkState("up");
    const up = (await get("connection/")).body.result ?? {};
    expect(up).toMatchObject({ state: "up", bytes_up: 0, bytes_down: 0 });
    expect(up).toHaveProperty("ipv4");
    expect((await get("connection/config/")).body.result?.remote_access_ip).toBe(up.ipv4);
  });

  it("an xDSL box: rfc2684, xdsl page with phyr/ginp fields only when on; ftth page meaningless", async () => {
    const { s, get } = await box({ media: "xdsl" });
    expect((await get("connection/")).body.result).toMatchObject({ media: "xdsl", type: "rfc2684" });
    type Stats = Record<string, unknown>;
    const xdsl = (await get<{ status: Stats; down: Stats; up: Stats }>("connection/xdsl/")).body.result;
    expect(xdsl?.status).toMatchObject({ status: "showtime", protocol: "adsl2plus_a", modulation: "adsl" });
    expect(xdsl?.down).toMatchObject({ phyr: true, rxmt: expect.any(Number), rxmt_corr: expect.any(Number) });
    expect(xdsl?.down).not.toHaveProperty("rtx_tx");
    expect(xdsl?.up).toMatchObject({ ginp: true, rtx_tx: expect.any(Number), rtx_uc: expect.any(Number) });
    expect(xdsl?.up).not.toHaveProperty("rxmt");
    s.state.xdsl.down.phyr = false;
    expect((await get<{ down: Stats }>("connection/xdsl/")).body.result?.down).not.toHaveProperty("rxmt");
    const ftth = await get("connection/ftth/");
    expect(ftth.body).toMatchObject({
      success: true,
      result: { sfp_present: false, sfp_has_power_report: false },
    });
    expect(ftth.body.result).not.toHaveProperty("sfp_pwr_rx");
    s.setLinkState("down");
    expect((await get<{ status: Stats }>("connection/xdsl/")).body.result?.status.status).toBe("down");
  });

  it("a fibre box: ftth page with link and power report; xdsl page answers 'down', not an error", async () => {
    const { s, get } = await box();
    const ftth = (await get("connection/ftth/")).body.result;
    expect(ftth).toMatchObject({ sfp_present: true, has_sfp: true, link: true, sfp_has_power_report: true });
    expect(Number(ftth?.sfp_pwr_rx)).toBeLessThan(0);
    s.state.ftth.sfp_has_power_report = false;
    expect((await get("connection/ftth/")).body.result).not.toHaveProperty("sfp_pwr_tx");
    const xdsl = await get<{ status: { status: string } }>("connection/xdsl/");
    expect(xdsl.body.success).toBe(true);
    expect(xdsl.body.result?.status.status).toBe("down");
    s.setMedia("xdsl");
    expect((await get("connection/")).body.result).toMatchObject({ media: "xdsl", type: "rfc2684" });
    expect((await get<{ status: { status: string } }>("connection/xdsl/")).body.result?.status.status).toBe(
      "showtime",
    );
  });
});

describe("connection configuration", () => {
  it("PUT changes what later GETs return and ignores read-only fields", async () => {
    const { s, get, put } = await box();
    const before = (await get("connection/config/")).body.result ?? {};
    expect(before).toMatchObject({
      ping: true,
      wol: false,
      adblock_not_set: true,
      allow_token_request: true,
    });
    const after = await put("connection/config/", {
      ping: false,
      wol: true,
      adblock: true,
      remote_access_port: 8443,
      is_secure_pass: false,
      remote_access_ip: "1.2.3.4",
      api_remote_access: false,
      unknown_key: 1,
    });
    expect(after.body.result).toMatchObject({
      ping: false,
      wol: true,
      adblock: true,
      adblock_not_set: false,
      remote_access_port: 8443,
      is_secure_pass: true,
      api_remote_access: true,
      remote_access_ip: s.state.connection.ipv4,
    });
    expect(after.body.result).not.toHaveProperty("unknown_key");
    expect((await get("connection/config/")).body.result).toEqual(after.body.result);
  });

  it.each([0, 65536, 80.5, "8080", -1])("remote_access_port %j → invalid_port", async (port) => {
    const { s, put } = await box();
    const before = s.state.config.remote_access_port;
    const res = await put("connection/config/", { remote_access_port: port, ping: false });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, error_code: "invalid_port" });
    expect(s.state.config.remote_access_port).toBe(before);
    expect(s.state.config.ping).toBe(true);
  });

  it("a shared IPv4 restricts the port (port_outside_range)", async () => {
    const { s, put } = await box();
    s.state.connection.ipv4_port_range = [0, 16383];
    expect((await put("connection/config/", { remote_access_port: 20000 })).body.error_code).toBe(
      "port_outside_range",
    );
    expect((await put("connection/config/", { remote_access_port: 16000 })).body.success).toBe(true);
  });

  it("remote access needs a secure admin password (insecure_password); wrong types are inval", async () => {
    const { s, put } = await box();
    s.state.config.is_secure_pass = false;
    const res = await put("connection/config/", { remote_access: true });
    expect(res.body.error_code).toBe("insecure_password");
    expect(s.state.config.remote_access).toBe(false);
    s.state.config.is_secure_pass = true;
    expect((await put("connection/config/", { remote_access: true })).body.result?.remote_access).toBe(true);
    expect((await put("connection/config/", { ping: "yes" })).body.error_code).toBe("inval");
    expect((await put("connection/config/", [1, 2])).body.error_code).toBe("inval");
  });
});

describe("IPv6 configuration", () => {
  type Ipv6 = {
    ipv6_enabled: boolean;
    ipv6ll: string;
    delegations: Array<{ prefix: string; next_hop: string }>;
  };

  it("8 delegations; a PUT addresses one by prefix; ipv6ll is read-only", async () => {
    const { get, put } = await box();
    const initial = (await get<Ipv6>("connection/ipv6/config/")).body.result;
    expect(initial?.delegations).toHaveLength(8);
    expect(initial?.delegations.every((d) => d.next_hop === "")).toBe(true);
    expect(initial?.ipv6ll).toMatch(/^fe80::/);
    const prefix = initial?.delegations[2]?.prefix ?? "";
    const res = await put<Ipv6>("connection/ipv6/config/", {
      ipv6ll: "fe80::1",
      delegations: [{ prefix, next_hop: "fe80::be30:5bff:feb5:fcc7" }],
    });
    expect(res.body.success).toBe(true);
    expect(res.body.result?.ipv6ll).toBe(initial?.ipv6ll);
    const after = (await get<Ipv6>("connection/ipv6/config/")).body.result;
    expect(after?.delegations.map((d) => d.next_hop)).toEqual([
      "",
      "",
      "fe80::be30:5bff:feb5:fcc7",
      "",
      "",
      "",
      "",
      "",
    ]);
    // Empty next_hop is allowed (clears it).
    await put("connection/ipv6/config/", { delegations: [{ prefix, next_hop: "" }] });
    expect((await get<Ipv6>("connection/ipv6/config/")).body.result?.delegations[2]?.next_hop).toBe("");
    const off = await put<Ipv6>("connection/ipv6/config/", { ipv6_enabled: false });
    expect(off.body.result?.ipv6_enabled).toBe(false);
    expect((await get("connection/")).body.result).not.toHaveProperty("ipv6");
  });

  it("invalid_next_hop for a non link-local address; inval for an unknown prefix or wrong type", async () => {
    const { s, put } = await box();
    const prefix = s.state.ipv6.delegations[0]?.prefix ?? "";
    for (const hop of ["2001:db8::1", "192.168.1.10", "nonsense", "fec0::1"]) {
      const res = await put("connection/ipv6/config/", { delegations: [{ prefix, next_hop: hop }] });
      expect(res.body.error_code).toBe("invalid_next_hop");
    }
    expect(s.state.ipv6.delegations[0]?.next_hop).toBe("");
    const unknown = await put("connection/ipv6/config/", {
      delegations: [{ prefix: "2001:db8::/64", next_hop: "" }],
    });
    expect(unknown.body.error_code).toBe("inval");
    expect((await put("connection/ipv6/config/", { ipv6_enabled: "no" })).body.error_code).toBe("inval");
    expect((await put("connection/ipv6/config/", { delegations: "x" })).body.error_code).toBe("inval");
  });
});

describe("DynDNS", () => {
  it("stores the password but never returns it; status follows config and line", async () => {
    const { s, get, put } = await box();
    expect((await get("connection/ddns/ovh/")).body.result).toEqual({
      enabled: false,
      hostname: "",
      user: "",
    });
    expect((await get("connection/ddns/ovh/status/")).body.result).toMatchObject({ status: "disabled" });
    const res = await put("connection/ddns/ovh/", {
      enabled: true,
      hostname: "maison.example.org",
      user: "me",
      password: "s3cret",
    });
    expect(res.body.result).toEqual({ enabled: true, hostname: "maison.example.org", user: "me" });
    expect(JSON.stringify((await get("connection/ddns/ovh/")).body)).not.toContain("s3cret");
    expect(s.state.ddns.ovh.password).toBe("s3cret");
    const status = (await get("connection/ddns/ovh/status/")).body.result ?? {};
    expect(status.status).toBe("ok");
    expect(Number(status.last_refresh)).toBeGreaterThan(0);
    s.setLinkState("down");
    expect((await get("connection/ddns/ovh/status/")).body.result?.status).toBe("nowan");
    expect((await get("connection/ddns/noip/status/")).body.result?.status).toBe("disabled");
  });

  it("an unknown provider is invalid_provider; wrong types are inval", async () => {
    const { get, put } = await box();
    expect((await get("connection/ddns/foo/")).body.error_code).toBe("invalid_provider");
    expect((await get("connection/ddns/foo/status/")).body.error_code).toBe("invalid_provider");
    expect((await put("connection/ddns/foo/", { enabled: true })).body.error_code).toBe("invalid_provider");
    expect((await put("connection/ddns/dyndns/", { enabled: 1 })).body.error_code).toBe("inval");
  });
});
