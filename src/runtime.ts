// Process-wide settings for a long-running bridge, applied at the entry before any real work.
import { setFlagsFromString } from "node:v8";

/**
 * Keeps V8's young generation at its initial size (1 MB semi-spaces) instead of letting it grow to
 * 16 MB each: a poll of a large LAN allocates in bursts, and the grown space is never given back.
 * It is about a third of the bridge's memory at 1,000 leases, for no measurable CPU (npm run bench,
 * README "Performance"). `--max-semi-space-size` does the same but only on the command line, so the
 * growth factor is set here, where every way of starting the bridge (npx, Docker, a global install)
 * goes through. A size chosen by the user (NODE_OPTIONS or node flags) wins.
 */
export function limitYoungGeneration(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? "",
): boolean {
  const chosen = [...execArgv, nodeOptions].some((flag) => /semi[-_]space/.test(flag));
  if (chosen) return false;
  setFlagsFromString("--semi-space-growth-factor=1");
  return true;
}
