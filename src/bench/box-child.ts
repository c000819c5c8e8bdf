// A simulated box (and, if asked, the MQTT broker) in a process of its own, so that the CPU and
// memory the bench measures on the bridge's side hold none of the simulator's or broker's work.
// argv[2]: JSON BoxOptions. Answers "stats", "clear" and "leases" over IPC (proc.ts).
import { silentLogger } from "../logger.js";
import { startEmbeddedBroker } from "../mqtt/broker.js";
import { startSimulator } from "../sim/index.js";
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
  connections: number;
}

const options = JSON.parse(process.argv[2] ?? "{}") as BoxOptions;
const sim = await startSimulator({
  apps: [{ appId: options.appId, appToken: options.appToken, settings: true }],
  live: options.live,
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
  return { requests: sim.requests.length, logins, byEndpoint, connections: sim.connections };
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
  },
);
