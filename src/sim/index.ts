// A faithful, stateful fake Freebox over HTTP(S), for tests and `npm run sim`. It serves the
// connection and DHCP pages (freebox-api-connection, freebox-api-dhcp) and what every client
// needs around them (freebox-os-essentials: discovery, pairing, sessions, permissions, system/),
// on 127.0.0.1 only by default, and never contacts any other host.
import { randomBytes } from "node:crypto";
import type { LanHost } from "../freebox/types.js";
import { type Logger, silentLogger } from "../logger.js";
import { Auth } from "./auth.js";
import { SimEventHub } from "./events.js";
import { createFaults } from "./faults.js";
import { MAX_DYNAMIC_LEASES, MAX_STATIC_LEASES } from "./lan.js";
import { lanOnlyHost, leaselessMacs, MAX_LAN_HOSTS, newMac, setPresence } from "./lan-hosts.js";
import { applyLinkState, applyMedia } from "./line.js";
import { tick } from "./live.js";
import { createRng, type Rng } from "./rng.js";
import type { SimCore } from "./routes.js";
import { SimServer } from "./server.js";
import { createState, type SimState, unixNow } from "./state.js";
import type { SimFaults, SimLinkState, SimMedia, SimRequest, Simulator, SimulatorOptions } from "./types.js";
import { normalizeMac } from "./validate.js";

export { hmacPassword } from "./auth.js";
export { NO_FAULTS } from "./faults.js";
export type { SimBoxInfo, SimConnection, SimDdns, SimState, SimStaticLease, SimSystem } from "./state.js";
export type * from "./types.js";

const LIVE_PERIOD_MS = 1000;
const DEFAULT_LAN_HOSTS = 4;
const DEFAULT_HOST_CHURN_S = 15;

class FreeboxSimulator implements Simulator {
  readonly state: SimState;
  readonly faults: SimFaults;
  url = "";
  private readonly auth: Auth;
  private readonly server: SimServer;
  private readonly events: SimEventHub;
  private readonly liveRng: Rng;
  /** Moves hosts in live mode and makes new devices: its own sequence, so the live values
   * (rates, counters) stay what they were before hosts came and went. */
  private readonly lanRng: Rng;
  private readonly lanHosts: number;
  private newDevices = 0;
  private ticks = 0;
  private readonly logger: Logger;
  private liveTimer: NodeJS.Timeout | undefined;
  private rebootTimer: NodeJS.Timeout | undefined;
  private rebooting = false;
  private closed = false;

  constructor(private readonly options: SimulatorOptions) {
    const seed = options.seed ?? 1;
    const staticLeases = options.staticLeases ?? 3;
    const dynamicLeases = options.dynamicLeases ?? 5;
    if (staticLeases < 0 || staticLeases > MAX_STATIC_LEASES) {
      throw new RangeError(`staticLeases must be within 0–${MAX_STATIC_LEASES}, got ${staticLeases}`);
    }
    if (dynamicLeases < 0 || dynamicLeases > MAX_DYNAMIC_LEASES) {
      throw new RangeError(`dynamicLeases must be within 0–${MAX_DYNAMIC_LEASES}, got ${dynamicLeases}`);
    }
    const lanHosts = options.lanHosts ?? DEFAULT_LAN_HOSTS;
    if (!Number.isInteger(lanHosts) || lanHosts < 0 || lanHosts > MAX_LAN_HOSTS) {
      throw new RangeError(`lanHosts must be within 0–${MAX_LAN_HOSTS}, got ${lanHosts}`);
    }
    this.lanHosts = lanHosts;
    this.logger = options.logger ?? silentLogger;
    this.state = createState({
      media: options.media ?? "ftth",
      apiVersion: options.apiVersion ?? "15.0",
      seed,
      staticLeases,
      dynamicLeases,
      lanHosts,
      now: unixNow(),
      home: {
        ...(options.disks === undefined ? {} : { disks: options.disks }),
        ...(options.ledStrip === undefined ? {} : { ledStrip: options.ledStrip }),
        ...(options.display === undefined ? {} : { display: options.display }),
      },
    });
    this.liveRng = createRng(seed ^ 0x5eed);
    this.lanRng = createRng(seed ^ 0x1a7e);
    this.auth = new Auth({
      outcome: options.pairing?.outcome ?? "granted",
      delayMs: options.pairing?.delayMs ?? 2000,
      sessionTtlMs: options.sessionTtlMs ?? 30 * 60_000,
      grantSettings: options.grantSettings ?? false,
    });
    for (const app of options.apps ?? [])
      this.pairApp(app.appId, { settings: app.settings, token: app.appToken });
    this.faults = createFaults(() => this.server.destroySockets());
    const core: SimCore = {
      state: this.state,
      auth: this.auth,
      faults: this.faults,
      logger: this.logger,
      passwordSalt: createRng(seed + 7).hex(32),
      reboot: () => this.reboot(),
    };
    this.events = new SimEventHub(core);
    this.server = new SimServer(core, {
      events: this.events,
      tls: options.tls,
      isDown: () => this.rebooting || this.faults.unreachable,
      onRequest: options.onRequest,
    });
  }

  get requests(): SimRequest[] {
    return this.server.requests;
  }

  get connections(): number {
    return this.server.connections;
  }

  get eventSubscribers(): number {
    return this.events.subscriberCount;
  }

  async start(): Promise<void> {
    const host = this.options.host ?? "127.0.0.1";
    const port = await this.server.listen(host, this.options.port ?? 0);
    const tls = this.options.tls !== undefined;
    this.state.box.https_available = tls;
    // A box without HTTPS may say https_port 0 (essentials §2).
    this.state.box.https_port = tls ? port : 0;
    this.url = `${tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`;
    if (this.options.live) {
      // A live xDSL box is seen training its line first (going_up → up).
      if (this.state.connection.media === "xdsl") this.boot();
      this.liveTimer = setInterval(() => this.tick(), LIVE_PERIOD_MS);
      this.liveTimer.unref();
    }
    this.logger.info("Freebox simulator listening", { url: this.url, media: this.state.connection.media });
  }

  clearRequests(): void {
    this.server.requests.length = 0;
  }

  pairApp(appId: string, options: { settings?: boolean; token?: string } = {}): string {
    const token = options.token ?? randomBytes(48).toString("base64");
    this.auth.pairApp(appId, options.settings ?? this.options.grantSettings ?? false, token);
    return token;
  }

  setPermission(appId: string, right: string, granted: boolean): void {
    this.auth.setPermission(appId, right, granted);
  }

  revokeApp(appId: string): void {
    this.auth.revokeApp(appId);
  }

  expireSessions(): void {
    this.auth.expireSessions();
  }

  setMedia(media: SimMedia): void {
    applyMedia(this.state, media);
  }

  setLinkState(state: SimLinkState): void {
    applyLinkState(this.state, state, unixNow());
  }

  tick(): void {
    tick(this.state, this.liveRng, unixNow());
    // Guests' phones come and go; leased hosts stay as they are, so that the lease topics and
    // their trackers keep still on a live box (issue 18's tests run on it).
    const churn = this.options.hostChurnS ?? DEFAULT_HOST_CHURN_S;
    this.ticks++;
    if (churn > 0 && this.ticks % churn === 0) {
      const macs = leaselessMacs(this.state);
      if (macs.length > 0) {
        const mac = this.lanRng.pick(macs);
        const host = this.state.hosts[mac];
        if (host?.active === true) this.hostLeaves(mac);
        else this.hostArrives(mac);
      }
    }
  }

  hostArrives(mac?: string): LanHost {
    const now = unixNow();
    let host: LanHost | undefined;
    if (mac === undefined) {
      // A device never seen before: the next kind of LAN-only host (lan-hosts.ts), named or not.
      const fresh = newMac(this.lanRng, this.state);
      host = lanOnlyHost(this.lanRng, this.lanHosts + this.newDevices++, fresh, now, this.state.system.mac);
      this.state.hosts[fresh] = host;
    } else {
      host = this.knownHost(mac);
    }
    setPresence(host, true, now);
    this.events.emit("lan_host", "l3addr_reachable", host);
    return host;
  }

  hostLeaves(mac: string): LanHost {
    const host = this.knownHost(mac);
    setPresence(host, false, unixNow());
    this.events.emit("lan_host", "l3addr_unreachable", host);
    return host;
  }

  dropEventStreams(): void {
    this.events.dropAll();
  }

  private knownHost(mac: string): LanHost {
    const key = normalizeMac(mac);
    const host = key === null ? undefined : this.state.hosts[key];
    if (!host?.id) throw new Error(`no LAN host with MAC "${mac}"`);
    return host;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.liveTimer);
    clearTimeout(this.rebootTimer);
    this.events.close();
    await this.server.close();
  }

  /** The line after power-up: a live xDSL box trains first (going_up → up), others are up. */
  private boot(): void {
    const now = unixNow();
    const training = this.options.live === true && this.state.connection.media === "xdsl";
    applyLinkState(this.state, "down", now);
    applyLinkState(this.state, training ? "going_up" : "up", now);
  }

  /** POST system/reboot/: unreachable for rebootMs, then back with no session (essentials §7). */
  private reboot(): void {
    if (this.rebooting || this.closed) return;
    const rebootMs = this.options.rebootMs ?? 3000;
    this.rebooting = true;
    this.auth.forgetSessions();
    this.server.destroySockets();
    this.logger.info("rebooting", { rebootMs });
    this.rebootTimer = setTimeout(() => {
      this.rebooting = false;
      this.state.system.uptime_val = Math.round(rebootMs / 1000);
      this.boot();
      this.logger.info("back after reboot");
    }, rebootMs);
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = new FreeboxSimulator(options);
  await simulator.start();
  return simulator;
}
