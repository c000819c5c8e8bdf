// Process-wide settings for a long-running bridge, applied at the entry before anything else loads.
//
// A poll of a large LAN allocates in bursts (answers, states, payloads) and keeps little: V8's
// defaults, made for throughput, let both generations grow far beyond what the bridge holds, and
// give the memory back only when idle (npm run bench, README "Performance").
import { setFlagsFromString } from "node:v8";

/** What tuneHeap() set: false where the user's own choice was kept. */
export interface HeapTuning {
  youngGeneration: boolean;
  oldGeneration: boolean;
}

/**
 * - Young generation: kept at its initial size (1 MB semi-spaces) instead of growing to 16 MB each.
 *   `--max-semi-space-size` does that only on the command line (the Docker image passes it); the
 *   growth factor set here covers every other way of starting the bridge on Node 20.
 * - Old generation: collected once it grew by half over what survived the last collection, instead
 *   of up to four times: a few more full collections of a ~20 MB heap, tens of MB less at the end of
 *   a burst, for no measurable CPU.
 * A setting the user chose (node flags or NODE_OPTIONS) wins.
 */
export function tuneHeap(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? "",
): HeapTuning {
  const chosen = (pattern: RegExp) => [...execArgv, nodeOptions].some((flag) => pattern.test(flag));
  const tuning: HeapTuning = {
    youngGeneration: !chosen(/semi[-_]space/),
    oldGeneration: !chosen(/heap[-_]growing[-_]percent/),
  };
  if (tuning.youngGeneration) setFlagsFromString("--semi-space-growth-factor=1");
  if (tuning.oldGeneration) setFlagsFromString("--heap-growing-percent=50");
  return tuning;
}
