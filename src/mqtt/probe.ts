// One-shot broker checks for `freebox2mqtt check`: connect once (no retry, no will) and report why not,
// with the same TLS file handling and error wording as the bridge's own connection.
import { createServer } from "node:net";
import { connectMqtt } from "./connect.js";
import { type MqttConnectionOptions, readTlsFiles } from "./connection-options.js";
import { describeMqttError } from "./diagnostics.js";

export type ProbeOptions = Pick<
  MqttConnectionOptions,
  "url" | "username" | "password" | "ca" | "cert" | "key" | "rejectUnauthorized"
> & { timeoutMs?: number };

/** Resolves when the broker accepts a connection; rejects with a readable reason. */
export async function probeBroker(options: ProbeOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const client = connectMqtt(options.url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
    clientId: `freebox2mqtt_check_${process.pid}`,
    username: options.username ?? undefined,
    password: options.password ?? undefined,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    ...(await readTlsFiles(options)),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", (error) => reject(new Error(describeMqttError(error, timeoutMs))));
      client.once("close", () =>
        reject(new Error("the connection was closed (wrong port, TLS or protocol?)")),
      );
    });
  } finally {
    client.end(true);
  }
}

/** True when nothing listens on host:port yet (the embedded broker could start there). */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
