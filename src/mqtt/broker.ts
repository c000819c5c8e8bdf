// The embedded broker (aedes), used when MQTT_URL is not set: a plain TCP listener so that Home
// Assistant (or mosquitto_sub) can connect to the bridge host directly. Memory persistence only:
// retained messages are rebuilt by the bridge, which republishes everything on every connect.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import type { AuthenticateError } from "aedes";
import type { Logger } from "../logger.js";

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** When set, clients must present these credentials (MQTT_USERNAME / MQTT_PASSWORD). */
  username?: string | null;
  password?: string | null;
  logger: Logger;
  /** Bound on close(); default 2000 ms. */
  closeTimeoutMs?: number;
}

export interface EmbeddedBroker {
  /** `mqtt://host:port`, to hand to MqttConnection. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A start failure the user can fix; the message is one sentence, no stack needed. */
export class EmbeddedBrokerError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = "EmbeddedBrokerError";
  }
}

// CONNACK return codes, MQTT 3.1.1 §3.2.2.3.
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

// Hashing first gives equal-length buffers, as timingSafeEqual requires, so the comparison time
// does not reveal the length of the expected value either.
function sameSecret(given: Buffer, expected: Buffer): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function authError(message: string, returnCode: 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error.code) {
    case "EADDRINUSE":
      return new EmbeddedBrokerError(
        `MQTT port ${port} on ${host} is already in use (another broker?): set MQTT_EMBEDDED_PORT to a free port, or MQTT_URL to use that broker`,
        error.code,
      );
    case "EACCES":
      return new EmbeddedBrokerError(
        `MQTT port ${port} on ${host} needs more privileges than this process has: set MQTT_EMBEDDED_PORT to a port above 1023`,
        error.code,
      );
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return new EmbeddedBrokerError(
        `MQTT embedded broker cannot listen on ${host}, which is not an address of this machine: set MQTT_EMBEDDED_HOST`,
        error.code,
      );
    default:
      return new EmbeddedBrokerError(
        `MQTT embedded broker cannot listen on ${host}:${port} (${error.code ?? error.message})`,
        error.code ?? "EUNKNOWN",
      );
  }
}

/** Loopback only (127.0.0.0/8, ::1, localhost): nobody else on the network can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The warning for an embedded broker reachable from the network with no credentials, or
 * undefined: anyone on the LAN could then read the box's data and send it commands (reboot, DHCP).
 */
export function exposureWarning(host: string, username: string | null | undefined): string | undefined {
  if (username || isLoopbackHost(host)) return undefined;
  return `the embedded MQTT broker listens on ${host} without credentials: anyone who can reach this machine can read the box's data and send it commands; set MQTT_USERNAME and MQTT_PASSWORD`;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, host, port));
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { host, logger } = options;
  const username = options.username || null;
  const password = options.password ?? "";
  const closeTimeoutMs = options.closeTimeoutMs ?? 2000;
  // A user name with an empty password would let in anyone who knows the name (the configuration
  // refuses it too; this is the broker's own guard).
  if ((username === null) !== (password === "")) {
    throw new EmbeddedBrokerError(
      "the embedded MQTT broker needs both MQTT_USERNAME and MQTT_PASSWORD, or neither",
      "ECREDENTIALS",
    );
  }
  const exposed = exposureWarning(host, username);
  if (exposed) logger.warn(exposed);

  // Loaded only here: a bridge given MQTT_URL never needs aedes, and loading it costs memory.
  const { Aedes } = await import("aedes");
  const aedes = await Aedes.createBroker({
    authenticate: (client, user, pass, done) => {
      if (username === null) {
        done(null, true);
        return;
      }
      // Anonymous: 5 "not authorized"; wrong user or password: 4 "bad user name or password".
      if (user === undefined || user === "") {
        logger.warn(`refused anonymous MQTT client "${client.id}": credentials are required`);
        done(authError("credentials required", NOT_AUTHORIZED), false);
        return;
      }
      // Both compared every time, so the time taken does not tell which one was wrong.
      const userOk = sameSecret(Buffer.from(user, "utf8"), Buffer.from(username, "utf8"));
      const passOk = sameSecret(pass ?? Buffer.alloc(0), Buffer.from(password, "utf8"));
      if (userOk && passOk) {
        done(null, true);
        return;
      }
      logger.warn(`refused MQTT client "${client.id}" (user "${user}"): bad user name or password`);
      done(authError("bad user name or password", BAD_USERNAME_OR_PASSWORD), false);
    },
  });
  aedes.on("client", (client) => logger.debug(() => `client "${client.id}" connected`));
  aedes.on("clientDisconnect", (client) => logger.debug(() => `client "${client.id}" disconnected`));
  aedes.on("clientError", (client, error) =>
    logger.debug(() => `client "${client.id}" error: ${error.message}`),
  );
  aedes.on("connectionError", (_client, error) =>
    logger.debug(() => `connection error before CONNECT: ${error.message}`),
  );

  // Sockets are tracked so that close() can destroy them: server.close() alone waits for every
  // client to hang up, and a silent client would keep it open forever.
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    // Without it, Nagle holds a message written while the previous one is unacknowledged until the
    // client's delayed ACK (~40 ms on Linux): a state right after a command response came 40 ms late.
    socket.setNoDelay(true);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", (error) => logger.debug(() => `socket error: ${error.message}`));
    aedes.handle(socket);
  });

  try {
    await listen(server, host, options.port);
  } catch (error) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw error;
  }
  server.on("error", (error) => logger.error(`embedded broker listener failed: ${error.message}`));

  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  logger.info(
    `embedded MQTT broker listening on ${urlHost}:${port}${username ? " (credentials required)" : ""}`,
  );

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      let pending = 2;
      const done = () => {
        pending--;
        if (pending === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      // Past the bound, drop whatever is left: a stop must never hang (README "Reliability",
      // graceful shutdown within five seconds).
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
        resolve();
      }, closeTimeoutMs);
      server.close(() => done());
      aedes.close(() => {
        // aedes has closed its clients; any socket still open never finished CONNECT.
        for (const socket of sockets) socket.destroy();
        done();
      });
    }).then(() => logger.debug("embedded broker closed"));
    return closing;
  };

  return { url: `mqtt://${urlHost}:${port}`, port, close };
}
