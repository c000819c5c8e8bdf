// Refusals of the box reach the user with the box's error code and a readable English message
// (plus the box's own French text), and a missing right names that right
// (README "Commands"; freebox-api-connection and freebox-api-dhcp error tables).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { command, readyStack, writes } from "./commands-helpers.js";
import { APP_ID, type Stack } from "./stack.js";

describe("box errors pass through", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await readyStack({ sim: { staticLeases: 2 } });
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(() => {
    stack.sim.faults.busy = 0;
    stack.sim.faults.netdown = false;
    stack.sim.faults.match = null;
  });

  /** Sends a command that must reach the box once and be refused by it with `code`. */
  async function refused(relative: string, payload: string, code: string) {
    const before = writes(stack).length;
    const answer = await command(stack, relative, payload);
    expect(answer).toMatchObject({ status: "error", code });
    expect(writes(stack).slice(before)).toHaveLength(1);
    return answer.error ?? "";
  }

  it("invalid_port: our own check refuses first, so the box never has to", async () => {
    const before = writes(stack).length;
    const answer = await command(stack, "connection/config/set/remote_access_port", "70000");
    expect(answer).toMatchObject({ code: "invalid_request" });
    expect(answer.error).toContain("remote_access_port must be an integer port from 1 to 65535");
    expect(writes(stack).slice(before)).toEqual([]);
  });

  it("port_outside_range: a port outside the range of a shared IPv4", async () => {
    stack.sim.state.connection.ipv4_port_range = [16384, 32767];
    try {
      const error = await refused("connection/config/set/remote_access_port", "40000", "port_outside_range");
      expect(error).toContain("remote_access_port must be from 16384 to 32767 on this line");
      expect(error).toContain("port outside the range allowed for this line");
    } finally {
      stack.sim.state.connection.ipv4_port_range = [0, 65535];
    }
  });

  it("insecure_password: remote access needs a strong admin password", async () => {
    stack.sim.state.config.is_secure_pass = false;
    try {
      const error = await refused("connection/config/set/remote_access", "ON", "insecure_password");
      expect(error).toContain("the admin password is too weak to enable remote access");
      expect(error).toContain("Le mot de passe est trop faible");
      expect(stack.sim.state.config.remote_access).toBe(false);
    } finally {
      stack.sim.state.config.is_secure_pass = true;
    }
  });

  it("exist: a lease for a MAC that already has one", async () => {
    const taken = stack.sim.state.staticLeases[0]?.mac ?? "";
    const error = await refused(
      "dhcp/static_leases/add",
      JSON.stringify({ mac: taken, ip: "192.168.1.99" }),
      "exist",
    );
    const ip = stack.sim.state.staticLeases[0]?.ip;
    expect(error).toContain(
      `${taken} already has a static lease, for ${ip}: change it with dhcp/static_leases/${taken}/set`,
    );
    expect(error).toContain("L'entrée existe déjà");
  });

  it("exist: a new lease on an address another lease has", async () => {
    const [first] = stack.sim.state.staticLeases;
    const error = await refused(
      "dhcp/static_leases/add",
      JSON.stringify({ mac: "02:00:5E:00:00:09", ip: first?.ip }),
      "exist",
    );
    expect(error).toContain(`${first?.ip} is already the static lease of ${first?.mac}`);
  });

  it("exist: a lease the bridge has not seen yet is still reported", async () => {
    // Added on the box behind the bridge's back: the generic wording, the box's code.
    stack.sim.state.staticLeases.push({ mac: "02:00:5E:00:00:0A", ip: "192.168.1.97", comment: "" });
    const error = await refused(
      "dhcp/static_leases/add",
      JSON.stringify({ mac: "02:00:5e:00:00:0a", ip: "192.168.1.96" }),
      "exist",
    );
    expect(error).toContain("a static lease for 02:00:5E:00:00:0A or for 192.168.1.96 already exists");
  });

  it("exist: moving a lease to an address another lease has", async () => {
    const [first, second] = stack.sim.state.staticLeases;
    const error = await refused(
      `dhcp/static_leases/${first?.mac}/set`,
      JSON.stringify({ ip: second?.ip }),
      "exist",
    );
    expect(error).toContain(`another static lease already uses ${second?.ip}`);
  });

  it("noent: updating or removing a lease that does not exist", async () => {
    const mac = "02:00:5E:00:00:01";
    const set = await refused(`dhcp/static_leases/${mac}/set`, '{"comment":"x"}', "noent");
    expect(set).toContain(`there is no static lease for ${mac}`);
    // The path is shown as the user wrote the MAC, not percent-encoded.
    expect(set).toContain(`PUT dhcp/static_lease/${mac}:`);
    const remove = await refused(`dhcp/static_leases/${mac.toLowerCase()}/remove`, "PRESS", "noent");
    expect(remove).toContain(`there is no static lease for ${mac}`);
  });

  it("inval_ip_range: only reaches the box when its range changed since our last read", async () => {
    // Someone shrank the range on the box; the bridge has not polled since, so our own check
    // (start ≤ end, against the end we know) passes and the box refuses.
    stack.sim.state.dhcp.ip_range_end = "192.168.1.20";
    try {
      const error = await refused("dhcp/config/set/ip_range_start", "192.168.1.30", "inval_ip_range");
      expect(error).toContain("invalid IP range");
    } finally {
      stack.sim.state.dhcp.ip_range_end = "192.168.1.50";
    }
  });

  it("inval_ip_range_net: only reaches the box when its LAN changed since our last read", async () => {
    stack.sim.state.dhcp.netmask = "255.255.255.128";
    stack.sim.state.dhcp.gateway = "192.168.1.254";
    try {
      const error = await refused("dhcp/config/set/ip_range_start", "192.168.1.5", "inval_ip_range_net");
      expect(error).toContain("the IP range does not match the netmask");
    } finally {
      stack.sim.state.dhcp.netmask = "255.255.255.0";
    }
  });

  it("inval: a delegation for a prefix the box does not have", async () => {
    const body = JSON.stringify({ delegations: [{ prefix: "2001:db8:1::/64", next_hop: "fe80::1" }] });
    const error = await refused("connection/ipv6/set", body, "inval");
    expect(error).toContain("invalid request");
  });

  it("busy and netdown are passed through", async () => {
    stack.sim.faults.match = /^connection\/config\/$/;
    stack.sim.faults.busy = 1;
    await refused("connection/config/set/wol", "ON", "busy");
    stack.sim.faults.netdown = true;
    const error = await refused("connection/config/set/wol", "ON", "netdown");
    expect(error).toContain("the network is down");
  });
});

describe("without the settings right", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await readyStack({ settings: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("every write answers insufficient_rights naming the right and how to grant it", async () => {
    for (const [topic, payload] of [
      ["connection/config/set/ping", "OFF"],
      ["dhcp/static_leases/add", '{"mac":"02:00:5E:00:00:02","ip":"192.168.1.98","transaction":1}'],
      ["system/reboot", "PRESS"],
    ] as const) {
      const answer = await command(stack, topic, payload);
      expect(answer).toMatchObject({ status: "error", code: "insufficient_rights" });
      expect(answer.error).toContain('lacks the "settings" right');
      expect(answer.error).toContain("Modification des réglages");
    }
    expect(stack.sim.state.config.ping).toBe(true);
  });

  it("once the right is granted, the next command works without a restart", async () => {
    const refused = await command(stack, "connection/config/set/ping", "OFF");
    expect(refused.error).toContain("send the command again");
    stack.sim.setPermission(APP_ID, "settings", true);
    expect(await command(stack, "connection/config/set/ping", "OFF")).toMatchObject({ status: "ok" });
    expect(stack.sim.state.config.ping).toBe(false);
  });
});
