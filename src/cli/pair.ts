// `freebox2mqtt pair`: asks the box for an app token, shows progress while the user walks to the
// box and presses the right arrow, saves the token (DATA_DIR, mode 0600), then says what to grant.
import { EXIT, type ExitCode } from "../exit-codes.js";
import { FreeboxError } from "../freebox/errors.js";
import { createLogger } from "../logger.js";
import { createClient } from "../main.js";
import type { CommandContext } from "./main.js";

export const GRANT_SETTINGS_HELP =
  'To let freebox2mqtt change settings (switches, DHCP, leases, reboot), open Freebox OS → Paramètres de la Freebox → Gestion des accès → Applications → freebox2mqtt, tick "Modification des réglages" and save. The bridge picks the right up at its next session.';

export async function pairCommand({ config, io }: CommandContext): Promise<ExitCode> {
  // Progress goes to stdout as plain lines; the client's own info lines would say it twice.
  const level = config.log.level === "debug" ? "debug" : "warn";
  const client = createClient(config, createLogger({ level, format: config.log.format }));
  try {
    if (config.freebox.appToken) {
      io.out("Note: FREEBOX_APP_TOKEN is set and wins over the token file; unset it to use the new token.");
    }
    io.out(`Pairing with the Freebox at ${config.freebox.url} …`);
    await client.pair((p) => io.out(p.message));
    io.out(`Paired: the app token is saved in ${config.dataDir} (readable by this user only).`);
    const permissions = await client.permissions();
    if (permissions.settings) io.out('The "settings" right is granted: every command will work.');
    else io.out(`Next step: ${GRANT_SETTINGS_HELP}`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof FreeboxError)) throw error;
    io.err(`Pairing failed: ${error.message}`);
    return error.isTransport ? EXIT.failure : EXIT.pairing;
  } finally {
    await client.logout();
    await client.close();
  }
}
