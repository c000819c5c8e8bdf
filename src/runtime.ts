// Process-wide settings for a long-running bridge, applied at the entry before anything else loads.
//
// The bridge is idle between polls and its work is I/O: V8's defaults, made for throughput, spend
// memory on speed it does not need (npm run bench, README "Performance").
import { setFlagsFromString } from "node:v8";

/** What tuneRuntime() set: false where the user's own choice was kept. */
export interface RuntimeTuning {
  youngGeneration: boolean;
  oldGeneration: boolean;
  compiler: boolean;
}

/**
 * - Young generation: kept at its initial size (1 MB semi-spaces) instead of growing to 16 MB each.
 *   `--max-semi-space-size` does that only on the command line (the Docker image passes it); the
 *   growth factor set here covers every other way of starting the bridge on Node 20.
 * - Old generation: collected once it grew by half over what survived the last collection, instead
 *   of up to four times: a few more full collections of a ~20 MB heap, tens of MB less at the end of
 *   a burst, for no measurable CPU.
 * - Compiler: V8's interpreter and baseline compiler only (`--max-opt=1`), not its optimizing
 *   compilers. Their compile jobs run on V8's worker threads, whose malloc arenas kept 8-12 MB
 *   after hundreds of polls, with the optimized code; the bridge's poll and command work stays
 *   far within its targets without them (a 250-lease poll in ~4 ms of CPU instead of ~2.5).
 * A setting the user chose (node flags or NODE_OPTIONS) wins: `node --max-opt=3 dist/cli.js run`
 * brings the optimizing compilers back (V8 accepts that one on the command line only).
 */
export function tuneRuntime(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? "",
): RuntimeTuning {
  const chosen = (pattern: RegExp) => [...execArgv, nodeOptions].some((flag) => pattern.test(flag));
  const tuning: RuntimeTuning = {
    youngGeneration: !chosen(/semi[-_]space/),
    oldGeneration: !chosen(/heap[-_]growing[-_]percent/),
    compiler: !chosen(/max[-_]opt|[-_]opt\b|turbofan|maglev|sparkplug|jitless/),
  };
  if (tuning.youngGeneration) setFlagsFromString("--semi-space-growth-factor=1");
  if (tuning.oldGeneration) setFlagsFromString("--heap-growing-percent=50");
  if (tuning.compiler) setFlagsFromString("--max-opt=1");
  return tuning;
}
