// `freebox2mqtt check`: validates the configuration (done before we get here), reaches the box and
// the broker, and shows what it found. Exits non-zero with the reason when something is wrong.
import { dataDirProblem } from "../data-dir.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { FreeboxError } from "../freebox/errors.js";
import { createClient, fatalExitCode } from "../main.js";
import { exposureWarning } from "../mqtt/broker.js";
import { displayUrl } from "../mqtt/diagnostics.js";
import { isPortFree, probeBroker } from "../mqtt/probe.js";
import type { CommandContext } from "./main.js";
import { GRANT_SETTINGS_HELP } from "./pair.js";

export async function checkCommand({ config, logger, io }: CommandContext): Promise<ExitCode> {
  io.out("configuration  ok");
  let code: ExitCode = EXIT.ok;
  const unwritable = await dataDirProblem(config.dataDir);
  if (unwritable === undefined) io.out(`data dir       ${config.dataDir} is writable`);
  else {
    io.err(`data dir       ${unwritable}`);
    code = EXIT.config;
  }
  const client = createClient(config, logger);
  try {
    const info = await client.apiVersion();
    const system = await client.getSystem();
    io.out(
      `box            ${info.box_model_name ?? info.box_model ?? "Freebox"} at ${config.freebox.url}, firmware ${system.firmware_version}, serial ${system.serial}`,
    );
    io.out(`api            v${client.apiMajor ?? "?"} in use (box reports ${info.api_version})`);
    if (!(await client.hasToken())) {
      io.err("pairing        not paired yet: run `freebox2mqtt pair`");
      if (code === EXIT.ok) code = EXIT.pairing;
    } else {
      const permissions = await client.permissions();
      const granted = Object.entries(permissions)
        .filter(([, on]) => on)
        .map(([right]) => right);
      io.out(`rights         ${granted.join(", ") || "(none)"}`);
      if (!permissions.settings)
        io.out(`warning        "settings" is not granted: commands will be refused. ${GRANT_SETTINGS_HELP}`);
    }
  } catch (error) {
    if (!(error instanceof FreeboxError)) throw error;
    io.err(`box            ${error.message}`);
    if (code === EXIT.ok) code = fatalExitCode(error);
  } finally {
    await client.logout();
    await client.close();
  }
  if (config.mqtt.url) {
    try {
      await probeBroker({ ...config.mqtt, url: config.mqtt.url });
      io.out(`broker         ${displayUrl(config.mqtt.url)} accepted the connection`);
    } catch (error) {
      io.err(`broker         ${displayUrl(config.mqtt.url)}: ${(error as Error).message}`);
      if (code === EXIT.ok) code = EXIT.failure;
    }
  } else if (await isPortFree(config.mqtt.embeddedHost, config.mqtt.embeddedPort)) {
    io.out(`broker         embedded, will listen on ${config.mqtt.embeddedHost}:${config.mqtt.embeddedPort}`);
    const exposed = exposureWarning(config.mqtt.embeddedHost, config.mqtt.username);
    if (exposed) io.out(`warning        ${exposed}`);
  } else {
    io.err(
      `broker         embedded: port ${config.mqtt.embeddedPort} on ${config.mqtt.embeddedHost} is already in use (set MQTT_EMBEDDED_PORT or MQTT_URL)`,
    );
    if (code === EXIT.ok) code = EXIT.brokerPort;
  }
  return code;
}
