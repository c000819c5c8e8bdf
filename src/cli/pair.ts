// `freebox2mqtt pair`: asks the box for an app token, shows progress while the user walks to the
// box and presses the right arrow, saves the token (DATA_DIR, mode 0600), then says what to grant.
// Nothing is asked of the box before we know the token can be kept: DATA_DIR is writable, and no
// token file is there (or `--force` says to replace it: the user may still need the old one).
import { dataDirProblem } from "../data-dir.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { FreeboxError } from "../freebox/errors.js";
import { TokenStore } from "../freebox/token-store.js";
import { createLogger, silentLogger } from "../logger.js";
import { createClient } from "../main.js";
import type { CommandContext } from "./main.js";
import { progressLine } from "./progress.js";

export const GRANT_SETTINGS_HELP =
  'To let freebox2mqtt change settings (switches, DHCP, leases, reboot), open Freebox OS → Paramètres de la Freebox → Gestion des accès → Applications → freebox2mqtt, tick "Modification des réglages" and save. The bridge picks the right up at its next session.';

/** Why an existing token file stops `pair` without --force, or undefined when there is none. */
async function existingTokenFile(dataDir: string): Promise<string | undefined> {
  const store = new TokenStore(dataDir, silentLogger);
  try {
    const stored = await store.read();
    if (stored === null) return undefined;
    return `already paired: ${store.path} holds an app token for "${stored.app_id}". \`freebox2mqtt pair --force\` pairs again and replaces it (the old app stays listed in Freebox OS → Paramètres de la Freebox → Gestion des accès → Applications, where you can remove it)`;
  } catch (error) {
    // Unreadable or not a token file: its message says what is wrong and that --force replaces it.
    if (!(error instanceof FreeboxError)) throw error;
    return error.message;
  }
}

export async function pairCommand({ config, io, force }: CommandContext): Promise<ExitCode> {
  const unwritable = await dataDirProblem(config.dataDir);
  if (unwritable !== undefined) {
    io.err(unwritable);
    return EXIT.config;
  }
  const existing = await existingTokenFile(config.dataDir);
  if (existing !== undefined && !force) {
    io.err(existing);
    return EXIT.failure;
  }
  // Progress goes to stdout; the client's own info lines would say it twice.
  const level = config.log.level === "debug" ? "debug" : "warn";
  const client = createClient(config, createLogger({ level, format: config.log.format }));
  const progress = progressLine(io);
  try {
    if (config.freebox.appToken) {
      io.out("Note: FREEBOX_APP_TOKEN is set and wins over the token file; unset it to use the new token.");
    }
    io.out(`Pairing with the Freebox at ${config.freebox.url} …`);
    // Only the waiting is shown as it goes; the outcome is said once, below.
    await client.pair((p) => {
      if (p.status === "pending") progress.update(p.message);
    });
    progress.done();
    io.out(`Paired: the app token is saved in ${config.dataDir} (readable by this user only).`);
    const permissions = await client.permissions();
    if (permissions.settings) io.out('The "settings" right is granted: every command will work.');
    else io.out(`Next step: ${GRANT_SETTINGS_HELP}`);
    return EXIT.ok;
  } catch (error) {
    progress.done();
    if (!(error instanceof FreeboxError)) throw error;
    io.err(`Pairing failed: ${error.message.replace(/^pairing failed: /, "")}`);
    return error.isTransport ? EXIT.failure : EXIT.pairing;
  } finally {
    await client.logout();
    await client.close();
  }
}
