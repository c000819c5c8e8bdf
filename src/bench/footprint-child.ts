// Footprint: the bridge (startApp, as `run` does) alone in a process of its own, polled cycle
// after cycle on demand, its memory read after a full GC (node --expose-gc) at the points the
// parent asks for. argv[2]: JSON {simUrl, brokerUrl, token}. Started like the CLI starts the bridge
// (runtime.ts first, the rest loaded after it).
import { tuneRuntime } from "../runtime.js";

tuneRuntime();
const { startInProcess } = await import("./inproc.js");
const { serveParent } = await import("./proc.js");

const { readFileSync } = await import("node:fs");

/** RSS, heap in use, and the part of RSS that is the process's own (not the node binary's pages). */
const memory = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  const anon = /RssAnon:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  return { rss: m.rss, heapUsed: m.heapUsed, private: anon === undefined ? null : Number(anon) * 1024 };
};

// The floor: Node with the bridge's code and libraries loaded, before it does anything.
const loaded = memory();
const o = JSON.parse(process.argv[2] ?? "{}") as { simUrl: string; brokerUrl: string; token: string };
const bridge = await startInProcess(o);

process.once("SIGTERM", () => void bridge.stop().then(() => process.exit(0)));
serveParent(
  { ready: true },
  {
    memory,
    loaded: () => loaded,
    /** `count` full poll cycles, one after the other; their total wall time in ms. */
    cycles: async (message) => {
      const started = performance.now();
      for (let i = 0; i < Number(message.count); i++) await bridge.cycle();
      return performance.now() - started;
    },
  },
);
