// The JSON-object form of every command topic, the lease lifecycle and the answers: each command
// reaches the simulated box as the documented call, is answered on
// `<base>/bridge/response/<command topic without base/>` with its `transaction` echoed, and the
// affected state topic shows the change (README "Commands").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { command, readyStack, responseTopic, stateWhere, writes } from "./commands-helpers.js";
import { BASE, type Stack } from "./stack.js";

interface Lease {
  mac: string;
  ip: string;
  comment: string;
}

let stack: Stack;
beforeAll(async () => {
  stack = await readyStack({ sim: { staticLeases: 2 } });
});
afterAll(async () => {
  await stack?.close();
});

/** Sends a command and returns its answer with the writes it caused. */
async function run(relative: string, payload: unknown) {
  const before = writes(stack).length;
  const text = typeof payload === "string" ? payload : JSON.stringify(payload);
  const answer = await command(stack, relative, text);
  const sent = writes(stack)
    .slice(before)
    .map((r) => ({ method: r.method, path: r.path, body: r.body }));
  return { answer, sent };
}

describe("settings objects (…/set with a JSON object)", () => {
  it("connection/config/set: several fields in one PUT, transaction echoed", async () => {
    const { answer, sent } = await run("connection/config/set", {
      ping: false,
      wol: true,
      transaction: "t-1",
    });
    expect(sent).toEqual([{ method: "PUT", path: "connection/config/", body: { ping: false, wol: true } }]);
    expect(answer).toMatchObject({ status: "ok", transaction: "t-1", data: { ping: false, wol: true } });
    await stateWhere(stack, "connection/config", (s) => s.ping === false && s.wol === true);
  });

  it("connection/ipv6/set: ipv6_enabled and a delegation's next hop", async () => {
    const prefix = stack.sim.state.ipv6.delegations[2]?.prefix;
    const delegations = [{ prefix, next_hop: "fe80::1234" }];
    const { answer, sent } = await run("connection/ipv6/set", {
      ipv6_enabled: false,
      delegations,
      transaction: 7,
    });
    expect(sent).toEqual([
      { method: "PUT", path: "connection/ipv6/config/", body: { ipv6_enabled: false, delegations } },
    ]);
    expect(answer).toMatchObject({ status: "ok", transaction: 7 });
    const state = await stateWhere<{
      ipv6_enabled: boolean;
      delegations: Array<{ prefix: string; next_hop: string }>;
    }>(stack, "connection/ipv6", (s) => s.ipv6_enabled === false);
    expect(state.delegations.find((d) => d.prefix === prefix)?.next_hop).toBe("fe80::1234");
  });

  it("connection/ipv6/set/delegations: the raw form takes the JSON array", async () => {
    const prefix = stack.sim.state.ipv6.delegations[3]?.prefix;
    const { answer, sent } = await run(
      "connection/ipv6/set/delegations",
      JSON.stringify([{ prefix, next_hop: "" }]),
    );
    expect(answer.status).toBe("ok");
    expect(sent[0]?.body).toEqual({ delegations: [{ prefix, next_hop: "" }] });
  });

  it("connection/ddns/<provider>/set: the password is written, never answered or published", async () => {
    const body = { enabled: true, hostname: "me.dyndns.example", user: "bob", password: "hunter2-long" };
    const { answer, sent } = await run("connection/ddns/dyndns/set", { ...body, transaction: "d" });
    expect(sent).toEqual([{ method: "PUT", path: "connection/ddns/dyndns/", body }]);
    expect(answer).toMatchObject({ status: "ok", transaction: "d", data: { enabled: true, user: "bob" } });
    expect(JSON.stringify(answer)).not.toContain("hunter2");
    const state = await stateWhere(stack, "connection/ddns/dyndns", (s) => s.enabled === true);
    expect(state).toMatchObject({ hostname: "me.dyndns.example", user: "bob" });
    expect(state).not.toHaveProperty("password");
    expect(stack.logs.lines.join("\n")).not.toContain("hunter2-long");
  });

  it("connection/ddns/<provider>/set: a password that also appears elsewhere in the answer is no error", async () => {
    const body = { hostname: "home.dyndns-secret.example", user: "dyndns-secret", password: "dyndns-secret" };
    const { answer, sent } = await run("connection/ddns/dyndns/set", body);
    expect(sent).toEqual([{ method: "PUT", path: "connection/ddns/dyndns/", body }]);
    expect(answer).toMatchObject({
      status: "ok",
      data: { hostname: "home.dyndns-secret.example", user: "dyndns-secret" },
    });
    expect(answer.data).not.toHaveProperty("password");
  });

  it("dhcp/config/set: range, flags and DNS in one PUT", async () => {
    const body = {
      ip_range_start: "192.168.1.20",
      ip_range_end: "192.168.1.40",
      always_broadcast: true,
      dns: ["1.1.1.1"],
    };
    const { answer, sent } = await run("dhcp/config/set", body);
    expect(sent).toEqual([{ method: "PUT", path: "dhcp/config/", body }]);
    expect(answer).toMatchObject({ status: "ok", data: { ip_range_start: "192.168.1.20" } });
    expect(answer).not.toHaveProperty("transaction");
    await stateWhere(
      stack,
      "dhcp/config",
      (s) => s.ip_range_end === "192.168.1.40" && s.always_broadcast === true,
    );
  });

  it("…/set/<field> raw values: true/false words, numbers with a zero fraction", async () => {
    const a = await run("connection/config/set/adblock", "true");
    expect(a.sent[0]?.body).toEqual({ adblock: true });
    const b = await run("dhcp/config/set/sticky_assign", "off");
    expect(b.sent[0]?.body).toEqual({ sticky_assign: false });
    const c = await run("connection/config/set/remote_access_port", "8080.0");
    expect(c.sent[0]?.body).toEqual({ remote_access_port: 8080 });
    await stateWhere(stack, "connection/config", (s) => s.remote_access_port === 8080 && s.adblock === true);
  });
});

describe("static leases", () => {
  const mac = "02:00:5E:10:20:30";
  const key = "02005e102030";

  it("add → POST, then a state topic, a device and a tracker in Home Assistant", async () => {
    const { answer, sent } = await run("dhcp/static_leases/add", {
      mac: mac.toLowerCase(),
      ip: "192.168.1.77",
      comment: "NAS",
      transaction: "add-1",
    });
    expect(sent).toEqual([
      { method: "POST", path: "dhcp/static_lease/", body: { mac, ip: "192.168.1.77", comment: "NAS" } },
    ]);
    expect(answer).toMatchObject({ status: "ok", transaction: "add-1", data: { mac, ip: "192.168.1.77" } });
    await stateWhere<Lease[]>(stack, "dhcp/static_leases", (l) => l.some((x) => x.mac === mac));
    await stack.waitFor(`${BASE}/dhcp/static_leases/${key}`);
    const tracker = await stack.waitFor(`homeassistant/device_tracker/freebox_${boxId()}/host_${key}/config`);
    expect(JSON.parse(tracker)).toMatchObject({ device: { name: "NAS" } });
  });

  it("<mac>/set → PUT on the uppercase MAC, any case in the topic", async () => {
    const { answer, sent } = await run(`dhcp/static_leases/${mac.toLowerCase()}/set`, {
      ip: "192.168.1.78",
      comment: "NAS (attic)",
    });
    expect(answer.status).toBe("ok");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.method).toBe("PUT");
    expect(decodeURIComponent(sent[0]?.path ?? "")).toBe(`dhcp/static_lease/${mac}`);
    expect(sent[0]?.body).toEqual({ ip: "192.168.1.78", comment: "NAS (attic)" });
    await stateWhere<Lease[]>(stack, "dhcp/static_leases", (l) => l.some((x) => x.ip === "192.168.1.78"));
  });

  it("<mac>/remove → DELETE; the device and tracker leave Home Assistant", async () => {
    const config = `homeassistant/device_tracker/freebox_${boxId()}/host_${key}/config`;
    const { answer, sent } = await run(`dhcp/static_leases/${mac}/remove`, "PRESS");
    expect(answer).toEqual({ status: "ok", data: null });
    expect(sent.map((r) => `${r.method} ${decodeURIComponent(r.path)}`)).toEqual([
      `DELETE dhcp/static_lease/${mac}`,
    ]);
    await stateWhere<Lease[]>(stack, "dhcp/static_leases", (l) => !l.some((x) => x.mac === mac));
    // An empty retained config removes the entity and, with its last entity, the device.
    await stack.waitFor(config, (p) => p === "");
    await stack.waitFor(`${BASE}/dhcp/static_leases/${key}`, (p) => p === "");
    const retained = await stack.retained(`homeassistant/device_tracker/freebox_${boxId()}/+/config`);
    expect(retained.map((m) => m.topic)).not.toContain(config);
    // The other trackers stay: one per host the box lists (presence), the two other leases' among them.
    const listed = Object.values(stack.sim.state.hosts).filter((h) => typeof h.id === "string");
    expect(retained).toHaveLength(listed.length);
  });

  it("remove on `<the lease's state topic>/remove`, with a JSON payload echoing its transaction", async () => {
    const other = stack.sim.state.staticLeases[0]?.mac ?? "";
    const own = other.replaceAll(":", "").toLowerCase();
    await stack.waitFor(`${BASE}/dhcp/static_leases/${own}`);
    const { answer, sent } = await run(`dhcp/static_leases/${own}/remove`, { transaction: "rm" });
    expect(answer).toEqual({ status: "ok", data: null, transaction: "rm" });
    expect(sent.map((r) => `${r.method} ${decodeURIComponent(r.path)}`)).toEqual([
      `DELETE dhcp/static_lease/${other}`,
    ]);
  });
});

describe("bridge requests and answers", () => {
  it("bridge/request/refresh is answered and re-reads every group", async () => {
    const before = stack.sim.requests.length;
    const { answer } = await run("bridge/request/refresh", { transaction: "r" });
    expect(answer).toEqual({ status: "ok", data: null, transaction: "r" });
    const reads = new Set(stack.sim.requests.slice(before).map((r) => r.path));
    for (const path of [
      "connection/",
      "system/",
      "dhcp/config/",
      "dhcp/static_lease/",
      "dhcp/dynamic_lease/",
    ]) {
      expect(reads).toContain(path);
    }
  });

  it("answers are not retained and land under bridge/response/", async () => {
    await run("connection/config/set/ping", "ON");
    const retained = await stack.retained(`${BASE}/bridge/response/#`);
    expect(retained).toEqual([]);
    expect(stack.watch.on(responseTopic("connection/config/set/ping")).length).toBeGreaterThan(0);
  });

  it("the same message again is answered again without a second write (QoS 1 redelivery)", async () => {
    const first = await run("connection/config/set", { wol: false, transaction: "once" });
    const again = await run("connection/config/set", { wol: false, transaction: "once" });
    expect(first.sent).toHaveLength(1);
    expect(again.sent).toEqual([]);
    expect(again.answer).toEqual(first.answer);
    // The same id with another payload is another command (an automation with a constant id).
    const other = await run("connection/config/set", { wol: true, transaction: "once" });
    expect(other.sent.map((r) => r.body)).toEqual([{ wol: true }]);
  });
});

function boxId(): string {
  return stack.sim.state.system.mac.replaceAll(":", "").toLowerCase();
}
