// dhcp/* on the simulator: freebox-api-dhcp shapes, statefulness and every documented error code.
import { describe, expect, it } from "vitest";
import type { SimulatorOptions } from "../../src/sim/index.js";
import { call, openSession } from "../../src/sim/testing.js";
import { useSimulators } from "./sim-helpers.js";

const sim = useSimulators();

type Lease = Record<string, unknown> & {
  id: string;
  mac: string;
  ip: string;
  host?: Record<string, unknown>;
};

async function box(options: SimulatorOptions = {}) {
  const s = await sim(options);
  const session = await openSession(s.url, "app", s.pairApp("app", { settings: true }));
  const req = <R = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    call<R>(s.url, method, path, { session, body });
  return { s, req };
}

describe("DHCP configuration", () => {
  it("GET pads dns to 5; PUT changes later GETs and ignores gateway/netmask", async () => {
    const { req } = await box();
    const initial = (await req("GET", "dhcp/config/")).body.result;
    expect(initial).toMatchObject({
      enabled: true,
      gateway: "192.168.1.254",
      netmask: "255.255.255.0",
      ip_range_start: "192.168.1.2",
      ip_range_end: "192.168.1.50",
      dns: ["192.168.1.254", "", "", "", ""],
    });
    const put = await req("PUT", "dhcp/config/", {
      sticky_assign: false,
      ip_range_start: "192.168.1.10",
      ip_range_end: "192.168.1.99",
      dns: ["1.1.1.1", "9.9.9.9"],
      gateway: "10.0.0.1",
      netmask: "255.0.0.0",
    });
    expect(put.body.success).toBe(true);
    const after = (await req("GET", "dhcp/config/")).body.result;
    expect(after).toMatchObject({
      sticky_assign: false,
      ip_range_start: "192.168.1.10",
      ip_range_end: "192.168.1.99",
      gateway: "192.168.1.254",
      netmask: "255.255.255.0",
      dns: ["1.1.1.1", "9.9.9.9", "", "", ""],
    });
  });

  it.each([
    [{ ip_range_start: "192.168.1.60", ip_range_end: "192.168.1.20" }, "inval_ip_range"],
    [{ ip_range_start: "192.168.1.300" }, "inval_ip_range"],
    [{ ip_range_end: "not an ip" }, "inval_ip_range"],
    [{ ip_range_start: "10.0.0.2", ip_range_end: "10.0.0.50" }, "inval_ip_range_net"],
    [{ ip_range_end: "192.168.1.255" }, "inval_ip_range_net"],
    [{ enabled: "yes" }, "inval"],
    [{ dns: "1.1.1.1" }, "inval"],
    [{ dns: ["1.1.1.1", 2] }, "inval"],
    [{ dns: ["a", "", "", "", "", ""] }, "inval"],
    [{ ip_range_start: 12 }, "inval"],
  ])("PUT %j → %s, nothing changed", async (body, code) => {
    const { s, req } = await box();
    const before = JSON.stringify(s.state.dhcp);
    const res = await req("PUT", "dhcp/config/", body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, error_code: code });
    expect(res.body.msg).toEqual(expect.any(String));
    expect(JSON.stringify(s.state.dhcp)).toBe(before);
  });

  it("a broken LAN (set by a test) is reported as inval_netmask / inval_gw_net", async () => {
    const { s, req } = await box();
    s.state.dhcp.netmask = "255.0.255.0";
    expect((await req("PUT", "dhcp/config/", { enabled: true })).body.error_code).toBe("inval_netmask");
    s.state.dhcp.netmask = "255.255.255.0";
    s.state.dhcp.gateway = "192.168.1.0";
    expect((await req("PUT", "dhcp/config/", { enabled: true })).body.error_code).toBe("inval_gw_net");
  });
});

describe("static leases", () => {
  it("lists generated leases: id is the uppercase MAC, host is a LanHost", async () => {
    const { req } = await box({ staticLeases: 4 });
    const list = (await req<Lease[]>("GET", "dhcp/static_lease/")).body.result ?? [];
    expect(list).toHaveLength(4);
    for (const lease of list) {
      expect(lease.id).toBe(lease.mac);
      expect(lease.mac).toMatch(/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
      expect(lease.ip).toMatch(/^192\.168\.1\.\d+$/);
      expect(lease.host).toMatchObject({
        primary_name: lease.hostname,
        host_type: expect.any(String),
        active: expect.any(Boolean),
        reachable: expect.any(Boolean),
        last_activity: expect.any(Number),
        l2ident: { id: lease.mac, type: "mac_address" },
      });
      // Undocumented keys real boxes send.
      expect(lease.host).toHaveProperty("interface");
      expect(lease.host).toHaveProperty("first_activity");
    }
  });

  it("POST, GET (any MAC case), PUT, DELETE (no result), then noent", async () => {
    const { s, req } = await box();
    const added = await req<Lease>("POST", "dhcp/static_lease/", {
      mac: "00:00:00:11:11:aa",
      ip: "192.168.1.222",
    });
    expect(added.body.result).toEqual({
      id: "00:00:00:11:11:AA",
      mac: "00:00:00:11:11:AA",
      comment: "",
      hostname: "00:00:00:11:11:AA",
      ip: "192.168.1.222",
    });
    const got = await req<Lease>("GET", "dhcp/static_lease/00:00:00:11:11:aa");
    expect(got.body.result?.id).toBe("00:00:00:11:11:AA");
    const encoded = await req<Lease>("GET", "dhcp/static_lease/00%3A00%3A00%3A11%3A11%3AAA");
    expect(encoded.body.result?.ip).toBe("192.168.1.222");
    const updated = await req<Lease>("PUT", "dhcp/static_lease/00:00:00:11:11:AA", {
      comment: "Mon PC",
      ip: "192.168.1.223",
      hostname: "ignored",
    });
    expect(updated.body.result).toMatchObject({
      comment: "Mon PC",
      ip: "192.168.1.223",
      hostname: "00:00:00:11:11:AA",
    });
    expect(s.state.staticLeases.find((l) => l.mac === "00:00:00:11:11:AA")?.comment).toBe("Mon PC");
    const deleted = await req("DELETE", "dhcp/static_lease/00:00:00:11:11:AA");
    expect(deleted.body).toEqual({ success: true });
    for (const method of ["GET", "PUT", "DELETE"]) {
      const res = await req(
        method,
        "dhcp/static_lease/00:00:00:11:11:AA",
        method === "PUT" ? { comment: "x" } : undefined,
      );
      expect(res.body.error_code).toBe("noent");
    }
  });

  it("exist for a known MAC or an IP used by another lease; inval for bad values", async () => {
    const { s, req } = await box();
    const [first, second] = s.state.staticLeases;
    const sameMac = await req("POST", "dhcp/static_lease/", {
      mac: first?.mac.toLowerCase(),
      ip: "192.168.1.230",
    });
    expect(sameMac.body.error_code).toBe("exist");
    const sameIp = await req("POST", "dhcp/static_lease/", { mac: "02:00:00:00:00:01", ip: first?.ip });
    expect(sameIp.body.error_code).toBe("exist");
    const moveOnto = await req("PUT", `dhcp/static_lease/${second?.mac}`, { ip: first?.ip });
    expect(moveOnto.body.error_code).toBe("exist");
    for (const body of [
      { mac: "nope", ip: "192.168.1.231" },
      { mac: "02:00:00:00:00:02", ip: "192.168.1.999" },
      { mac: "02:00:00:00:00:02", ip: "10.0.0.1" },
      { mac: "02:00:00:00:00:02" },
      { mac: "02:00:00:00:00:02", ip: "192.168.1.232", comment: 5 },
    ]) {
      expect((await req("POST", "dhcp/static_lease/", body)).body.error_code).toBe("inval");
    }
    expect(s.state.staticLeases).toHaveLength(3);
  });
});

describe("dynamic leases", () => {
  it("lists leases with is_static following the static table, host objects or {}", async () => {
    const { s, req } = await box({ dynamicLeases: 5 });
    type Dyn = Lease & {
      lease_remaining: number;
      is_static: boolean;
      assign_time: number;
      refresh_time: number;
    };
    const list = (await req<Dyn[]>("GET", "dhcp/dynamic_lease/")).body.result ?? [];
    expect(list).toHaveLength(5);
    for (const lease of list) {
      expect(lease.is_static).toBe(false);
      expect(lease.lease_remaining).toBeGreaterThan(0);
      expect(lease.refresh_time).toBeGreaterThanOrEqual(lease.assign_time);
    }
    // One lease carries an empty host, as real boxes sometimes send (essentials §8).
    expect(list.filter((l) => l.host && Object.keys(l.host).length === 0)).toHaveLength(1);
    const target = list[0];
    await req("POST", "dhcp/static_lease/", { mac: target?.mac, ip: "192.168.1.240" });
    const again = (await req<Dyn[]>("GET", "dhcp/dynamic_lease/")).body.result ?? [];
    expect(again.find((l) => l.mac === target?.mac)?.is_static).toBe(true);
    expect(s.state.dynamicLeases).toHaveLength(5);
  });

  it("the same seed gives the same box", async () => {
    const a = await box({ seed: 42 });
    const b = await box({ seed: 42 });
    const c = await box({ seed: 43 });
    const macs = async (x: typeof a) =>
      ((await x.req<Lease[]>("GET", "dhcp/static_lease/")).body.result ?? []).map(
        (l) => `${l.mac}/${l.hostname}`,
      );
    expect(await macs(a)).toEqual(await macs(b));
    expect(await macs(a)).not.toEqual(await macs(c));
    expect(a.s.state.system.serial).toBe(b.s.state.system.serial);
  });
});
