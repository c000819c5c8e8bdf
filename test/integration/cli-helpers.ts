// The CLI in-process through main(argv, io), as cli.test.ts and cli-pairing.test.ts run it, with
// the simulator and an embedded broker on loopback, stopped after each test.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { type CliIo, main } from "../../src/cli/main.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/mqtt/broker.js";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/sim/index.js";
import { captureLogs } from "./mqtt-helpers.js";

export const APP_ID = "fr.freebox2mqtt";
export const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

export async function sim(options: SimulatorOptions = {}): Promise<Simulator> {
  const s = await startSimulator({ port: 0, ...options });
  cleanups.push(() => s.close());
  return s;
}

export async function broker(): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: captureLogs().logger });
  cleanups.push(() => b.close());
  return b;
}

/**
 * Runs one command; `raw` is what went to stdout through io.write (the progress line redrawn in
 * place when `tty` is set).
 */
export async function cli(argv: string[], env: Record<string, string> = {}, tty: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let raw = "";
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    write: (text) => {
      raw += text;
    },
    env: { LOG_LEVEL: "error", DATA_DIR: mkdtempSync(join(tmpdir(), "fbx-cli-")), ...env },
    ...tty,
  });
  return { code, out: out.join("\n"), err: err.join("\n"), raw };
}
