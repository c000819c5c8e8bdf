// Overlapping reads: a group poll that asked the box BEFORE a command changed it, and got its
// answer AFTER the command's refresh, must not publish the old value again. The real bridge, the
// real Freebox client against the simulator, the real MQTT connection to the embedded broker; the
// only addition is a hold on one answer of the client, to order the race deterministically.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Bridge } from "../../src/bridge/bridge.js";
import { loadConfig } from "../../src/config.js";
import type { FreeboxApi } from "../../src/freebox/api.js";
import { FreeboxClient } from "../../src/freebox/client.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/mqtt/broker.js";
import { MqttConnection } from "../../src/mqtt/connection.js";
import { type Simulator, startSimulator } from "../../src/sim/index.js";
import { leaseStateTopic, macKey, PREFIX } from "./bridge-helpers.js";
import { captureLogs, type Observer, observe, sleep, until } from "./mqtt-helpers.js";
import { APP_ID, BASE } from "./stack.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** The client, with the next answer of one method held until released. */
function holdable(api: FreeboxClient) {
  let armed: string | undefined;
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = false;
  const proxy = new Proxy(api, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const result = await value.apply(target, args);
        if (prop === armed) {
          armed = undefined;
          held = true;
          await released;
        }
        return result;
      };
    },
  }) as FreeboxApi;
  return {
    api: proxy,
    arm: (method: keyof FreeboxApi) => {
      armed = method;
    },
    get held() {
      return held;
    },
    release: () => release(),
  };
}

async function setup(): Promise<{
  sim: Simulator;
  broker: EmbeddedBroker;
  watch: Observer;
  bridge: Bridge;
  hold: ReturnType<typeof holdable>;
}> {
  const logs = captureLogs();
  const sim = await startSimulator({ port: 0 });
  cleanups.push(() => sim.close());
  const token = sim.pairApp(APP_ID, { settings: true });
  const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: logs.logger });
  cleanups.push(() => broker.close());
  const config = loadConfig({
    env: {
      FREEBOX_URL: sim.url,
      FREEBOX_APP_TOKEN: token,
      DATA_DIR: mkdtempSync(join(tmpdir(), "fbx-race-")),
      MQTT_URL: broker.url,
      // The lease's tracker goes with the lease (with "all", its host would keep one).
      PRESENCE_TRACKERS: "static",
    },
  });
  const watch = await observe(broker.url, ["#"]);
  cleanups.push(() => watch.close());
  const client = new FreeboxClient({
    url: config.freebox.url,
    appId: config.freebox.appId,
    appVersion: "test",
    appToken: config.freebox.appToken,
    dataDir: config.dataDir,
    logger: logs.logger,
  });
  cleanups.push(() => client.close());
  const mqtt = new MqttConnection({
    url: broker.url,
    clientId: config.mqtt.clientId,
    stateTopic: `${BASE}/bridge/state`,
    logger: logs.logger,
  });
  await mqtt.start();
  cleanups.push(() => mqtt.stop());
  const hold = holdable(client);
  const bridge = new Bridge({
    api: hold.api,
    mqtt,
    config,
    logger: logs.logger,
    version: "test",
    onFatal: () => undefined,
  });
  await bridge.start();
  cleanups.push(() => bridge.stop());
  await until(() => watch.on(`${BASE}/dhcp/static_leases`).length > 0, 5000, "the first leases poll");
  await sleep(300);
  return { sim, broker, watch, bridge, hold };
}

describe("bridge: a poll racing a command's refresh", () => {
  it("a lease removed by a command stays removed when an older poll answer lands afterwards", async () => {
    const { sim, watch, bridge, hold } = await setup();
    const gone = sim.state.staticLeases[0];
    if (!gone) throw new Error("the simulator has no static lease");
    const box = sim.state.system.mac.toLowerCase().replace(/:/g, "");
    const config = `${PREFIX}/device_tracker/freebox_${box}/host_${macKey(gone.mac)}/config`;

    // A leases poll reads the list (the lease still there) and its answer is held back…
    hold.arm("listStaticLeases");
    const polling = bridge.refreshAll();
    await until(() => hold.held, 3000, "the poll's answer");
    // …while the user removes the lease: DELETE, then the command's own refresh publishes.
    await watch.client.publishAsync(`${BASE}/dhcp/static_leases/${gone.mac}/remove`, "PRESS", { qos: 1 });
    await until(() => watch.on(config).some((m) => m.payload === ""), 3000, "the config cleared");
    const from = watch.messages.length;
    // The old answer lands now.
    hold.release();
    await polling;
    await sleep(300);
    const after = watch.messages.slice(from).filter((m) => m.topic !== `${BASE}/bridge/health`);
    expect(after).toEqual([]);
    const list = JSON.parse(watch.on(`${BASE}/dhcp/static_leases`).at(-1)?.payload ?? "[]") as Array<{
      mac: string;
    }>;
    expect(list.map((l) => l.mac)).not.toContain(gone.mac);
    expect(watch.on(leaseStateTopic(gone.mac)).at(-1)?.payload).toBe("");
  });
});
