// The floors every figure is compared with: what any program doing the same work with the same
// libraries, and nothing else, costs. Measured in the same run as the bridge, on the same box.
//
// - HTTP floor: plain undici (one keep-alive Agent) doing the bridge's GETs and JSON.parse of each
//   answer. No envelope check, no retries, no timeouts, no session handling.
// - Floor bridge: the same, plus mqtt.js publishing each answer that changed since the last poll,
//   as is, retained, on a topic of its own (issue 18). No entities, no discovery, no validation.
import type { MqttClient } from "mqtt";
import { Agent, fetch } from "undici";
import { openSession } from "../sim/testing.js";
import { APP_ID, noDelay } from "./common.js";

export interface Floor {
  /** One poll: every endpoint once, one after the other (as the bridge reads them). */
  cycle(): Promise<void>;
  close(): Promise<void>;
}

/** `endpoints` are "GET path" keys as box-child.ts counts them; only GETs of the API are kept. */
const apiUrls = (simUrl: string, endpoints: readonly string[]) =>
  endpoints
    .filter((e) => e.startsWith("GET ") && !e.startsWith("GET login/"))
    .map((e) => `${simUrl}/api/v15/${e.slice(4)}`);

export async function httpFloor(simUrl: string, token: string, endpoints: readonly string[]): Promise<Floor> {
  const headers = { "X-Fbx-App-Auth": await openSession(simUrl, APP_ID, token) };
  const dispatcher = new Agent();
  const urls = apiUrls(simUrl, endpoints);
  return {
    cycle: async () => {
      for (const url of urls) JSON.parse(await (await fetch(url, { headers, dispatcher })).text());
    },
    close: () => dispatcher.close(),
  };
}

export async function floorBridge(
  simUrl: string,
  token: string,
  endpoints: readonly string[],
  brokerUrl: string,
): Promise<Floor> {
  const headers = { "X-Fbx-App-Auth": await openSession(simUrl, APP_ID, token) };
  const dispatcher = new Agent();
  const urls = apiUrls(simUrl, endpoints);
  // Loaded here only: the HTTP floor's footprint holds no MQTT client.
  const { connect } = await import("mqtt");
  const client: MqttClient = connect(brokerUrl, { clientId: "bench_floor_bridge", reconnectPeriod: 0 });
  await new Promise<void>((resolve) => client.once("connect", () => resolve()));
  noDelay(client);
  const last = new Map<string, string>();
  return {
    cycle: async () => {
      for (const url of urls) {
        const text = await (await fetch(url, { headers, dispatcher })).text();
        const { result } = JSON.parse(text) as { result?: unknown };
        const payload = JSON.stringify(result ?? null);
        if (last.get(url) === payload) continue;
        last.set(url, payload);
        client.publish(`bench/floor/${url.slice(simUrl.length)}`, payload, { retain: true, qos: 1 });
      }
    },
    close: async () => {
      await client.endAsync();
      await dispatcher.close();
    },
  };
}
