// `npm run demo`: the whole thing on this machine, for real — the bundled Freebox simulator (values
// that move), the embedded MQTT broker and the bridge, all on 127.0.0.1, in one process. The bridge
// pairs with the simulated box exactly as with a real one (the simulator presses the button).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config.js";
import { EXIT } from "./exit-codes.js";
import { createLogger } from "./logger.js";
import { STOP_BUDGET_MS, startApp } from "./main.js";
import { EmbeddedBrokerError } from "./mqtt/broker.js";
import { startSimulator } from "./sim/index.js";

const USAGE = `Usage: npm run demo -- [--media ftth|xdsl] [--leases N] [--port MQTT_PORT]
Environment: MQTT_EMBEDDED_PORT, MQTT_BASE_TOPIC, LOG_LEVEL, POLL_*_INTERVAL work as for the bridge.`;

async function demo(): Promise<number> {
  const { values } = parseArgs({
    options: {
      media: { type: "string", default: "ftth" },
      leases: { type: "string", default: "4" },
      port: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  // A typo (`--media vdsl`, `--leases ten`) must not run another demo than the one asked for.
  const media = values.media;
  const leases = Number(values.leases);
  const knownMedia = media === "ftth" || media === "xdsl";
  const problems = [
    ...(knownMedia ? [] : [`--media must be ftth or xdsl, got "${media}"`]),
    ...(/^\d{1,3}$/.test(values.leases)
      ? []
      : [`--leases must be a whole number from 0 to 999, got "${values.leases}"`]),
  ];
  if (!knownMedia || problems.length > 0) {
    process.stderr.write(`${problems.join("\n")}\n${USAGE}\n`);
    return EXIT.config;
  }
  const out = (line = "") => process.stdout.write(`${line}\n`);

  const sim = await startSimulator({
    host: "127.0.0.1",
    port: 0,
    media,
    live: true,
    grantSettings: true,
    pairing: { outcome: "granted", delayMs: 1_500 },
    staticLeases: leases,
    dynamicLeases: 6,
  });
  const dataDir = mkdtempSync(join(tmpdir(), "freebox2mqtt-demo-"));
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({
      env: {
        ...process.env,
        FREEBOX_URL: sim.url,
        DATA_DIR: dataDir,
        MQTT_URL: "",
        FREEBOX_APP_TOKEN: "",
        ...(values.port ? { MQTT_EMBEDDED_PORT: values.port } : {}),
        POLL_STATUS_INTERVAL: process.env.POLL_STATUS_INTERVAL ?? "5",
      },
    });
  } catch (error) {
    await sim.close();
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.config;
    }
    throw error;
  }
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  const { embeddedHost: host, embeddedPort: port, baseTopic: base } = config.mqtt;

  out("freebox2mqtt demo");
  out(
    `  Freebox simulator  ${sim.url}  (${media === "ftth" ? "fibre" : "xDSL"} line, values move every second)`,
  );
  out(`  MQTT broker        mqtt://${host}:${port}  (embedded)`);
  out(
    `  Bridge             base topic "${base}", Home Assistant discovery under "${config.ha.discoveryPrefix}/"`,
  );
  out("  Pairing with the simulated box: it accepts by itself after a moment…");
  out();

  const app = startApp(config, logger);
  const cleanup = async () => {
    await app.stop();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    out("\nstopping…");
    setTimeout(() => process.exit(EXIT.ok), STOP_BUDGET_MS + 500).unref();
    void cleanup();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await app.ready;
  } catch (error) {
    await cleanup();
    if (error instanceof EmbeddedBrokerError) {
      process.stderr.write(`${error.message}\nFor the demo: npm run demo -- --port 18830\n`);
      return EXIT.brokerPort;
    }
    process.stderr.write(`demo failed: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  out("Running. Watch every topic:");
  out(`  mosquitto_sub -h ${host} -p ${port} -t '${base}/#' -v`);
  out("Flip a setting, as Home Assistant would:");
  out(`  mosquitto_pub -h ${host} -p ${port} -t '${base}/connection/config/set/ping' -m OFF`);
  out("Home Assistant: Settings → Devices & services → Add integration → MQTT, broker this machine,");
  out(`  port ${port} (start with MQTT_EMBEDDED_HOST=0.0.0.0 to reach it from another machine);`);
  out('  the "Freebox" device and its entities appear by themselves.');
  out("Ctrl-C stops everything.");
  const code = await app.done;
  if (!stopping) await cleanup();
  return stopping ? EXIT.ok : code;
}

demo().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${(error as Error).message}\n`);
    process.exitCode = EXIT.failure;
  },
);
