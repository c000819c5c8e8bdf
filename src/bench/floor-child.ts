// The floor of the command round trip: the least any MQTT → Freebox forwarder can do. A bare
// mqtt.js subscriber that turns each message into one undici `fetch` PUT (one keep-alive Agent, as
// the bridge's) with the session it opened at start: no validation, no queue, no logging. argv[2]: JSON {brokerUrl, simUrl, appId, appToken, topic}.
import { connect } from "mqtt";
import { Agent, fetch } from "undici";
import { openSession } from "../sim/testing.js";
import { noDelay } from "./common.js";
import { serveParent } from "./proc.js";

const o = JSON.parse(process.argv[2] ?? "{}") as {
  brokerUrl: string;
  simUrl: string;
  appId: string;
  appToken: string;
  topic: string;
};
const session = await openSession(o.simUrl, o.appId, o.appToken);
const url = `${o.simUrl}/api/v15/connection/config/`;
const client = connect(o.brokerUrl, { clientId: "bench_floor", reconnectPeriod: 0 });
await new Promise<void>((resolve) => client.once("connect", () => resolve()));
noDelay(client);
await client.subscribeAsync(o.topic, { qos: 1 });
const dispatcher = new Agent();
client.on("message", (_topic, payload) => {
  void fetch(url, {
    dispatcher,
    method: "PUT",
    headers: { "X-Fbx-App-Auth": session, "Content-Type": "application/json" },
    body: payload,
  }).then((response) => response.arrayBuffer());
});
process.once("SIGTERM", () => {
  client.end(true);
  process.exit(0);
});
serveParent({ ready: true }, {});
