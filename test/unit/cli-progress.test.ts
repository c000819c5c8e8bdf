// The pairing progress line (src/cli/progress.ts): a line per ten seconds when no one is at a
// terminal, the same line redrawn in place on one.
import { describe, expect, it } from "vitest";
import { PROGRESS_EVERY_MS, progressLine } from "../../src/cli/progress.js";

describe("pairing progress", () => {
  it("without a terminal prints a line at most every ten seconds", () => {
    const lines: string[] = [];
    let now = 0;
    const p = progressLine({ out: (l) => lines.push(l), err: () => undefined, env: {} }, () => now);
    for (let s = 120; s > 0; s--) {
      p.update(`${s} s left`);
      now += 1000;
    }
    p.done();
    expect(PROGRESS_EVERY_MS).toBe(10_000);
    expect(lines).toEqual(Array.from({ length: 12 }, (_, i) => `${120 - 10 * i} s left`));
  });

  it("on a terminal redraws one line, and ends it once", () => {
    let raw = "";
    const lines: string[] = [];
    const p = progressLine({
      out: (l) => lines.push(l),
      err: () => undefined,
      env: {},
      tty: true,
      write: (t) => {
        raw += t;
      },
    });
    p.update("120 s left");
    p.update("9 s left");
    p.done();
    p.done();
    expect(raw).toBe("\r\x1b[2K120 s left\r\x1b[2K9 s left\n");
    expect(lines).toEqual([]);
  });
});
