// Composition root: config → logger → broker? → MQTT connection → Freebox client (pairing if
// needed) → bridge. Owns the order of start and stop, and turns fatal conditions into exit codes.
import { Bridge, type BridgeOptions } from "./bridge/bridge.js";
import type { Config } from "./config.js";
import { secretsOf } from "./config.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { FreeboxClient } from "./freebox/client.js";
import { FreeboxError } from "./freebox/errors.js";
import { TOKEN_FILE_INVALID } from "./freebox/token-store.js";
import { type Logger, registerSecret } from "./logger.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "./mqtt/broker.js";
import { MqttConnection } from "./mqtt/connection.js";
import { VERSION } from "./version.js";

/** The whole stop must fit in the five seconds a supervisor grants after SIGTERM. */
export const STOP_BUDGET_MS = 3_500;

export interface App {
  /** Resolves when everything runs; rejects when the start failed (EmbeddedBrokerError, FreeboxError…). */
  readonly ready: Promise<void>;
  /** Resolves with an exit code once the app stopped: by stop(), or by itself (revoked token). */
  readonly done: Promise<ExitCode>;
  readonly brokerUrl: string | undefined;
  readonly bridge: Bridge | undefined;
  /** Stops whatever was started so far, at any point of the start; bounded by STOP_BUDGET_MS. */
  stop(): Promise<void>;
}

export interface AppOptions {
  pairingPollMs?: number;
  /**
   * Pair when there is no token (default true). `run` passes false when no one is at a terminal
   * (Docker, systemd): a pairing nobody watches only opens prompts on the box, again at every restart.
   */
  pairIfUnpaired?: boolean;
  /** Bridge timings (tests shorten the HA birth delay and the heartbeat). */
  bridge?: Pick<BridgeOptions, "birthDelayMs" | "heartbeatMs" | "eventBackoffMs">;
}

const bounded = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);

export function startApp(config: Config, logger: Logger, options: AppOptions = {}): App {
  for (const secret of secretsOf(config)) registerSecret(secret);
  const base = config.mqtt.baseTopic;
  let finish: (code: ExitCode) => void = () => {};
  const done = new Promise<ExitCode>((resolve) => {
    finish = resolve;
  });
  let exitCode: ExitCode = EXIT.ok;
  let broker: EmbeddedBroker | undefined;
  let mqtt: MqttConnection | undefined;
  let bridge: Bridge | undefined;
  let stopping: Promise<void> | undefined;

  const client = createClient(config, logger, options);

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Commands in flight finish (or were never sent) before the session is closed: the call on
      // the wire is answered, calls still waiting for the connection are dropped unsent.
      client.stopSending();
      if (bridge) await bounded(bridge.stop(), 1_000);
      await bounded(client.logout(), 600);
      if (mqtt) await bounded(mqtt.stop(), 1_000);
      if (broker) await bounded(broker.close(), 300);
      await bounded(client.close(), 100);
      finish(exitCode);
    })();
    return stopping;
  };

  const start = async (): Promise<void> => {
    if (!config.mqtt.url) {
      broker = await startEmbeddedBroker({
        host: config.mqtt.embeddedHost,
        port: config.mqtt.embeddedPort,
        username: config.mqtt.username,
        password: config.mqtt.password,
        logger: logger.child("broker"),
      });
    }
    if (stopping !== undefined) return;
    mqtt = new MqttConnection({
      url: config.mqtt.url ?? broker?.url ?? "",
      username: config.mqtt.username,
      password: config.mqtt.password,
      ca: config.mqtt.ca,
      cert: config.mqtt.cert,
      key: config.mqtt.key,
      rejectUnauthorized: config.mqtt.rejectUnauthorized,
      clientId: config.mqtt.clientId,
      clean: config.mqtt.cleanSession,
      stateTopic: `${base}/bridge/state`,
      logger: logger.child("mqtt"),
    });
    await mqtt.start();
    if (stopping !== undefined) return;
    if (!(await client.hasToken())) {
      if (options.pairIfUnpaired === false) throw new FreeboxError("pairing_required", NOT_PAIRED_UNATTENDED);
      logger.info('no app token yet: pairing with the Freebox (README "Pair (once)")');
      // The client logs the progress (press the arrow, seconds left) and the outcome itself.
      await client.pair();
    }
    if (stopping !== undefined) return;
    bridge = new Bridge({
      api: client,
      events: client,
      mqtt,
      config,
      logger: logger.child("bridge"),
      version: VERSION,
      ...options.bridge,
      onFatal: (error) => {
        logger.error(error.message);
        exitCode = fatalExitCode(error);
        void stop();
      },
    });
    await bridge.start();
  };

  const ready = start().catch(async (error: unknown) => {
    exitCode = fatalExitCode(error);
    await stop();
    throw error;
  });

  return {
    ready,
    done,
    get brokerUrl() {
      return config.mqtt.url ?? broker?.url;
    },
    get bridge() {
      return bridge;
    },
    stop,
  };
}

/** The Freebox client as configured (shared by run, pair and check). */
export function createClient(config: Config, logger: Logger, options: AppOptions = {}): FreeboxClient {
  return new FreeboxClient({
    url: config.freebox.url,
    appId: config.freebox.appId,
    appVersion: VERSION,
    appToken: config.freebox.appToken,
    dataDir: config.dataDir,
    maxApiVersion: config.freebox.apiVersion,
    timeoutMs: config.freebox.timeout * 1000,
    logger: logger.child("freebox"),
    ...(options.pairingPollMs ? { pairingPollMs: options.pairingPollMs } : {}),
  });
}

export const NOT_PAIRED_UNATTENDED =
  "not paired yet, and `run` pairs only when started on a terminal: run `freebox2mqtt pair` (Docker: `docker compose run --rm freebox2mqtt pair`), then start the bridge again";

export function fatalExitCode(error: unknown): ExitCode {
  if (!(error instanceof FreeboxError)) return EXIT.failure;
  if (error.code === "invalid_token") return EXIT.tokenRevoked;
  // The token file is there but unusable: the user decides (restore it, or pair --force).
  if (error.code === TOKEN_FILE_INVALID) return EXIT.config;
  if (
    error.code.startsWith("pairing_") ||
    error.code === "new_apps_denied" ||
    error.code === "denied_from_external_ip"
  ) {
    return EXIT.pairing;
  }
  return EXIT.failure;
}
