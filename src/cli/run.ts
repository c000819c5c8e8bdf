// `freebox2mqtt run`: the service. SIGTERM/SIGINT publish `offline`, log out of the box, close the
// broker connection (and the embedded broker) and exit 0 within five seconds, whatever hangs.
import { dataDirProblem } from "../data-dir.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { FreeboxError } from "../freebox/errors.js";
import { fatalExitCode, STOP_BUDGET_MS, startApp } from "../main.js";
import { EmbeddedBrokerError } from "../mqtt/broker.js";
import type { CommandContext } from "./main.js";

export async function runCommand({ config, logger, io }: CommandContext): Promise<ExitCode> {
  const unwritable = await dataDirProblem(config.dataDir);
  if (unwritable !== undefined) {
    io.err(unwritable);
    return EXIT.config;
  }
  const app = startApp(config, logger, { pairIfUnpaired: io.tty === true });
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    logger.info(`${signal} received: stopping`);
    // Hard bound: whatever hangs, the process is gone within five seconds.
    setTimeout(() => process.exit(EXIT.ok), STOP_BUDGET_MS + 500).unref();
    void app.stop();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    try {
      await app.ready;
    } catch (error) {
      await app.done;
      if (signalled) return EXIT.ok;
      if (error instanceof EmbeddedBrokerError) {
        io.err(error.message);
        return EXIT.brokerPort;
      }
      if (error instanceof FreeboxError) {
        io.err(error.message);
        return fatalExitCode(error);
      }
      throw error;
    }
    const code = await app.done;
    return signalled ? EXIT.ok : code;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}
