// Issue 15's figures: presence latency (the box's notification → the tracker's state on the
// broker, p50 and p99 over 200 events), and with 250 hosts one event per second for a minute: the
// bridge's CPU per event and what it publishes per event; then an idle box: nothing at all.
// The bridge runs as users run it (`node dist/cli.js run`, a child process); the simulator and the
// broker run here, so that the notification and the state's arrival are timed on one clock.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { silentLogger } from "../logger.js";
import { startEmbeddedBroker } from "../mqtt/broker.js";
import { startSimulator } from "../sim/index.js";
import {
  BASE,
  bridgeEnv,
  median,
  newAppToken,
  percentile,
  sleep,
  spawnBridge,
  tempDataDir,
  until,
  Watcher,
} from "./common.js";
import { setLeases } from "./lan.js";
import { stopProcess } from "./proc.js";
import { ms, type Row } from "./table.js";

export interface PresenceOptions {
  /** Latency samples (200). */
  events: number;
  /** Hosts on the LAN (250). */
  hosts: number;
  /** Seconds of one event per second (60). */
  loadSeconds: number;
  /** Seconds of an idle box (10). */
  idleSeconds: number;
}

/** The bridge runs as users run it (a child process), the box and the broker in the bench. */
const BOX = "event stream";
const HOUR = "3600";

/** utime + stime of a process in ms, from /proc (Linux; USER_HZ is 100 there). Undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

export async function measurePresence(o: PresenceOptions): Promise<Row[]> {
  const token = newAppToken();
  const sim = await startSimulator({ apps: [{ appId: "fr.freebox2mqtt", appToken: token }], lanHosts: 0 });
  setLeases(sim.state, o.hosts);
  const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: silentLogger });
  const data = tempDataDir();
  const watcher = await Watcher.open(broker.url, [`${BASE}/#`]);
  const bridge = spawnBridge({
    ...bridgeEnv({ simUrl: sim.url, brokerUrl: broker.url, token, dataDir: data.dir }),
    // Only the event stream moves the trackers here: no poll during the run.
    POLL_STATUS_INTERVAL: HOUR,
    POLL_CONFIG_INTERVAL: HOUR,
    POLL_LEASES_INTERVAL: HOUR,
  });
  try {
    const macs = Object.keys(sim.state.hosts).filter((mac) => sim.state.hosts[mac]?.id !== undefined);
    const topic = (mac: string) => `${BASE}/lan/hosts/${mac.toLowerCase().replace(/:/g, "")}`;
    const ready = () =>
      sim.eventSubscribers === 1 && macs.every((m) => watcher.after(topic(m), 0) !== undefined);
    if (!(await until(ready, 30_000)))
      throw new Error(`the bridge never tracked every host; its log:\n${bridge.tail()}`);
    await sleep(500); // the LAN read after the stream registered is over

    // Latency: the host flips, timed from the notification to its state on the broker.
    const latencies: number[] = [];
    for (let i = 0; i < o.events; i++) {
      const mac = macs[i % macs.length] ?? "";
      const home = sim.state.hosts[mac]?.active !== true;
      const sent = performance.now();
      if (home) sim.hostArrives(mac);
      else sim.hostLeaves(mac);
      const arrived = (p: string) => (JSON.parse(p) as { home?: unknown }).home === home;
      if (!(await until(() => watcher.after(topic(mac), sent, arrived) !== undefined, 5_000, 0))) {
        throw new Error(`no state for ${mac} after its event`);
      }
      latencies.push((watcher.after(topic(mac), sent, arrived)?.at ?? Number.NaN) - sent);
      await sleep(5);
    }

    // Load: one event per second; what the bridge spends and publishes for each.
    await sleep(500);
    watcher.clear();
    const cpuBefore = cpuMs(bridge.child.pid);
    for (let second = 0; second < o.loadSeconds; second++) {
      const mac = macs[(second * 7) % macs.length] ?? "";
      if (sim.state.hosts[mac]?.active === true) sim.hostLeaves(mac);
      else sim.hostArrives(mac);
      await sleep(1000);
    }
    const cpuAfter = cpuMs(bridge.child.pid);
    const published = watcher.seen.filter((m) => m.topic !== `${BASE}/bridge/health`);
    const states = published.filter((m) => m.topic.startsWith(`${BASE}/lan/hosts/`)).length;
    const events = published.filter((m) => m.topic === `${BASE}/lan/event`).length;
    const other = published.length - states - events;

    // Idle: nothing moves, nothing is published.
    watcher.clear();
    await sleep(o.idleSeconds * 1000);
    const cpuIdle = cpuMs(bridge.child.pid);
    const idle = watcher.seen.filter((m) => m.topic !== `${BASE}/bridge/health`).length;

    // The process's own idle cost per second (timers, heartbeat, GC) is taken off each event's second.
    const idlePerSecond =
      cpuIdle === undefined || cpuAfter === undefined ? 0 : (cpuIdle - cpuAfter) / o.idleSeconds;
    const perEvent =
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : Math.max(0, (cpuAfter - cpuBefore) / o.loadSeconds - idlePerSecond);
    const p99 = percentile(latencies, 99);
    const row = (figure: string, bridge: string, target: string, pass?: boolean): Row => ({
      figure,
      box: BOX,
      bridge,
      floor: "",
      vsFloor: "",
      target,
      ...(pass === undefined ? {} : { pass }),
    });
    return [
      row(
        `presence latency p50 (p99), ${o.events} events`,
        `${ms(median(latencies))} (${ms(p99)})`,
        "p99 < 100 ms",
        p99 < 100,
      ),
      row(
        `presence CPU per event, ${o.hosts} hosts`,
        perEvent === undefined
          ? "n/a (Linux only)"
          : `${ms(perEvent)} (whole process, ${o.loadSeconds} s, idle cost ${ms(idlePerSecond)}/s taken off)`,
        "",
      ),
      row(
        `presence messages per event, ${o.hosts} hosts`,
        `${(states / o.loadSeconds).toFixed(2)} state + ${(events / o.loadSeconds).toFixed(2)} lan/event; ${other} other`,
        "1 state, nothing else",
        states === o.loadSeconds && other === 0,
      ),
      row(`presence, idle box (${o.idleSeconds} s)`, `${idle} messages`, "0", idle === 0),
    ];
  } finally {
    await stopProcess(bridge.child);
    await watcher.close();
    await Promise.allSettled([broker.close(), sim.close()]);
    data.cleanup();
  }
}
