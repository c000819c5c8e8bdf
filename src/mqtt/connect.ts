// An mqtt.js client with only the transport its URL needs.
//
// mqtt.js's connect() loads every transport it knows at its first call (WebSocket, SOCKS proxy
// and their libraries): ~4 MB of memory for a bridge that nearly always speaks plain TCP or TLS to
// a home broker (npm run bench, footprint). For a plain `mqtt://host:port` or `mqtts://host:port`
// the client is built here the way mqtt.js builds it (its connect/index.js, tcp.js and tls.js);
// anything else (ws://, wss://, credentials or a query in the URL, mqtt.js's MQTTJS_SOCKS_PROXY)
// goes to mqtt.js's own connect(), unchanged.
import { createRequire } from "node:module";
import { createConnection, isIP } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { IClientOptions, MqttClient } from "mqtt";

const require = createRequire(import.meta.url);

type Mqtt = typeof import("mqtt");
type ClientClass = new (
  streamBuilder: (client: MqttClient) => NodeJS.ReadWriteStream,
  options: IClientOptions,
) => MqttClient;

const DEFAULT_PORTS = { mqtt: 1883, mqtts: 8883 } as const;
// A host mqtt.js's url.parse() and WHATWG URL read alike: a name, IPv4, or a bracketed IPv6.
const SIMPLE_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])$/;

interface Target {
  protocol: keyof typeof DEFAULT_PORTS;
  host: string;
  port: number;
}

/**
 * Where a plain mqtt:// or mqtts:// URL leads (as mqtt.js reads it: a client certificate and key
 * turn mqtt:// into TLS, on 8883 unless a port is given); undefined for any other URL.
 */
export function plainTarget(
  url: string,
  options: Pick<IClientOptions, "cert" | "key"> = {},
  env: NodeJS.ProcessEnv = process.env,
): Target | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // mqtt.js reports it
  }
  const protocol = parsed.protocol.replace(/:$/, "");
  if (protocol !== "mqtt" && protocol !== "mqtts") return undefined;
  if (parsed.username || parsed.password || parsed.search || parsed.hash) return undefined;
  if (parsed.pathname !== "" && parsed.pathname !== "/") return undefined;
  if (!SIMPLE_HOST.test(parsed.hostname) || env.MQTTJS_SOCKS_PROXY) return undefined;
  const tls = protocol === "mqtts" || Boolean(options.cert && options.key);
  const chosen = tls ? "mqtts" : "mqtt";
  return {
    protocol: chosen,
    host: parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase(),
    port: parsed.port ? Number(parsed.port) : DEFAULT_PORTS[chosen],
  };
}

/** mqtt.js's connect(url, options), loading only the transport the URL needs. */
export function connectMqtt(url: string, options: IClientOptions): MqttClient {
  const target = plainTarget(url, options);
  if (!target) return (require("mqtt") as Mqtt).connect(url, options);
  const Client = (require("mqtt/lib/client") as { default: ClientClass }).default;
  const opts: IClientOptions = {
    ...options,
    protocol: target.protocol,
    host: target.host,
    hostname: target.host,
    port: target.port,
  };
  const client = new Client(
    (self) => (target.protocol === "mqtts" ? tlsStream(self, opts) : tcpStream(opts)),
    opts,
  );
  // As mqtt.js's connect(): an error with no listener of the caller's must not crash the process.
  client.on("error", () => undefined);
  return client;
}

function tcpStream(opts: IClientOptions): NodeJS.ReadWriteStream {
  return createConnection({ host: opts.hostname ?? "localhost", port: opts.port ?? DEFAULT_PORTS.mqtt });
}

/** As mqtt.js's connect/tls.js: the server name checked, a certificate failure reported as an error. */
function tlsStream(client: MqttClient, opts: IClientOptions): NodeJS.ReadWriteStream {
  const host = opts.hostname ?? "localhost";
  const rejectUnauthorized = opts.rejectUnauthorized !== false;
  const connection = tlsConnect({
    host,
    port: opts.port ?? DEFAULT_PORTS.mqtts,
    rejectUnauthorized,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(opts.ca ? { ca: opts.ca } : {}),
    ...(opts.cert ? { cert: opts.cert } : {}),
    ...(opts.key ? { key: opts.key } : {}),
  });
  const onError = (error: Error) => {
    if (rejectUnauthorized) client.emit("error", error);
    connection.end();
  };
  connection.on("secureConnect", () => {
    if (rejectUnauthorized && !connection.authorized)
      connection.emit("error", new Error("TLS not authorized"));
    else connection.removeListener("error", onError);
  });
  connection.on("error", onError);
  return connection;
}
