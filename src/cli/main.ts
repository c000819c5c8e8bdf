// Command-line entry: `freebox2mqtt [run|pair|check|health] [--config file]`, `--help`, `--version`.
// Every failure a user can meet ends with one readable line and an exit code (src/exit-codes.ts).

import { type Config, ConfigError, loadConfig } from "../config.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { createLogger, type Logger } from "../logger.js";
import { VERSION } from "../version.js";
import { checkCommand } from "./check.js";
import { healthCommand } from "./health.js";
import { holdsOn, holdUntilStopped } from "./hold.js";
import { pairCommand } from "./pair.js";
import { runCommand } from "./run.js";

const HELP = `freebox2mqtt ${VERSION}: bridge a Freebox to MQTT with Home Assistant discovery

Usage: freebox2mqtt [command] [--config <file>] [--force]

Commands:
  run      run the bridge (default); pairs first only when started on a terminal
  pair     pair with the Freebox (press the right arrow on the box), save the app token;
           over an existing token file, only with --force
  check    validate the configuration, reach the box and the broker, show what was found
  health   exit 0 when the running bridge's heartbeat is fresh (Docker HEALTHCHECK)

Options:
  --config <file>  JSON configuration file (also CONFIG_FILE)
  --force          pair: replace the token file that is already there
  -h, --help       show this help
  -v, --version    show the version

Configuration comes from config/default.json, the --config file, then environment variables
(FREEBOX_URL, MQTT_URL, …; see the README). Exit codes: 0 ok, 1 failure, 2 configuration
(also DATA_DIR not writable, token file unusable), 3 not paired or pairing refused, 4 app token
revoked, 5 MQTT port taken.`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Someone is at a terminal (stdin and stdout are TTYs): progress is redrawn in place, `run` may pair. */
  tty?: boolean;
  /** Raw text on stdout, without a newline (the progress line redrawn in place on a TTY). */
  write?: (text: string) => void;
}

export interface CommandContext {
  config: Config;
  logger: Logger;
  io: CliIo;
  /** `pair --force`: replace an existing token file. */
  force: boolean;
}

export async function main(argv: string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseArgs(argv, io);
  if (typeof parsed === "number") return parsed;
  const code = await execute(parsed, io);
  if (parsed.command === "run" && holdsOn(code, io.env)) await holdUntilStopped(code, io);
  return code;
}

interface Invocation {
  command: string;
  file: string | undefined;
  force: boolean;
}

/** The invocation, or the exit code when there is nothing more to do (help, version, bad arguments). */
function parseArgs(argv: string[], io: CliIo): Invocation | ExitCode {
  let command = "run";
  let file: string | undefined;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "-h" || arg === "--help") {
      io.out(HELP);
      return EXIT.ok;
    }
    if (arg === "-v" || arg === "--version") {
      io.out(VERSION);
      return EXIT.ok;
    }
    if (arg === "--config") {
      file = argv[++i];
      if (!file) {
        io.err("--config needs a file name");
        return EXIT.config;
      }
    } else if (arg.startsWith("--config=")) file = arg.slice("--config=".length);
    else if (arg === "--force") force = true;
    else if (["run", "pair", "check", "health"].includes(arg)) command = arg;
    else {
      io.err(`unknown argument "${arg}" (see --help)`);
      return EXIT.config;
    }
  }
  if (force && command !== "pair") {
    io.err("--force only applies to `pair` (see --help)");
    return EXIT.config;
  }
  return { command, file, force };
}

async function execute({ command, file, force }: Invocation, io: CliIo): Promise<ExitCode> {
  let config: Config;
  try {
    config = loadConfig({ file, env: io.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return EXIT.config;
    }
    throw error;
  }
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  const ctx: CommandContext = { config, logger, io, force };
  switch (command) {
    case "pair":
      return pairCommand(ctx);
    case "check":
      return checkCommand(ctx);
    case "health":
      return healthCommand(ctx);
    default:
      return runCommand(ctx);
  }
}
