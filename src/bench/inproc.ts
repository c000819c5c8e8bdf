// The bridge in this process (startApp, as `run` does), for figures that need to call into it:
// poll cycles on demand (bridge.refreshAll), one resource at a time (bridge.refresh), and the CPU
// time they take.
import { Writable } from "node:stream";
import { loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { type App, startApp } from "../main.js";
import { bridgeEnv, tempDataDir } from "./common.js";

export interface InProcessBridge {
  app: App;
  /** One full poll cycle (every group), resolved once it is over. */
  cycle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startInProcess(o: {
  simUrl: string;
  brokerUrl: string;
  token: string;
}): Promise<InProcessBridge> {
  const data = tempDataDir();
  // The bench starts every poll itself: the bridge's own schedule stays out of its way.
  const config = loadConfig({
    env: {
      ...bridgeEnv({ ...o, dataDir: data.dir }),
      POLL_STATUS_INTERVAL: "86400",
      POLL_CONFIG_INTERVAL: "86400",
      POLL_LEASES_INTERVAL: "86400",
    },
  });
  // The default level (info), formatted as usual, written nowhere: the bench prints only its table.
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const app = startApp(
    config,
    createLogger({ level: config.log.level, format: config.log.format, stream: sink }),
  );
  await app.ready;
  const cycle = async () => {
    const bridge = app.bridge;
    if (!bridge) throw new Error("the bridge is not running");
    await bridge.refreshAll();
  };
  return {
    app,
    cycle,
    stop: async () => {
      await app.stop();
      data.cleanup();
    },
  };
}
