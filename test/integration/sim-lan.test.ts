// The simulator's LAN browser (freebox-api-lan-browser): interfaces, hosts on each, empty
// interfaces, bridge mode, and hosts arriving and leaving.
import { describe, expect, it } from "vitest";
import type { LanHost } from "../../src/freebox/types.js";
import { type SimulatorOptions, startSimulator } from "../../src/sim/index.js";
import { call, openSession } from "../../src/sim/testing.js";
import { useSimulators } from "./sim-helpers.js";

const sim = useSimulators();

async function box(options: SimulatorOptions = {}) {
  const s = await sim(options);
  const session = await openSession(s.url, "app", s.pairApp("app"));
  const get = <R = unknown>(path: string) => call<R>(s.url, "GET", path, { session });
  return { s, get };
}

const macOf = (host: LanHost) => String(host.l2ident?.id).toUpperCase();

describe("LAN browser", () => {
  it("lists pub and wifiguest, each with its own hosts; every lease's host is one of them", async () => {
    const { s, get } = await box({ lanHosts: 8 });
    const interfaces = await get<Array<{ name: string; host_count: number }>>("lan/browser/interfaces/");
    expect(interfaces.body.result?.map((i) => i.name)).toEqual(["pub", "wifiguest"]);
    const pub = (await get<LanHost[]>("lan/browser/pub/")).body.result ?? [];
    const guest = (await get<LanHost[]>("lan/browser/wifiguest/")).body.result ?? [];
    // 3 static + 5 dynamic (one of which has the `{}` host, not listed) + 4 LAN-only on pub.
    expect(pub).toHaveLength(3 + 4 + 4);
    expect(guest).toHaveLength(4);
    expect(pub.every((h) => h.interface === "pub")).toBe(true);
    expect(guest.every((h) => h.interface === "wifiguest")).toBe(true);
    const listed = new Set([...pub, ...guest].map(macOf));
    for (const lease of s.state.staticLeases) expect(listed.has(lease.mac)).toBe(true);
    // host_count is the box's own counter, not the list's length (the page).
    expect(interfaces.body.result?.[0]?.host_count).not.toBe(pub.length);
  });

  it("sends what real boxes send: l2ident as an object, MAC case varying, unnamed hosts, access points", async () => {
    const { get } = await box({ lanHosts: 8 });
    const pub = (await get<LanHost[]>("lan/browser/pub/")).body.result ?? [];
    const guest = (await get<LanHost[]>("lan/browser/wifiguest/")).body.result ?? [];
    for (const host of [...pub, ...guest]) {
      expect(host.l2ident).toEqual({ id: expect.any(String), type: "mac_address" });
      expect(host.id).toBe(`ether-${String(host.l2ident?.id).toLowerCase()}`);
    }
    expect(pub.some((h) => h.l2ident?.id === h.l2ident?.id.toUpperCase())).toBe(true);
    expect(guest.every((h) => h.l2ident?.id === h.l2ident?.id.toLowerCase())).toBe(true);
    // Unnamed: one named by mDNS only, one with no names at all, one with no vendor either.
    const unnamed = [...pub, ...guest].filter((h) => h.primary_name === "");
    expect(unnamed.some((h) => Array.isArray(h.names) && h.names.length > 0)).toBe(true);
    expect(unnamed.some((h) => h.names === undefined)).toBe(true);
    expect(unnamed.some((h) => h.vendor_name === "")).toBe(true);
    const wifi = [...pub, ...guest].find((h) => h.access_point !== undefined);
    expect(wifi?.access_point).toMatchObject({
      connectivity_type: "wifi",
      wifi_information: { band: expect.any(String) },
    });
  });

  it("an interface without hosts answers success with no result (pub) or result null (wifiguest)", async () => {
    const { get } = await box({ staticLeases: 0, dynamicLeases: 0, lanHosts: 0 });
    const pub = await get("lan/browser/pub/");
    expect(pub.body).toEqual({ success: true });
    const guest = await get("lan/browser/wifiguest/");
    expect(guest.body).toEqual({ success: true, result: null });
  });

  it("answers one host by id, nohost for an unknown one, nodev for an unknown interface", async () => {
    const { get } = await box();
    const [first] = (await get<LanHost[]>("lan/browser/pub/")).body.result ?? [];
    expect((await get<LanHost>(`lan/browser/pub/${first?.id}/`)).body.result?.id).toBe(first?.id);
    expect((await get("lan/browser/pub/ether-00:00:00:00:00:00/")).body.error_code).toBe("nohost");
    expect((await get("lan/browser/eth9/")).body.error_code).toBe("nodev");
  });

  it("needs a session", async () => {
    const { s } = await box();
    const answer = await call(s.url, "GET", "lan/browser/interfaces/");
    expect(answer.status).toBe(403);
    expect(answer.body.error_code).toBe("auth_required");
  });

  it("bridge mode: every LAN browser call answers nodev with the box's message", async () => {
    const { s, get } = await box();
    s.faults.bridgeMode = true;
    for (const path of ["lan/browser/interfaces/", "lan/browser/pub/"]) {
      const answer = await get(path);
      expect(answer.body).toMatchObject({ success: false, error_code: "nodev" });
      expect(answer.body.msg).toMatch(/Interface invalide/);
    }
  });

  it("a host leaves and comes back; a new device joins and is listed", async () => {
    const { s, get } = await box();
    const lease = s.state.staticLeases[0];
    if (!lease) throw new Error("no static lease");
    const left = s.hostLeaves(lease.mac.toLowerCase());
    expect(left).toMatchObject({ active: false, reachable: false });
    const listed = async (mac: string) =>
      ((await get<LanHost[]>(`lan/browser/${"pub"}/`)).body.result ?? []).find((h) => macOf(h) === mac);
    expect((await listed(lease.mac))?.active).toBe(false);
    s.hostArrives(lease.mac);
    expect((await listed(lease.mac))?.active).toBe(true);
    const fresh = s.hostArrives();
    const all = [
      ...((await get<LanHost[]>("lan/browser/pub/")).body.result ?? []),
      ...((await get<LanHost[]>("lan/browser/wifiguest/")).body.result ?? []),
    ];
    expect(all.find((h) => h.id === fresh.id)?.active).toBe(true);
    expect(() => s.hostLeaves("not-a-mac")).toThrow(/no LAN host/);
  });

  it("live mode moves hosts without a lease, never leased ones", async () => {
    const { s } = await box({ hostChurnS: 1, lanHosts: 4 });
    const leased = [...s.state.staticLeases, ...s.state.dynamicLeases].map((l) => l.mac);
    const before = leased.map((mac) => s.state.hosts[mac]?.active);
    const guests = Object.keys(s.state.hosts).filter((mac) => !leased.includes(mac));
    const guestsBefore = guests.map((mac) => s.state.hosts[mac]?.active);
    for (let i = 0; i < 6; i++) s.tick();
    expect(leased.map((mac) => s.state.hosts[mac]?.active)).toEqual(before);
    expect(guests.map((mac) => s.state.hosts[mac]?.active)).not.toEqual(guestsBefore);
  });

  it("refuses a lanHosts count outside 0–96", async () => {
    await expect(startSimulator({ lanHosts: 97 })).rejects.toThrow(/lanHosts/);
  });
});
