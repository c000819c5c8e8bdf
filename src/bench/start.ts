// Start: from spawning `node dist/cli.js run` (as users run it) until every discovery config and
// every state of the box is on the broker and the box is `online`. Each run gets a fresh broker, so
// nothing retained by an earlier run counts. The first run is a calibration, not measured: it
// learns which topics a complete start publishes (waiting until no new one comes for a second).
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { silentLogger } from "../logger.js";
import { startEmbeddedBroker } from "../mqtt/broker.js";
import { startSimulator } from "../sim/index.js";
import {
  APP_ID,
  BASE,
  bridgeEnv,
  newAppToken,
  sleep,
  spawnBridge,
  tempDataDir,
  until,
  Watcher,
} from "./common.js";
import { stopProcess } from "./proc.js";

const AVAILABILITY = `${BASE}/box/availability`;
// Not part of "discovery and states": the heartbeat, and answers to commands.
const counted = (topic: string) =>
  topic !== `${BASE}/bridge/health` && !topic.startsWith(`${BASE}/bridge/response/`);

export interface StartResult {
  /** ms from spawn to complete, per measured run. */
  runs: number[];
  /** Topics a complete start publishes (discovery configs + states + bridge topics). */
  topics: number;
}

export async function measureStart(runs: number, live: boolean): Promise<StartResult> {
  const token = newAppToken();
  const sim = await startSimulator({ apps: [{ appId: APP_ID, appToken: token, settings: true }], live });
  let expected: Set<string> | undefined;
  const result: StartResult = { runs: [], topics: 0 };
  try {
    for (let run = 0; run <= runs; run++) {
      const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: silentLogger });
      const watcher = await Watcher.open(broker.url, [`${BASE}/#`, "homeassistant/#"]);
      const data = tempDataDir();
      const seenTopics = () => {
        const topics = new Set<string>();
        for (const m of watcher.seen) if (m.payload !== "" && counted(m.topic)) topics.add(m.topic);
        return topics;
      };
      const online = () => watcher.seen.some((m) => m.topic === AVAILABILITY && m.payload === "online");
      const started = performance.now();
      const bridge = spawnBridge(
        bridgeEnv({ simUrl: sim.url, brokerUrl: broker.url, token, dataDir: data.dir }),
      );
      try {
        if (expected === undefined) {
          expected = await calibrate(seenTopics, online);
          result.topics = expected.size;
        } else {
          const want = expected;
          const complete = () => {
            const topics = seenTopics();
            return online() && [...want].every((t) => topics.has(t));
          };
          if (!(await until(complete, 10_000, 1)))
            throw new Error(`incomplete start; its log:\n${bridge.tail()}`);
          // Complete when the last missing piece arrived: each topic's first message, first `online`.
          const first = new Map<string, number>();
          for (const m of watcher.seen) {
            const needed =
              m.topic === AVAILABILITY ? m.payload === "online" : want.has(m.topic) && m.payload !== "";
            if (needed && !first.has(m.topic)) first.set(m.topic, m.at);
          }
          const last = Math.max(...first.values());
          result.runs.push(last - started);
        }
      } finally {
        await stopProcess(bridge.child);
        await watcher.close();
        await broker.close();
        data.cleanup();
      }
    }
    return result;
  } finally {
    await sim.close();
  }
}

/** The topics of a complete start: online, then nothing new for a second (bounded to 10 s). */
async function calibrate(seenTopics: () => Set<string>, online: () => boolean): Promise<Set<string>> {
  if (!(await until(online, 10_000))) throw new Error("the bridge never said the box is online");
  let count = seenTopics().size;
  for (let quiet = 0, i = 0; quiet < 10 && i < 100; i++) {
    await sleep(100);
    const now = seenTopics().size;
    quiet = now === count ? quiet + 1 : 0;
    count = now;
  }
  return seenTopics();
}

/** The floor of a start: ms from spawning `node -e ""` to its exit, per run. */
export async function measureNodeStart(runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => child.once("exit", resolve));
    out.push(performance.now() - started);
  }
  return out;
}
