// Footprint: the bridge (startApp, as `run` does) alone in a process of its own, polled cycle
// after cycle on demand, its memory read after a full GC (node --expose-gc) at the points the
// parent asks for. argv[2]: JSON {simUrl, brokerUrl, token}.
import { startInProcess } from "./inproc.js";
import { serveParent } from "./proc.js";

const o = JSON.parse(process.argv[2] ?? "{}") as { simUrl: string; brokerUrl: string; token: string };
const bridge = await startInProcess(o);

const memory = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
};

process.once("SIGTERM", () => void bridge.stop().then(() => process.exit(0)));
serveParent(
  { ready: true },
  {
    memory,
    /** `count` full poll cycles, one after the other; their total wall time in ms. */
    cycles: async (message) => {
      const started = performance.now();
      for (let i = 0; i < Number(message.count); i++) await bridge.cycle();
      return performance.now() - started;
    },
  },
);
