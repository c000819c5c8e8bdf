// A simulated box (and, if asked, the MQTT broker) in a process of its own, so that the CPU and
// memory the bench measures on the bridge's side hold none of the simulator's or broker's work.
// argv[2]: JSON BoxOptions. Answers "stats", "clear", "leases" and "pace" over IPC (proc.ts).
//
// A live box moves as a real one does (src/sim/live.ts: rates, counters, uptime, sensors, every
// lease's countdown and every host's activity times), here on a clock of its own: each poll (each
// GET connection/, the first call of a poll) moves it `pace` seconds on. Its answers then change at
// every poll however fast the bench polls, where the simulator's own one-second timer would leave
// most back-to-back polls unchanged. The simulator's own live mode stays off: its LAN hosts that
// come and go every 15 s would be devices arriving and leaving, which issue 18's figures exclude.
import { silentLogger } from "../logger.js";
import { startEmbeddedBroker } from "../mqtt/broker.js";
import { startSimulator } from "../sim/index.js";
import { tick } from "../sim/live.js";
import { createRng } from "../sim/rng.js";
import { unixNow } from "../sim/state.js";
import { setLeases } from "./lan.js";
import { serveParent } from "./proc.js";

export interface BoxOptions {
  appId: string;
  appToken: string;
  leases: number;
  live: boolean;
  broker: boolean;
}

export interface BoxStats {
  requests: number;
  /** GET login/ and POST login/session/ (a re-login shows here). */
  logins: number;
  /** Requests per "METHOD path". */
  byEndpoint: Record<string, number>;
  /** TCP connections for HTTP calls (keep-alive), the event stream's WebSockets not counted. */
  connections: number;
  /** WebSocket upgrades of the event stream (`ws/event`), each a TCP connection of its own. */
  eventStreams: number;
}

const options = JSON.parse(process.argv[2] ?? "{}") as BoxOptions;
const rng = createRng(0x5eed);
let now = unixNow();
let pace = 1;
let eventStreams = 0;
const sim = await startSimulator({
  apps: [{ appId: options.appId, appToken: options.appToken, settings: true }],
  onRequest: (request) => {
    if (request.path.startsWith("ws/")) eventStreams++;
    if (!options.live || request.method !== "GET" || request.path !== "connection/") return;
    for (let second = 0; second < pace; second++) tick(sim.state, rng, ++now);
  },
});
if (options.leases > 0) setLeases(sim.state, options.leases);
const broker = options.broker
  ? await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: silentLogger })
  : undefined;

const stats = (): BoxStats => {
  const byEndpoint: Record<string, number> = {};
  let logins = 0;
  for (const r of sim.requests) {
    const key = `${r.method} ${r.path}`;
    byEndpoint[key] = (byEndpoint[key] ?? 0) + 1;
    if (r.path.startsWith("login/")) logins++;
  }
  return {
    requests: sim.requests.length,
    logins,
    byEndpoint,
    connections: sim.connections - eventStreams,
    eventStreams,
  };
};

const shutdown = async () => {
  await Promise.allSettled([sim.close(), broker?.close()]);
  process.exit(0);
};
process.once("SIGTERM", () => void shutdown());

serveParent(
  { simUrl: sim.url, brokerUrl: broker?.url ?? null },
  {
    stats,
    clear: () => sim.clearRequests(),
    leases: (message) => setLeases(sim.state, Number(message.total)),
    pace: (message) => {
      pace = Number(message.seconds);
    },
  },
);
