// Command round trip and confirmation. The bridge runs as users run it (`node dist/cli.js run`,
// a child process); the simulator and the broker run here, so that the MQTT publish, the PUT's
// arrival (simulator hook) and the refreshed state (a watcher) are timed on one clock.
// The floor, a bare forwarder (floor-child.ts), runs as a child process too, interleaved with the
// bridge on the same broker and simulator, so both see the same conditions.
import { performance } from "node:perf_hooks";
import { silentLogger } from "../logger.js";
import { startEmbeddedBroker } from "../mqtt/broker.js";
import { startSimulator } from "../sim/index.js";
import type { SimRequest } from "../sim/types.js";
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
import { scriptPath, spawnChild, stopProcess } from "./proc.js";

export interface RoundTrip {
  /** publish → PUT received, through the bridge (ms). */
  bridge: number[];
  /** publish → PUT received, through the bare forwarder (ms). */
  floor: number[];
  /** PUT answered → refreshed state received from the broker (ms). */
  confirmation: number[];
}

const SET_TOPIC = `${BASE}/connection/config/set`;
const STATE_TOPIC = `${BASE}/connection/config`;
const FLOOR_TOPIC = "bench/floor/connection/config/set";

export async function measureRoundTrip(samples: number, warmup: number, live: boolean): Promise<RoundTrip> {
  const token = newAppToken();
  let lastPut: number | undefined;
  const onRequest = (request: SimRequest) => {
    if (request.method === "PUT" && request.path === "connection/config/") lastPut = performance.now();
  };
  const sim = await startSimulator({
    apps: [{ appId: APP_ID, appToken: token, settings: true }],
    onRequest,
    live,
  });
  const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: silentLogger });
  const data = tempDataDir();
  const watcher = await Watcher.open(broker.url, [STATE_TOPIC]);
  const floor = spawnChild(scriptPath("floor-child.js"), [
    JSON.stringify({
      brokerUrl: broker.url,
      simUrl: sim.url,
      appId: APP_ID,
      appToken: token,
      topic: FLOOR_TOPIC,
    }),
  ]);
  const bridge = spawnBridge(bridgeEnv({ simUrl: sim.url, brokerUrl: broker.url, token, dataDir: data.dir }));
  const result: RoundTrip = { bridge: [], floor: [], confirmation: [] };
  try {
    await floor.ready;
    if (!(await until(() => watcher.after(STATE_TOPIC, 0) !== undefined, 15_000))) {
      throw new Error(`the bridge published no connection/config state; its log:\n${bridge.tail()}`);
    }
    await sleep(300); // the first poll of every group is over
    const put = async (topic: string, payload: string): Promise<{ sent: number; put: number }> => {
      lastPut = undefined;
      const sent = performance.now();
      watcher.client.publish(topic, payload, { qos: 1 });
      if (!(await until(() => lastPut !== undefined, 5_000, 0))) throw new Error(`no PUT after ${topic}`);
      return { sent, put: lastPut ?? Number.NaN };
    };
    for (let i = 0; i < warmup + samples; i++) {
      // Always the opposite of the box's value, so that the refreshed state differs and is published.
      const ping = !sim.state.config.ping;
      const payload = JSON.stringify({ ping });
      const viaFloor = async () => {
        const t = await put(FLOOR_TOPIC, payload);
        await sleep(2); // let the floor read its answer before the next message
        return t.put - t.sent;
      };
      // Alternate who goes first, so that neither always runs on a just-woken process.
      const floorFirst = i % 2 === 1;
      const floorMs = floorFirst ? await viaFloor() : 0;
      const t = await put(SET_TOPIC, payload);
      const confirmed = (p: string) => (JSON.parse(p) as { ping?: unknown }).ping === ping;
      if (!(await until(() => watcher.after(STATE_TOPIC, t.put, confirmed) !== undefined, 5_000, 0))) {
        throw new Error("the refreshed state never reached the broker");
      }
      const state = watcher.after(STATE_TOPIC, t.put, confirmed);
      const lateFloorMs = floorFirst ? floorMs : await viaFloor();
      watcher.clear();
      if (i < warmup) continue;
      result.bridge.push(t.put - t.sent);
      result.floor.push(lateFloorMs);
      result.confirmation.push((state?.at ?? Number.NaN) - t.put);
    }
    return result;
  } finally {
    await Promise.allSettled([stopProcess(bridge.child), floor.stop()]);
    await watcher.close();
    await Promise.allSettled([broker.close(), sim.close()]);
    data.cleanup();
  }
}
