// The one table `npm run bench` prints: Markdown, so that it reads in a terminal and pastes into
// docs/performance.md as is; columns padded to line up.

export interface Row {
  figure: string;
  /** "changing" (live box) or "unchanged". */
  box: string;
  bridge: string;
  /** The floor measured in the same run, "" where the figure has none. */
  floor: string;
  /** bridge / floor, or the difference where the target is one. */
  vsFloor: string;
  target: string;
  /** undefined: a figure shown for context, without a target of its own. */
  pass?: boolean;
}

export function renderTable(rows: readonly Row[]): string {
  const header = ["figure", "box", "bridge", "floor", "vs floor", "target", ""];
  const cells = rows.map((r) => [r.figure, r.box, r.bridge, r.floor, r.vsFloor, r.target, mark(r.pass)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) => `| ${c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

const mark = (pass: boolean | undefined): string => (pass === undefined ? "" : pass ? "pass" : "MISS");

export const ms = (value: number): string =>
  value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(1)} ms`;
export const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;
export const times = (value: number): string => `${value.toFixed(2)}×`;
export const ratio = (a: number, b: number): string => times(a / b);
export const signedMb = (bytes: number): string => `${bytes >= 0 ? "+" : ""}${mb(bytes)}`;
export const percent = (fraction: number): string =>
  `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(1)} %`;
