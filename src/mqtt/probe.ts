// One-shot broker checks for `freebox2mqtt check`: connect once (no retry) and report why not.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import mqtt from "mqtt";

export interface ProbeOptions {
  url: string;
  username?: string | null;
  password?: string | null;
  ca?: string | null;
  cert?: string | null;
  key?: string | null;
  rejectUnauthorized?: boolean;
  timeoutMs?: number;
}

/** Resolves when the broker accepts a connection; rejects with a readable reason. */
export async function probeBroker(options: ProbeOptions): Promise<void> {
  const read = (file: string | null | undefined) => (file ? readFileSync(file) : undefined);
  const client = mqtt.connect(options.url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: options.timeoutMs ?? 5_000,
    clientId: `freebox2mqtt_check_${process.pid}`,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    ...(options.ca ? { ca: read(options.ca) } : {}),
    ...(options.cert ? { cert: read(options.cert) } : {}),
    ...(options.key ? { key: read(options.key) } : {}),
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", (error) => reject(error));
      client.once("close", () => reject(new Error("connection closed (wrong port, TLS or protocol?)")));
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
