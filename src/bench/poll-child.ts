// Runs the poll figures (poll.ts) in a fresh process, so that the CPU counted is the bridge's on a
// clean heap, whatever the earlier figures left in the bench's own process. argv[2]: JSON
// {sizes, cycles, warmup}; the result is the answer to "run". Started like the CLI starts the bridge
// (runtime.ts first, the rest loaded after it).
import { tuneRuntime } from "../runtime.js";

tuneRuntime();
const { measurePolls } = await import("./poll.js");
const { serveParent } = await import("./proc.js");

const o = JSON.parse(process.argv[2] ?? "{}") as { sizes: number[]; cycles: number; warmup: number };
serveParent({ ready: true }, { run: () => measurePolls(o.sizes, o.cycles, o.warmup) });
