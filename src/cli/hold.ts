// WAIT_ON_FATAL: under a supervisor that restarts whatever exits (Docker's `restart:
// unless-stopped`, which cannot tell exit codes apart), a condition only the user can fix would
// be a restart loop: a bad configuration, no pairing, a revoked token asked of the box again and
// again. With WAIT_ON_FATAL=true (the Docker image's default) `run` says what is wrong once and
// waits, asking nothing of the box, until it is stopped; then it exits with the code it had.
// Without it, `run` exits at once, for supervisors that can (systemd: RestartPreventExitStatus).
import { BOOLEAN_WORDS } from "../config-schema.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "./main.js";

/** What restarting does not fix: the configuration, the pairing, a revoked or unusable token. */
const NEEDS_THE_USER: ReadonlySet<ExitCode> = new Set([EXIT.config, EXIT.pairing, EXIT.tokenRevoked]);

/** Read from the environment itself: it must hold even when the rest of the configuration is invalid. */
export function waitsOnFatal(env: NodeJS.ProcessEnv): boolean {
  return BOOLEAN_WORDS[(env.WAIT_ON_FATAL ?? "").trim().toLowerCase()] === true;
}

export function holdsOn(code: ExitCode, env: NodeJS.ProcessEnv): boolean {
  return NEEDS_THE_USER.has(code) && waitsOnFatal(env);
}

/** Says why, then resolves at SIGTERM or SIGINT. */
export function holdUntilStopped(code: ExitCode, io: CliIo): Promise<void> {
  io.err(
    `freebox2mqtt waits instead of exiting (exit code ${code}, WAIT_ON_FATAL=true): restarting would not fix this. Fix it as said above, then restart the container.`,
  );
  return new Promise<void>((resolve) => {
    // Nothing else is left running: this timer keeps the process alive until the signal.
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    const stop = () => {
      clearInterval(keepAlive);
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve();
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
