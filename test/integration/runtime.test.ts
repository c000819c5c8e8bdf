// runtime.ts in a process of its own (compiled, as the CLI loads it): V8's young generation stays
// at its initial size under an allocation burst, unless the user chose a size.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

// Allocates bursts of short-lived objects (a poll of a large LAN) and prints the new space size in MB.
const BURST = `
const { getHeapSpaceStatistics } = await import("node:v8");
if (process.env.LIMIT) {
  const { limitYoungGeneration } = await import("./dist/runtime.js");
  process.stdout.write(String(limitYoungGeneration()) + " ");
}
const keep = [];
for (let i = 0; i < 200; i++) {
  keep.push(Array.from({ length: 20000 }, (_, j) => ({ i, j, s: "x" + j })));
  if (keep.length > 3) keep.shift();
}
const space = getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
process.stdout.write(String(space.space_size / 1048576));
`;

function newSpaceAfterBurst(env: Record<string, string>, execArgv: string[] = []): string {
  return execFileSync(process.execPath, [...execArgv, "--input-type=module", "-e", BURST], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
  });
}

describe("limitYoungGeneration", () => {
  it("keeps the new space at its initial 2 MB where it would otherwise grow", () => {
    expect(Number(newSpaceAfterBurst({}))).toBeGreaterThan(2);
    expect(newSpaceAfterBurst({ LIMIT: "1" })).toBe("true 2");
  });

  it("leaves a size the user chose on the command line or in NODE_OPTIONS alone", () => {
    expect(newSpaceAfterBurst({ LIMIT: "1" }, ["--max-semi-space-size=4"])).toBe("false 8");
    expect(newSpaceAfterBurst({ LIMIT: "1", NODE_OPTIONS: "--max-semi-space-size=4" })).toBe("false 8");
  });
});
