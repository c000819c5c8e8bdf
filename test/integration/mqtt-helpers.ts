// Loopback pieces for the MQTT tests: a log capture, an observing mqtt.js client, a TCP proxy that
// can cut or freeze the link (to kill a connection without killing the broker), a silent server.
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { Writable } from "node:stream";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import { createLogger, type Logger } from "../../src/logger.js";

export interface LogCapture {
  logger: Logger;
  lines: string[];
  /** Lines whose message contains `text`. */
  matching(text: string): string[];
}

/** Every log line (JSON, debug level) of a logger in namespace `ns`. */
export function captureLogs(ns = "mqtt"): LogCapture {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") lines.push(line);
      done();
    },
  });
  const logger = createLogger({ level: "debug", format: "json", stream }).child(ns);
  return { logger, lines, matching: (text) => lines.filter((l) => l.includes(text)) };
}

// Captured at import, before any test installs fake timers, so waiting stays in real time.
const realSetTimeout = globalThis.setTimeout;
const realNow = performance.now.bind(performance);

/** Waits in real time, whatever fake timers are installed. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

/** Polls `check` in real time until it holds. */
export async function until(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const start = realNow();
  while (!check()) {
    if (realNow() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

export interface Observer {
  client: MqttClient;
  messages: Received[];
  on(topic: string): Received[];
  close(): Promise<void>;
}

/**
 * A plain mqtt.js client subscribed to `filters`, recording everything it receives. `options` (auth,
 * client id, session, reconnects) go to mqtt.js; by default it does not reconnect.
 */
export async function observe(
  url: string,
  filters: string[],
  options: IClientOptions = {},
): Promise<Observer> {
  const client = connect(url, { protocolVersion: 4, reconnectPeriod: 0, ...options });
  const messages: Received[] = [];
  client.on("message", (topic, payload, packet) =>
    messages.push({ topic, payload: payload.toString("utf8"), retain: packet.retain }),
  );
  // A reconnecting client meets refused connections while its broker restarts: expected noise.
  if (options.reconnectPeriod) client.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
  });
  if (filters.length > 0) await client.subscribeAsync(filters, { qos: 1 });
  return {
    client,
    messages,
    on: (topic) => messages.filter((m) => m.topic === topic),
    close: async () => {
      await client.endAsync(true);
    },
  };
}

/** The retained payload on `topic`, as a new subscriber sees it (null when none). */
export async function retainedOn(url: string, topic: string): Promise<string | null> {
  const o = await observe(url, [topic]);
  await sleep(100);
  await o.close();
  const m = o.messages.find((x) => x.retain);
  return m ? m.payload : null;
}

/** Forwards 127.0.0.1:<port> to a target; cut() kills the link, freeze() makes it silent. */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private frozen = false;
  port = 0;
  /** Bytes sent towards the broker since the last listen(): what the broker got, in order. */
  sent: Buffer[] = [];

  constructor(private readonly targetPort: number) {}

  async listen(): Promise<void> {
    this.sent = [];
    const server = createServer((client) => {
      const upstream = netConnect(this.targetPort, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("error", () => undefined);
        s.on("close", () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.on("data", (d: Buffer) => {
        if (this.frozen) return;
        this.sent.push(d);
        upstream.write(d);
      });
      upstream.on("data", (d: Buffer) => this.frozen || client.write(d));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    const address = server.address();
    if (typeof address === "object" && address !== null) this.port = address.port;
  }

  /** Destroys every connection and stops listening, like a broker (or network) going away. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Keeps the sockets open but forwards nothing: a hung broker. */
  freeze(): void {
    this.frozen = true;
  }
}

/** Accepts TCP connections and never says a word (not an MQTT broker, or a hung one). */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Every retained message under `filter`, as a new subscriber sees them. QoS 0: mosquitto queues at
 * most 1,000 QoS 1 messages per client (max_queued_messages), fewer than a big box retains.
 */
export async function retainedSnapshot(
  url: string,
  filter: string,
  qos: 0 | 1 = 0,
  auth: { username?: string; password?: string } = {},
): Promise<Received[]> {
  const client = connect(url, { protocolVersion: 4, reconnectPeriod: 0, ...auth });
  const seen: Received[] = [];
  client.on("message", (topic, payload, packet) => {
    if (packet.retain) seen.push({ topic, payload: payload.toString("utf8"), retain: true });
  });
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
  });
  await client.subscribeAsync(filter, { qos });
  // Retained messages follow the SUBACK; wait until they stop coming.
  let count = -1;
  while (count !== seen.length) {
    count = seen.length;
    await sleep(200);
  }
  await client.endAsync();
  return seen;
}
