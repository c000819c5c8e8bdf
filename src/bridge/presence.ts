// Presence of every LAN host (issue 15): which hosts have a device tracker, their state on
// `<base>/lan/hosts/<mac12>` (hosts.ts), and the `arrived` / `left` / `new_device` events on
// `<base>/lan/event`. Fed by three sources that send the same LanHost (freebox-api-lan-browser):
// the LAN browser read at the leases interval and after every (re)connect of the event stream, the
// event stream's notifications, and the static leases (their `host`, the only source in bridge mode).
//
// A notification is newer than a list read that was already under way when it arrived: the read's
// answer for that host is then dropped (each update carries a ticket, as BoxReader does).
import type { FreeboxApi } from "../freebox/api.js";
import { FreeboxError } from "../freebox/errors.js";
import type { LanHost, StaticLease } from "../freebox/types.js";
import type { Logger } from "../logger.js";
import { macColon, macKey } from "./entities/ids.js";
import {
  deviceName,
  HOSTS_TOPIC,
  type HostState,
  hostState,
  macOf,
  readLanHosts,
  sameHostState,
  sameState,
} from "./hosts.js";
import type { KnownHosts } from "./known-hosts.js";

export type TrackerChoice = "all" | "static" | "none";

export interface PresenceSettings {
  trackers: TrackerChoice;
  /** MACs (mac12) that get no tracker and no event. */
  exclude: ReadonlySet<string>;
  removeAfterDays: number;
}

/** What discovery needs of a tracked host (entities/presence.ts). */
export interface TrackedHost {
  mac: string;
  /** Its device's name. */
  name: string;
}

/**
 * `events`: the stream is up; `polled`: the LAN browser answers but the stream does not (yet, or
 * never on this box); `off`: bridge mode, the box has no LAN (`nodev`), only static leases remain.
 */
export type PresenceMode = "polled" | "events" | "off";

export type LanEventType = "arrived" | "left" | "new_device";

export interface PresenceOptions {
  api: FreeboxApi;
  baseTopic: string;
  settings: PresenceSettings;
  known: KnownHosts;
  logger: Logger;
  /** Retained state of a tracked host (published when its text changed). */
  publishState(topic: string, value: unknown): void;
  /** A host lost its tracker: its retained state is cleared. */
  clearState(topic: string): void;
  /** Not retained: `<base>/lan/event`. */
  publishEvent(payload: string): void;
  /** The tracked hosts or a device name changed: discovery is synced again. */
  onTrackedChange(): void;
  /** The mode changed (bridge/info shows it). */
  onModeChange(): void;
  /** Unix time in seconds (tests). */
  now?: () => number;
}

interface Entry {
  /** The box's latest LanHost for it; undefined for a host only known from an earlier run. */
  host: LanHost | undefined;
  /** Ticket of the update that set `host`. */
  ticket: number;
  /** The state last built; `last_seen` is kept with it (hostState). */
  state: HostState | undefined;
  mac: string;
  /** `<base>/lan/hosts/<mac12>`, built once. */
  topic: string;
  /**
   * The known hosts' revision and the static leases' names (Presence.#leaseNames) when its last
   * update ended with it known; -1 before. With both the same and its state kept, an update has
   * nothing to say or record (#update).
   */
  knownRevision: number;
  leaseNames: number;
}

const DAY_S = 86_400;

export class Presence {
  #mode: PresenceMode = "polled";
  readonly #entries = new Map<string, Entry>();
  #leases = new Map<string, StaticLease>();
  #tickets = 0;
  /** The LAN browser answered once (or said bridge mode): the tracked set is complete. */
  #settled = false;
  #tracked: TrackedHost[] = [];
  /** Host topic → the state last handed to publishState (the same object while it is unchanged). */
  #sent = new Map<string, HostState>();
  /**
   * Something #publish reads changed since it last walked the hosts: a state object, the static
   * leases' MACs or names, `settled`, the mode, the known hosts. When none did, a walk would
   * publish nothing and find the same tracked set, unless time made an away host's tracker expire
   * (#oldestSeen) or went back (#publishedAt): #publish then returns at once.
   */
  #changed = true;
  #knownAtPublish = -1;
  #publishedAt = Number.NEGATIVE_INFINITY;
  /** The earliest `last_seen` of the tracked hosts whose tracker can expire (the first to go). */
  #oldestSeen: number | null = null;
  /**
   * The last list read, in the box's order: each host's `l2ident.id` as sent (when its MAC came
   * from it) and its entry. A box lists its hosts in the same order poll after poll: the host at
   * the same place with the same `l2ident.id` is the same entry, found without macKey and a Map
   * lookup (a thousand of each per poll on a big LAN). Rewritten by each read, never longer than
   * its list; entries are never removed, so one kept here is the map's.
   */
  #readIds: (string | undefined)[] = [];
  #readEntries: Entry[] = [];
  /** Moves on when the static leases' MACs, comments or hostnames change (device names). */
  #leaseNames = 0;
  /** The static leases last read, and each one's MAC (macKey; undefined when it has none). */
  #leaseList: readonly StaticLease[] = [];
  #leaseMacs: (string | undefined)[] = [];

  constructor(private readonly o: PresenceOptions) {}

  get mode(): PresenceMode {
    return this.#mode;
  }

  /** Every host that can have a tracker was read once: reconciliation may clear the others. */
  get settled(): boolean {
    return this.#settled || this.o.settings.trackers === "none";
  }

  /** Tracked hosts, sorted by MAC (discovery). */
  get tracked(): readonly TrackedHost[] {
    return this.#tracked;
  }

  /** Hosts from an earlier run, away until the box lists them again. */
  restore(): void {
    const now = this.#now();
    for (const [mac, known] of this.o.known.entries()) {
      if (this.#entries.has(mac) || this.#expired(known.last_seen, now)) continue;
      // Home when the last run stopped: seen then, as far as we know.
      const lastSeen = known.last_seen ?? now;
      if (known.last_seen === null) this.o.known.set(mac, { ...known, last_seen: lastSeen });
      const host: LanHost = { primary_name: known.name, active: false, last_time_reachable: lastSeen };
      this.#add(mac, hostState(host, undefined));
    }
    this.#publish();
  }

  /** The stream registered (`events`) or went down / is not available (`polled`). */
  setStreaming(up: boolean): void {
    if (this.#mode === "off") return;
    this.#setMode(up ? "events" : "polled");
  }

  /** The static leases just read: each is tracked, named by its comment, fed by its host in bridge mode. */
  setStaticLeases(leases: readonly StaticLease[]): void {
    // The box's list as last time (nearly always): the map keeps its keys and only takes the new
    // leases (their `host` feeds bridge mode), without macKey and a new map.
    const sameList = sameLeaseList(this.#leaseList, leases);
    const before = this.#leases;
    if (!sameList) {
      this.#leases = new Map();
      this.#leaseMacs = leases.map((lease) => macKey(lease.mac ?? lease.id));
    }
    for (const [i, lease] of leases.entries()) {
      const mac = this.#leaseMacs[i];
      if (mac) this.#leases.set(mac, lease);
    }
    this.#leaseList = [...leases]; // the caller's array is not ours to keep
    const same = sameList || sameNames(before, this.#leases);
    if (!same) {
      this.#changed = true;
      this.#leaseNames++;
    }
    if (this.#mode === "off") {
      const ticket = ++this.#tickets;
      for (const [mac, lease] of this.#leases)
        this.#update(this.#entryOf(mac), lease.host ?? {}, ticket, false);
    } else if (same) {
      // Outside bridge mode a lease gives a tracker and a name only: with the same MACs, comments
      // and hostnames nothing changed for presence (the LAN read of the same poll follows anyway).
      return;
    }
    this.#publish();
  }

  /**
   * Reads every interface's hosts (`lan/browser/interfaces/`, then each one). `nodev` on the list
   * or on `pub` is bridge mode (freebox-api-lan-browser): presence is off, said once, and the next
   * polls keep asking in case the box leaves bridge mode. Other box errors reject.
   */
  async poll(): Promise<void> {
    const ticket = ++this.#tickets;
    let hosts: LanHost[];
    try {
      hosts = await readLanHosts(this.o.api);
    } catch (error) {
      if (!(error instanceof FreeboxError && error.code === "nodev")) throw error;
      if (this.#mode !== "off") {
        this.o.logger.info("the box is in bridge mode (the LAN browser answers nodev): presence is off");
        this.#setMode("off");
        this.setStaticLeases([...this.#leases.values()]);
      }
      this.#settle();
      this.#publish();
      return;
    }
    if (this.#mode === "off") {
      this.o.logger.info("the LAN browser answers again: presence is on");
      this.#setMode("polled");
    }
    const seeding = !this.#settled && !this.o.known.existed;
    // Only this loop gives an entry this read's ticket (each update takes a ticket of its own):
    // `entry.ticket === ticket` is a MAC this read listed already (twice: on two interfaces, the
    // first one wins), `> ticket` one a notification updated while this read was under way, which
    // is newer than its answer.
    const ids = this.#readIds;
    const read = this.#readEntries;
    for (let i = 0; i < hosts.length; i++) {
      const host = hosts[i] as LanHost;
      const id = (host.l2ident as { id?: unknown } | undefined)?.id;
      let entry = typeof id === "string" && id === ids[i] ? read[i] : undefined;
      if (entry === undefined) {
        const mac = macOf(host);
        ids[i] = typeof id === "string" && macKey(id) !== undefined ? id : undefined;
        if (mac === undefined) continue;
        entry = this.#entryOf(mac);
      }
      read[i] = entry;
      if (entry.ticket < ticket) this.#update(entry, host, ticket, !seeding);
    }
    ids.length = read.length = hosts.length;
    // A host the box no longer lists reads not_home (it keeps its last data; `last_seen` from it).
    for (const entry of this.#entries.values()) {
      if (entry.ticket >= ticket || entry.state?.home !== true) continue;
      this.#update(entry, { ...entry.host, active: false, reachable: false }, ticket, true);
    }
    this.#settle();
    this.#publish();
  }

  /** A notification's LanHost (`lan_host_l3addr_reachable` / `_unreachable`), applied at once. */
  applyEvent(result: unknown): void {
    const host = typeof result === "object" && result !== null ? (result as LanHost) : undefined;
    const mac = host ? macOf(host) : undefined;
    if (host === undefined || mac === undefined || this.#mode === "off") {
      this.o.logger.debug("a LAN event without a host MAC, ignored");
      return;
    }
    const entry = this.#entryOf(mac);
    this.#update(entry, host, ++this.#tickets, this.#settled || this.o.known.existed);
    // One host changed: when its tracker and device name stay as they were, only its topic is
    // published (the whole set is walked only when a tracker comes or goes).
    const index = this.#tracked.findIndex((t) => t.mac === mac);
    const tracks = this.#tracks(mac, entry, this.#now());
    if (tracks && index >= 0 && this.#tracked[index]?.name === this.#name(mac, entry) && entry.state) {
      this.#send(entry, entry.state);
      return;
    }
    if (!tracks && index < 0) return;
    this.#publish();
  }

  /** bridge/info's `presence` block. */
  info(): Record<string, unknown> {
    // No count of tracked hosts: it would republish bridge/info each time a device comes or goes.
    return { mode: this.#mode, trackers: this.o.settings.trackers };
  }

  #setMode(mode: PresenceMode): void {
    if (this.#mode === mode) return;
    this.#mode = mode;
    this.#changed = true;
    this.o.onModeChange();
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#changed = true;
  }

  /** `mac`'s entry; a new one (no state yet: #update gives it one) when it has none. */
  #entryOf(mac: string): Entry {
    return this.#entries.get(mac) ?? this.#add(mac, undefined);
  }

  #add(mac: string, state: HostState | undefined): Entry {
    // `mac` is a mac12 key already (macKey / macOf): the topic needs no check.
    const entry = {
      host: undefined,
      ticket: 0,
      state,
      mac,
      topic: `${this.o.baseTopic}/${HOSTS_TOPIC}/${mac}`,
      knownRevision: -1,
      leaseNames: -1,
    };
    this.#entries.set(mac, entry);
    return entry;
  }

  /** Applies one LanHost to its entry: state, events, what this installation knows. */
  #update(entry: Entry, host: LanHost, ticket: number, announce: boolean): void {
    const { mac } = entry;
    // A host restored from an earlier run or a lease never listed has no box data yet: its first
    // answer is no arrival (it may have been home all along).
    const before = entry.host === undefined ? undefined : entry.state?.home;
    // The state kept as it was when nothing in it changed: #publish then knows it was sent already.
    // Most hosts at most polls: the box's lasting facts are those of the host kept (sameState), so
    // the state is not even built.
    let state = entry.state;
    if (state === undefined || entry.host === undefined || !sameState(entry.host, host, state)) {
      const built = hostState(host, state);
      if (state === undefined || !sameHostState(state, built)) {
        state = built;
        this.#changed = true;
      }
    }
    const kept = state === entry.state;
    entry.host = host;
    entry.ticket = ticket;
    entry.state = state;
    // The same state, device name inputs and known record as at its last update (most hosts at
    // most polls): no transition, so no event, and the known record already says what it would.
    if (kept && entry.knownRevision === this.o.known.revision && entry.leaseNames === this.#leaseNames)
      return;
    const known = this.o.known.get(mac);
    const name = this.#name(mac, entry, known);
    if (!this.o.settings.exclude.has(mac)) {
      if (known === undefined && state.home === true && announce) this.#event("new_device", mac, name, state);
      else if (before === false && state.home === true) this.#event("arrived", mac, name, state);
      else if (before === true && state.home === false) this.#event("left", mac, name, state);
    }
    // Written on transitions only: null while home (an earlier run's restore counts from its own
    // start then), the time it was last seen once it left. Most updates change neither.
    if (state.home === null) return;
    const lastSeen = state.home ? null : state.last_seen;
    if (known?.name !== name || known.last_seen !== lastSeen)
      this.o.known.set(mac, { name, last_seen: lastSeen });
    // Known now, unless the file's size cap forgot it at once (KnownHosts MAX_HOSTS).
    const recorded = this.o.known.has(mac);
    entry.knownRevision = recorded ? this.o.known.revision : -1;
    entry.leaseNames = this.#leaseNames;
  }

  #event(type: LanEventType, mac: string, name: string, state: HostState): void {
    this.o.publishEvent(
      JSON.stringify({ event_type: type, mac: macColon(mac), name, interface: state.interface }),
    );
  }

  /** Publishes each tracked host's state, clears the ones that lost their tracker. */
  #publish(): void {
    const now = this.#now();
    if (this.#unchanged(now)) return;
    this.#changed = false;
    this.#knownAtPublish = this.o.known.revision;
    this.#publishedAt = now;
    this.#oldestSeen = null;
    const tracked: TrackedHost[] = [];
    for (const [mac, entry] of this.#entries) {
      if (!this.#tracks(mac, entry, now)) continue;
      tracked.push({ mac, name: this.#name(mac, entry) });
      const seen = this.#expiring(mac, entry) ? this.#lastSeen(mac, entry) : null;
      if (seen !== null && (this.#oldestSeen === null || seen < this.#oldestSeen)) this.#oldestSeen = seen;
    }
    // A static lease the box never listed still has its tracker: away (once the LAN browser
    // answered: before that, the host may well be home).
    for (const mac of this.#leases.keys()) {
      if (!this.#settled || this.#entries.has(mac) || !this.#tracks(mac, undefined, now)) continue;
      tracked.push({ mac, name: this.#name(mac, this.#add(mac, hostState({ active: false }, undefined))) });
    }
    tracked.sort((a, b) => (a.mac < b.mac ? -1 : 1));
    const before = this.#sent;
    this.#sent = new Map();
    for (const { mac } of tracked) {
      const entry = this.#entries.get(mac);
      if (entry?.state !== undefined) this.#send(entry, entry.state, before);
    }
    for (const topic of before.keys()) if (!this.#sent.has(topic)) this.o.clearState(topic);
    if (!sameTracked(tracked, this.#tracked)) {
      this.#tracked = tracked;
      this.o.onTrackedChange();
    }
  }

  /**
   * Whether a walk of the hosts would publish nothing and keep the tracked set as it is: nothing
   * it reads changed (#changed, the known hosts' revision) and no tracker expired since the last
   * walk. At most polls of a steady LAN, #update kept every host's state.
   */
  #unchanged(now: number): boolean {
    return (
      !this.#changed &&
      this.#knownAtPublish === this.o.known.revision &&
      now >= this.#publishedAt &&
      !this.#expired(this.#oldestSeen, now)
    );
  }

  /**
   * Hands a host's state to publishState unless it is the very state sent last (an unchanged host
   * keeps its state object: #update): at every poll most hosts are unchanged.
   */
  #send(entry: Entry, state: HostState, before = this.#sent): void {
    if (before.get(entry.topic) !== state) this.o.publishState(entry.topic, state);
    this.#sent.set(entry.topic, state);
  }

  /** PRESENCE_TRACKERS, the exclusions, and the days a host may stay unseen. */
  #tracks(mac: string, entry: Entry | undefined, now: number): boolean {
    const { trackers, exclude } = this.o.settings;
    if (trackers === "none" || exclude.has(mac)) return false;
    if (this.#leases.has(mac)) return true;
    if (trackers === "static" || entry?.state === undefined) return false;
    if (!this.#expiring(mac, entry)) return true;
    // Away and never seen (a static lease's placeholder once the lease is gone): no tracker.
    const lastSeen = this.#lastSeen(mac, entry);
    return lastSeen !== null && !this.#expired(lastSeen, now);
  }

  /** A tracked host whose tracker goes once it is unseen for too long: not a lease, not home. */
  #expiring(mac: string, entry: Entry): boolean {
    return !this.#leases.has(mac) && entry.state?.home !== true;
  }

  #lastSeen(mac: string, entry: Entry): number | null {
    return entry.state?.last_seen ?? this.o.known.get(mac)?.last_seen ?? null;
  }

  #expired(lastSeen: number | null, now: number): boolean {
    return lastSeen !== null && now - lastSeen > this.o.settings.removeAfterDays * DAY_S;
  }

  #name(mac: string, entry: Entry | undefined, known = this.o.known.get(mac)): string {
    return deviceName(mac, this.#leases.get(mac), entry?.state, known?.name);
  }

  #now(): number {
    return this.o.now?.() ?? Math.floor(Date.now() / 1000);
  }
}

/** The same leases' ids, comments and hostnames in the same order: the same map for presence. */
function sameLeaseList(a: readonly StaticLease[], b: readonly StaticLease[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) {
    const x = a[i] as StaticLease;
    const y = b[i] as StaticLease;
    if ((x.mac ?? x.id) !== (y.mac ?? y.id) || x.comment !== y.comment || x.hostname !== y.hostname)
      return false;
  }
  return true;
}

/** The same MACs with the same comments and hostnames (what presence takes from static leases). */
function sameNames(a: ReadonlyMap<string, StaticLease>, b: ReadonlyMap<string, StaticLease>): boolean {
  if (a.size !== b.size) return false;
  for (const [mac, lease] of b) {
    const old = a.get(mac);
    if (old?.comment !== lease.comment || old?.hostname !== lease.hostname) return false;
  }
  return true;
}

const sameTracked = (a: readonly TrackedHost[], b: readonly TrackedHost[]): boolean =>
  a.length === b.length && a.every((t, i) => t.mac === b[i]?.mac && t.name === b[i]?.name);
