// Traffic of a live box (issue 18): what the bridge publishes in one hour of a box on which no
// lease is added or removed and no device arrives or leaves, while everything else moves as on a
// real box (box-child.ts, which moves the box with src/sim/live.ts's tick only: the simulator's own
// live mode, whose LAN hosts come and go every 15 s, stays off). The hour is simulated, not waited: each group is polled as often as its
// default interval makes it in an hour, in the order its timers would, and the box moves on by
// the status interval at each status poll. The bridge's heartbeat (every 30 s, not retained) is
// left out: it is the same at every size.

import type { PollGroup } from "../bridge/resources.js";
import { loadConfig } from "../config.js";
import { APP_ID, BASE, newAppToken, sleep, Watcher } from "./common.js";
import { startInProcess } from "./inproc.js";
import { scriptPath, spawnChild } from "./proc.js";

export interface Traffic {
  leases: number;
  /** Messages and payload + topic bytes published in the hour. */
  messages: number;
  bytes: number;
  /** The same per topic, a device's topics as one (`<mac>` for its MAC): what moves. */
  byTopic: Record<string, { messages: number; bytes: number }>;
}

const HEARTBEAT = `${BASE}/bridge/health`;
const HOUR_S = 3600;

export async function measureTraffic(sizes: number[]): Promise<Traffic[]> {
  const token = newAppToken();
  const box = spawnChild(scriptPath("box-child.js"), [
    JSON.stringify({ appId: APP_ID, appToken: token, leases: sizes[0] ?? 10, live: true, broker: true }),
  ]);
  const out: Traffic[] = [];
  try {
    const { simUrl, brokerUrl } = (await box.ready) as { simUrl: string; brokerUrl: string };
    const defaults = loadConfig({ env: { FREEBOX_URL: simUrl } }).poll;
    const intervals: Record<PollGroup, number> = {
      status: defaults.statusInterval,
      config: defaults.configInterval,
      leases: defaults.leasesInterval,
    };
    const step = Math.min(...Object.values(intervals));
    const bridge = await startInProcess({ simUrl, brokerUrl, token });
    const watcher = await Watcher.open(brokerUrl, [`${BASE}/#`, "homeassistant/#"]);
    try {
      for (const leases of sizes) {
        await box.ask("pace", { seconds: 1 });
        await box.ask("leases", { total: leases });
        // The new LAN, its discovery and its trackers: published once, not this figure.
        for (let i = 0; i < 3; i++) await bridge.cycle();
        await sleep(500);
        watcher.clear();
        await box.ask("pace", { seconds: intervals.status });
        const app = bridge.app.bridge;
        if (!app) throw new Error("the bridge is not running");
        for (let t = 0; t < HOUR_S; t += step) {
          for (const group of ["status", "config", "leases"] as const) {
            if (t % intervals[group] === 0) await app.refreshGroup(group);
          }
        }
        await sleep(500); // the last publications on their way
        const seen = watcher.seen.filter((m) => m.topic !== HEARTBEAT);
        const byTopic: Traffic["byTopic"] = {};
        for (const m of seen) {
          const topic = m.topic.replace(/[0-9a-f]{12}/g, "<mac>");
          const t = byTopic[topic] ?? { messages: 0, bytes: 0 };
          t.messages += 1;
          t.bytes += Buffer.byteLength(m.topic) + Buffer.byteLength(m.payload);
          byTopic[topic] = t;
        }
        out.push({
          leases,
          messages: seen.length,
          bytes: seen.reduce((sum, m) => sum + Buffer.byteLength(m.topic) + Buffer.byteLength(m.payload), 0),
          byTopic,
        });
      }
    } finally {
      await watcher.close();
      await bridge.stop();
    }
    return out;
  } finally {
    await box.stop();
  }
}
