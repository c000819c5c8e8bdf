// Test doubles for the command router: a recording FreeboxApi with a small in-memory box, and a
// CommandContext that records refreshes and log lines.

import type { CommandContext } from "../../src/bridge/commands.js";
import type { ResourceId } from "../../src/bridge/resources.js";
import type { FreeboxApi } from "../../src/freebox/api.js";
import { FreeboxError } from "../../src/freebox/errors.js";
import type {
  ConnectionConfig,
  DdnsConfig,
  DdnsProvider,
  DhcpConfig,
  Ipv6Config,
  StaticLease,
} from "../../src/freebox/types.js";
import type { LcdConfig, WifiConfig } from "../../src/freebox/types-home.js";
import type { Logger } from "../../src/logger.js";

export interface Call {
  method: string;
  args: unknown[];
  /** DHCP config as it was when the call arrived (to re-check ranges independently). */
  dhcpBefore: DhcpConfig;
}

export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

export function deferred(): Deferred {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const clone = <T>(value: T): T => structuredClone(value);

export class FakeApi implements FreeboxApi {
  readonly apiMajor = 15;
  readonly calls: Call[] = [];
  /** "start:<method>" / "end:<method>", in order. */
  readonly events: string[] = [];
  private readonly failures = new Map<string, unknown>();
  private readonly gates = new Map<string, Deferred[]>();

  connection: ConnectionConfig = {
    ping: true,
    is_secure_pass: false,
    remote_access: false,
    remote_access_port: 80,
    remote_access_ip: "13.37.42.42",
    api_remote_access: true,
    wol: false,
    adblock: false,
    adblock_not_set: false,
    allow_token_request: true,
  };
  ipv6: Ipv6Config = {
    ipv6_enabled: true,
    ipv6ll: "fe80::224:d4ff:acac:ecec",
    delegations: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({
      prefix: `2a01:e30:d252:a2a${i}::/64`,
      next_hop: "",
    })),
  };
  ddns: Record<DdnsProvider, DdnsConfig> = {
    ovh: { enabled: false, hostname: "", user: "" },
    dyndns: { enabled: true, hostname: "test", user: "test" },
    noip: { enabled: false, hostname: "", user: "" },
  };
  dhcp: DhcpConfig = {
    enabled: true,
    sticky_assign: true,
    gateway: "192.168.1.254",
    netmask: "255.255.255.0",
    ip_range_start: "192.168.1.2",
    ip_range_end: "192.168.1.50",
    always_broadcast: false,
    dns: ["192.168.1.254", "", "", "", ""],
  };
  leases: StaticLease[] = [
    {
      id: "00:DE:AD:B0:0B:55",
      mac: "00:DE:AD:B0:0B:55",
      comment: "",
      hostname: "Pc de r0ro",
      ip: "192.168.1.1",
    },
  ];

  /** The next calls of `method` throw `error` (until cleared with undefined). */
  fail(method: string, error: unknown): void {
    if (error === undefined) this.failures.delete(method);
    else this.failures.set(method, error);
  }

  /** The next call of `method` waits until the returned deferred is resolved. */
  hold(method: string): Deferred {
    const d = deferred();
    const list = this.gates.get(method) ?? [];
    list.push(d);
    this.gates.set(method, list);
    return d;
  }

  /** Calls that change something on the box (reads are allowed for range checks). */
  writes(): Call[] {
    return this.calls.filter((c) => !c.method.startsWith("get") && !c.method.startsWith("list"));
  }

  private async call<T>(method: string, args: unknown[], body: () => T): Promise<T> {
    this.calls.push({ method, args: clone(args), dhcpBefore: clone(this.dhcp) });
    this.events.push(`start:${method}`);
    const gate = this.gates.get(method)?.shift();
    if (gate) await gate.promise;
    try {
      const failure = this.failures.get(method);
      if (failure !== undefined) throw failure;
      return clone(body());
    } finally {
      this.events.push(`end:${method}`);
    }
  }

  apiVersion = () => this.call("apiVersion", [], () => ({ api_version: "15.0", api_base_url: "/api/" }));
  permissions = () => this.call("permissions", [], () => ({ settings: true }));
  getConnectionStatus = () =>
    this.call("getConnectionStatus", [], () => ({
      state: "up",
      type: "ethernet",
      media: "ftth",
      rate_up: 0,
      rate_down: 0,
      bandwidth_up: 0,
      bandwidth_down: 0,
      bytes_up: 0,
      bytes_down: 0,
    }));
  getConnectionConfig = () => this.call("getConnectionConfig", [], () => this.connection);
  updateConnectionConfig = (update: Partial<ConnectionConfig>) =>
    this.call("updateConnectionConfig", [update], () => Object.assign(this.connection, update));
  getIpv6Config = () => this.call("getIpv6Config", [], () => this.ipv6);
  updateIpv6Config = (update: {
    ipv6_enabled?: boolean;
    delegations?: Array<{ prefix: string; next_hop: string }>;
  }) =>
    this.call("updateIpv6Config", [update], () => {
      if (update.ipv6_enabled !== undefined) this.ipv6.ipv6_enabled = update.ipv6_enabled;
      for (const d of update.delegations ?? []) {
        const found = this.ipv6.delegations.find((x) => x.prefix === d.prefix);
        if (found) found.next_hop = d.next_hop;
      }
      return this.ipv6;
    });
  getXdsl = () =>
    this.call("getXdsl", [], (): never => {
      throw new FreeboxError("nodev", "pas de xdsl");
    });
  getFtth = () =>
    this.call("getFtth", [], () => ({
      sfp_present: true,
      sfp_alim_ok: true,
      sfp_has_power_report: false,
      sfp_has_signal: true,
    }));
  getDdnsStatus = (provider: DdnsProvider) =>
    this.call("getDdnsStatus", [provider], () => ({
      status: "ok",
      next_refresh: 0,
      last_refresh: 0,
      next_retry: 0,
      last_error: 0,
    }));
  getDdnsConfig = (provider: DdnsProvider) =>
    this.call("getDdnsConfig", [provider], () => this.ddns[provider]);
  updateDdnsConfig = (provider: DdnsProvider, update: Partial<DdnsConfig> & { password?: string }) =>
    this.call("updateDdnsConfig", [provider, update], () => {
      const { password: _ignored, ...rest } = update;
      return Object.assign(this.ddns[provider], rest);
    });
  getDhcpConfig = () => this.call("getDhcpConfig", [], () => this.dhcp);
  updateDhcpConfig = (update: Partial<DhcpConfig>) =>
    this.call("updateDhcpConfig", [update], () => Object.assign(this.dhcp, update));
  listStaticLeases = () => this.call("listStaticLeases", [], () => this.leases);
  getStaticLease = (id: string) => this.call("getStaticLease", [id], () => this.lease(id));
  addStaticLease = (lease: { mac: string; ip: string; comment?: string }) =>
    this.call("addStaticLease", [lease], () => {
      if (this.leases.some((l) => l.id === lease.mac || l.ip === lease.ip)) {
        throw new FreeboxError("exist", "Entrée déjà existante");
      }
      const added = {
        id: lease.mac,
        mac: lease.mac,
        comment: lease.comment ?? "",
        hostname: lease.mac,
        ip: lease.ip,
      };
      this.leases.push(added);
      return added;
    });
  updateStaticLease = (id: string, update: { ip?: string; comment?: string }) =>
    this.call("updateStaticLease", [id, update], () => Object.assign(this.lease(id), update));
  deleteStaticLease = (id: string) =>
    this.call("deleteStaticLease", [id], () => {
      this.lease(id);
      this.leases = this.leases.filter((l) => l.id !== id);
    });
  listDynamicLeases = () => this.call("listDynamicLeases", [], () => []);
  listLanInterfaces = () => this.call("listLanInterfaces", [], () => [{ name: "pub", host_count: 0 }]);
  listLanHosts = (iface: string) => this.call("listLanHosts", [iface], () => []);
  getSystem = () =>
    this.call("getSystem", [], () => ({
      firmware_version: "4.8",
      mac: "34:27:92:60:0B:9E",
      serial: "x",
      sensors: [],
      fans: [],
    }));
  reboot = () => this.call("reboot", [], () => undefined);
  wifi: WifiConfig = { enabled: true, mac_filter_state: "disabled" };
  lcd: LcdConfig = {
    brightness: 100,
    led_strip_enabled: true,
    led_strip_brightness: 70,
    led_strip_animation: "static",
    available_led_strip_animations: ["organic", "static", "breathing"],
  };
  getWifiConfig = () => this.call("getWifiConfig", [], () => this.wifi);
  updateWifiConfig = (update: Partial<WifiConfig>) =>
    this.call("updateWifiConfig", [update], () => Object.assign(this.wifi, update));
  listCalls = () => this.call("listCalls", [], () => []);
  markCallsRead = () => this.call("markCallsRead", [], () => undefined);
  listDisks = () => this.call("listDisks", [], () => []);
  listRaidArrays = () => this.call("listRaidArrays", [], () => null);
  getLcdConfig = () => this.call("getLcdConfig", [], () => this.lcd);
  updateLcdConfig = (update: Partial<LcdConfig>) =>
    this.call("updateLcdConfig", [update], () => Object.assign(this.lcd, update));
  logout = () => Promise.resolve();

  private lease(id: string): StaticLease {
    const found = this.leases.find((l) => l.id === id);
    if (!found) throw new FreeboxError("noent", "Entrée introuvable");
    return found;
  }
}

export interface LogLine {
  level: string;
  message: string;
  meta: string;
}

export function recordingLogger(lines: LogLine[]): Logger {
  const log = (level: string) => (message: string | (() => string), meta?: Record<string, unknown>) => {
    lines.push({
      level,
      message: typeof message === "function" ? message() : message,
      meta: JSON.stringify(meta ?? {}),
    });
  };
  const logger: Logger = {
    error: log("error"),
    warn: log("warn"),
    info: log("info"),
    debug: log("debug"),
    child: () => logger,
    isDebugEnabled: () => true,
  };
  return logger;
}

export interface TestContext extends CommandContext {
  refreshed: ResourceId[];
  refreshAllCount: number;
  /** boxAnswered() calls: commands whose call to the box succeeded. */
  answered: number;
  lines: LogLine[];
  /** Whether current("dhcp_config") knows the config (else the router must read it). */
  knowsDhcp: boolean;
}

export function makeContext(api: FakeApi): TestContext {
  const lines: LogLine[] = [];
  const ctx: TestContext = {
    api,
    logger: recordingLogger(lines),
    lines,
    refreshed: [],
    refreshAllCount: 0,
    answered: 0,
    knowsDhcp: true,
    boxAnswered: () => {
      ctx.answered++;
    },
    refresh: async (resource) => {
      ctx.refreshed.push(resource);
    },
    refreshAll: async () => {
      ctx.refreshAllCount++;
    },
    current: (resource) => (resource === "dhcp_config" && ctx.knowsDhcp ? clone(api.dhcp) : undefined),
  };
  return ctx;
}

/** Parsed response payload. */
export function body(response: { payload: string } | null): Record<string, unknown> {
  if (response === null) throw new Error("expected a response, got null");
  const parsed: unknown = JSON.parse(response.payload);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error("not an object");
  return parsed as Record<string, unknown>;
}
