// runtime.ts in a process of its own (compiled, as the CLI loads it): under allocation bursts that
// leave garbage in both generations, the young generation stays at its initial size and the old one
// is collected well before V8's default; hot code is not handed to the optimizing compilers. Unless
// the user chose the settings.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

// Bursts of objects kept for a while (they reach the old generation) then dropped; prints what
// tuneRuntime() set (when TUNE is set) and the peak sizes of both generations, in MB.
const BURSTS = `
const { getHeapSpaceStatistics } = await import("node:v8");
let tuning = null;
if (process.env.TUNE) tuning = (await import("./dist/runtime.js")).tuneRuntime();
const size = (name) => getHeapSpaceStatistics().find((s) => s.space_name === name).space_size / 1048576;
const keep = [];
let young = 0;
let old = 0;
for (let i = 0; i < 300; i++) {
  keep.push(Array.from({ length: 20000 }, (_, j) => ({ i, j, s: "x" + j })));
  if (keep.length > 10) keep.shift();
  young = Math.max(young, size("new_space"));
  old = Math.max(old, size("old_space"));
}
process.stdout.write(JSON.stringify({ tuning, young, old }));
`;

interface Peaks {
  tuning: { youngGeneration: boolean; oldGeneration: boolean; compiler: boolean } | null;
  young: number;
  old: number;
}

function bursts(env: Record<string, string>, execArgv: string[] = []): Peaks {
  const out = execFileSync(process.execPath, [...execArgv, "--input-type=module", "-e", BURSTS], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
  });
  return JSON.parse(out) as Peaks;
}

describe("tuneRuntime: the heap", () => {
  it("keeps the young generation at its initial 2 MB", () => {
    const tuned = bursts({ TUNE: "1" });
    expect(tuned.tuning).toEqual({ youngGeneration: true, oldGeneration: true, compiler: true });
    expect(bursts({}).young).toBeGreaterThan(2);
    expect(tuned.young).toBe(2);
  });

  it("collects the old generation far sooner than V8's default (same young generation)", () => {
    const young = ["--max-semi-space-size=1"];
    const plain = bursts({}, young);
    const tuned = bursts({ TUNE: "1" }, young);
    expect(tuned.tuning).toEqual({ youngGeneration: false, oldGeneration: true, compiler: true });
    expect(tuned.old).toBeLessThan(plain.old * 0.7);
  });

  it("leaves the sizes the user chose, on the command line or in NODE_OPTIONS, alone", () => {
    const flags = ["--max-semi-space-size=4", "--heap-growing-percent=300"];
    expect(bursts({ TUNE: "1" }, flags)).toMatchObject({
      tuning: { youngGeneration: false, oldGeneration: false, compiler: true },
      young: 8,
    });
    expect(bursts({ TUNE: "1", NODE_OPTIONS: "--max-semi-space-size=4" })).toMatchObject({
      tuning: { youngGeneration: false, oldGeneration: true, compiler: true },
      young: 8,
    });
  });
});

// A hot function, called until V8 would optimize it (concurrent compile jobs given time to land);
// prints whether it was. %GetOptimizationStatus: bit 16 is "optimized" (Maglev or TurboFan).
const HOT = `
if (process.env.TUNE) (await import("./dist/runtime.js")).tuneRuntime();
const hot = (a, b) => a * b + (a ^ b);
let sum = 0;
for (let round = 0; round < 20; round++) {
  for (let i = 0; i < 200000; i++) sum += hot(i, round);
  await new Promise((resolve) => setImmediate(resolve));
}
const status = new Function("f", "return %GetOptimizationStatus(f)")(hot);
process.stdout.write(JSON.stringify({ optimized: (status & 16) !== 0, sum }));
`;

function optimized(env: Record<string, string>, execArgv: string[] = []): boolean {
  const out = execFileSync(
    process.execPath,
    ["--allow-natives-syntax", ...execArgv, "--input-type=module", "-e", HOT],
    { cwd: root, env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8" },
  );
  return (JSON.parse(out) as { optimized: boolean }).optimized;
}

describe("tuneRuntime: the compiler", () => {
  it("keeps hot code in V8's interpreter and baseline compiler", () => {
    expect(optimized({})).toBe(true);
    expect(optimized({ TUNE: "1" })).toBe(false);
  });

  it("leaves a tier the user chose on the command line alone (NODE_OPTIONS cannot carry one)", () => {
    expect(optimized({ TUNE: "1" }, ["--max-opt=3"])).toBe(true);
  });
});
