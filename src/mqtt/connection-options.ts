// What MqttConnection is given, and how it becomes mqtt.js options. Pure except for reading the
// TLS files, which happens in start() so that a missing file is reported as such, naming it.
import { readFile } from "node:fs/promises";
import type { IClientOptions } from "mqtt";
import type { Logger } from "../logger.js";

export interface MqttConnectionOptions {
  url: string;
  username?: string | null;
  password?: string | null;
  /** TLS files (paths), read at start. */
  ca?: string | null;
  cert?: string | null;
  key?: string | null;
  rejectUnauthorized?: boolean;
  clientId: string;
  /** false = persistent session (needs a stable client id); default true. */
  clean?: boolean;
  /** `<base>/bridge/state`: last will `offline`, `online` on every (re)connect, both retained. */
  stateTopic: string;
  logger: Logger;
  /** Non-retained messages kept while offline, and incoming ones held until the first handler; default 1000. */
  queueLimit?: number;
  /** Wait for CONNACK; default 10000 ms. */
  connectTimeoutMs?: number;
  /** Delay before reconnect attempt n is initialMs·2ⁿ, capped at maxMs; default 1 s to 30 s. */
  reconnect?: { initialMs: number; maxMs: number };
  /** Bound on waiting for a publish, subscribe or unsubscribe acknowledgement; default 10000 ms. */
  ackTimeoutMs?: number;
  /** Bound on stop(); default 2000 ms. */
  stopTimeoutMs?: number;
}

export class MqttConnectionError extends Error {
  constructor(
    message: string,
    readonly code: "stopped" | "tls_file" | "invalid_url",
  ) {
    super(message);
    this.name = "MqttConnectionError";
  }
}

type TlsFiles = Pick<IClientOptions, "ca" | "cert" | "key">;

export async function readTlsFiles(o: Pick<MqttConnectionOptions, "ca" | "cert" | "key">): Promise<TlsFiles> {
  const read = async (path: string | null | undefined, what: string, env: string) => {
    if (!path) return undefined;
    try {
      return await readFile(path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new MqttConnectionError(
        `cannot read the MQTT ${what} file "${path}" (${reason}): check ${env}`,
        "tls_file",
      );
    }
  };
  const ca = await read(o.ca, "CA", "MQTT_CA");
  const cert = await read(o.cert, "client certificate", "MQTT_CERT");
  const key = await read(o.key, "client key", "MQTT_KEY");
  return { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
}

export function clientOptions(o: MqttConnectionOptions, tls: TlsFiles): IClientOptions {
  return {
    protocolVersion: 4, // MQTT 3.1.1: aedes rejects MQTT 5, and every home broker speaks 3.1.1
    clientId: o.clientId,
    clean: o.clean ?? true,
    username: o.username ?? undefined,
    password: o.password ?? undefined,
    rejectUnauthorized: o.rejectUnauthorized ?? true,
    ...tls,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
    // mqtt.js retries at a fixed period (a setInterval) and says nothing; we want a growing delay
    // and one log line per attempt, so MqttConnection drives reconnects itself.
    reconnectPeriod: 0,
    // Publishes only reach mqtt.js while connected; its own unbounded offline queue stays unused.
    queueQoSZero: false,
    // Renewed by MqttConnection after every CONNACK, so that it knows when they are in place.
    resubscribe: false,
    // mqtt-packet would otherwise pre-build 65,536 two-byte Buffers for packet ids and lengths at the
    // first publish: 6 MB of heap for no measurable speed (npm run bench, footprint).
    writeCache: false,
    // Retained so that a subscriber arriving later (HA restarting) still sees the bridge offline.
    will: { topic: o.stateTopic, payload: Buffer.from("offline"), qos: 1, retain: true },
  };
}
