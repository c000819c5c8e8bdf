// Footprint: the bridge (startApp, as `run` does), or the HTTP floor (floor.ts), alone in a process
// of its own, polled on demand, its memory read after a full GC (node --expose-gc) at the points the
// parent asks for. argv[2]: JSON {simUrl, brokerUrl, token, floorEndpoints?}: with
// `floorEndpoints`, the floor doing those GETs instead of the bridge.
import { readFileSync } from "node:fs";
import { httpFloor } from "./floor.js";
import { serveParent } from "./proc.js";

export interface Memory {
  rss: number;
  heapUsed: number;
  /** Anonymous RSS (Linux): the process's own memory, without the node binary's file pages. */
  private: number | null;
}

const memory = (): Memory => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  const anon = /RssAnon:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  return { rss: m.rss, heapUsed: m.heapUsed, private: anon === undefined ? null : Number(anon) * 1024 };
};

const o = JSON.parse(process.argv[2] ?? "{}") as {
  simUrl: string;
  brokerUrl: string;
  token: string;
  floorEndpoints?: string[];
};
const subject = o.floorEndpoints
  ? await httpFloor(o.simUrl, o.token, o.floorEndpoints)
  : // Loaded only here: the floor's process holds none of the bridge's code.
    await (await import("./inproc.js"))
      .startInProcess(o)
      .then((bridge) => ({ cycle: bridge.cycle, close: bridge.stop }));

process.once("SIGTERM", () => void subject.close().then(() => process.exit(0)));
serveParent(
  { ready: true },
  {
    memory,
    /** `count` full polls, one after the other. */
    cycles: async (message) => {
      for (let i = 0; i < Number(message.count); i++) await subject.cycle();
    },
  },
);
