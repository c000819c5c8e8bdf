// Runs the poll figures (poll.ts) in a fresh process, so that the CPU counted is the bridge's on a
// clean heap, whatever the earlier figures left in the bench's own process. argv[2]: JSON
// {sizes, cycles, warmup, live}; the result is the answer to "run".
import { measurePolls } from "./poll.js";
import { serveParent } from "./proc.js";

const o = JSON.parse(process.argv[2] ?? "{}") as {
  sizes: number[];
  cycles: number;
  warmup: number;
  live: boolean;
};
serveParent({ ready: true }, { run: () => measurePolls(o.sizes, o.cycles, o.warmup, o.live) });
