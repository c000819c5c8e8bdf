// Command-line entry: `freebox2mqtt [run|pair|check|health] [--config file]`, `--help`, `--version`.
// Every failure a user can meet ends with one readable line and an exit code (src/exit-codes.ts).

import { type Config, ConfigError, loadConfig } from "../config.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { createLogger, type Logger } from "../logger.js";
import { VERSION } from "../version.js";
import { checkCommand } from "./check.js";
import { healthCommand } from "./health.js";
import { pairCommand } from "./pair.js";
import { runCommand } from "./run.js";

const HELP = `freebox2mqtt ${VERSION}: bridge a Freebox to MQTT with Home Assistant discovery

Usage: freebox2mqtt [command] [--config <file>]

Commands:
  run      run the bridge (default)
  pair     pair with the Freebox (press the right arrow on the box), save the app token
  check    validate the configuration, reach the box and the broker, show what was found
  health   exit 0 when the running bridge's heartbeat is fresh (Docker HEALTHCHECK)

Options:
  --config <file>  JSON configuration file (also CONFIG_FILE)
  -h, --help       show this help
  -v, --version    show the version

Configuration comes from config/default.json, the --config file, then environment variables
(FREEBOX_URL, MQTT_URL, …; see the README). Exit codes: 0 ok, 1 failure, 2 configuration,
3 pairing refused, 4 app token revoked, 5 MQTT port taken.`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface CommandContext {
  config: Config;
  logger: Logger;
  io: CliIo;
}

export async function main(argv: string[], io: CliIo): Promise<ExitCode> {
  let command = "run";
  let file: string | undefined;
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
    else if (["run", "pair", "check", "health"].includes(arg)) command = arg;
    else {
      io.err(`unknown argument "${arg}" (see --help)`);
      return EXIT.config;
    }
  }
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
  const ctx: CommandContext = { config, logger, io };
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
