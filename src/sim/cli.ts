// `npm run sim`: a fake Freebox on 127.0.0.1 for trying the bridge without a box. Prints its URL on
// stdout (logs go to stderr) and stops on SIGINT/SIGTERM. Values move (live) unless --deterministic.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createLogger } from "../logger.js";
import { startSimulator } from "./index.js";
import type { PairingOutcome, SimMedia, SimulatorOptions } from "./types.js";

const USAGE = `Usage: npm run sim -- [options]
  --port N              listen port on 127.0.0.1 (default: any free port)
  --media ftth|xdsl     line type (default ftth: a Freebox Delta; xdsl: a Revolution)
  --api-version X.Y     advertised api_version (default 15.0)
  --pairing granted|denied|timeout   outcome of pairing requests (default granted)
  --pairing-delay MS    time before the outcome applies (default 2000)
  --grant-settings      newly paired apps get the "settings" right
  --app ID:TOKEN        a pre-paired app (repeatable)
  --seed N              generated data seed (default 1)
  --lan-hosts N         LAN browser hosts without a lease (default 4, at most 96)
  --host-churn S        live: a guest arrives or leaves every S seconds (default 15, 0: never)
  --bridge-mode         the LAN browser answers nodev (a box in bridge mode)
  --no-event-stream     the event WebSocket answers 404 (older firmware)
  --tls-key FILE --tls-cert FILE   serve HTTPS
  --led-strip           the display has a Freebox Ultra's LED strip
  --no-disks            no disks (storage/disk/ has no result)
  --no-display          no display (lcd/config/ answers no_panel)
  --deterministic       values do not move over time
  --verbose             log every request`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function options(): {
  sim: SimulatorOptions;
  verbose: boolean;
  faults: { bridgeMode: boolean; refuseEventStream: boolean };
} {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      media: { type: "string" },
      "api-version": { type: "string" },
      pairing: { type: "string" },
      "pairing-delay": { type: "string" },
      "grant-settings": { type: "boolean" },
      app: { type: "string", multiple: true },
      seed: { type: "string" },
      "lan-hosts": { type: "string" },
      "host-churn": { type: "string" },
      "bridge-mode": { type: "boolean" },
      "no-event-stream": { type: "boolean" },
      "tls-key": { type: "string" },
      "tls-cert": { type: "string" },
      "led-strip": { type: "boolean" },
      "no-disks": { type: "boolean" },
      "no-display": { type: "boolean" },
      deterministic: { type: "boolean" },
      verbose: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const media = values.media ?? "ftth";
  if (media !== "ftth" && media !== "xdsl") fail(`--media must be ftth or xdsl, got "${media}"`);
  const outcome = values.pairing ?? "granted";
  if (!["granted", "denied", "timeout"].includes(outcome)) fail(`--pairing: unknown outcome "${outcome}"`);
  const apps = (values.app ?? []).map((spec) => {
    const at = spec.indexOf(":");
    if (at <= 0) fail(`--app must be ID:TOKEN, got "${spec}"`);
    return { appId: spec.slice(0, at), appToken: spec.slice(at + 1) };
  });
  if (Boolean(values["tls-key"]) !== Boolean(values["tls-cert"]))
    fail("--tls-key and --tls-cert go together");
  const tls =
    values["tls-key"] && values["tls-cert"]
      ? { key: readFileSync(values["tls-key"]), cert: readFileSync(values["tls-cert"]) }
      : undefined;
  return {
    verbose: values.verbose ?? false,
    faults: {
      bridgeMode: values["bridge-mode"] ?? false,
      refuseEventStream: values["no-event-stream"] ?? false,
    },
    sim: {
      // Loopback only: the simulator is a development tool, never exposed to the network.
      host: "127.0.0.1",
      port: intOption(values.port, "port") ?? 0,
      media: media as SimMedia,
      apiVersion: values["api-version"] ?? "15.0",
      pairing: {
        outcome: outcome as PairingOutcome,
        delayMs: intOption(values["pairing-delay"], "pairing-delay") ?? 2000,
      },
      grantSettings: values["grant-settings"] ?? false,
      apps,
      seed: intOption(values.seed, "seed") ?? 1,
      lanHosts: intOption(values["lan-hosts"], "lan-hosts") ?? 4,
      hostChurnS: intOption(values["host-churn"], "host-churn") ?? 15,
      tls,
      live: !(values.deterministic ?? false),
      ledStrip: values["led-strip"] ?? false,
      disks: !(values["no-disks"] ?? false),
      display: !(values["no-display"] ?? false),
    },
  };
}

async function main(): Promise<void> {
  const { sim: simOptions, verbose, faults } = options();
  const logger = createLogger({ level: verbose ? "debug" : "info", format: "text" });
  const sim = await startSimulator({ ...simOptions, logger: logger.child("sim") });
  Object.assign(sim.faults, faults);
  process.stdout.write(`${sim.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`freebox simulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
