// Graceful shutdown while commands are in flight on a slow box: each command either completes
// with its response, or was never sent to the box. Nothing is written after the stop began but
// the writes already under way, and nothing the box did goes unanswered.
import { afterEach, describe, expect, it } from "vitest";
import { sleep, until } from "../integration/mqtt-helpers.js";
import { BASE, type Stack, startStack } from "../integration/stack.js";
import { responseTopicOf, writes } from "./helpers.js";
import { MOSQUITTO, type Mosquitto, NO_MOSQUITTO, startMosquitto } from "./mosquitto.js";

let broker: Mosquitto | undefined;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  await broker?.close();
});

interface Sent {
  topic: string;
  transaction: string;
  /** Finds this command's write among the box's requests. */
  wrote: (body: Record<string, unknown>) => boolean;
}

describe.skipIf(!MOSQUITTO)(`graceful shutdown${NO_MOSQUITTO}`, () => {
  it("answers every command it sent to the box, and sends no other", { timeout: 30_000 }, async () => {
    broker = await startMosquitto({ persistence: false });
    stack = await startStack({ broker, env: { FREEBOX_TIMEOUT: "10" } });
    const s = stack;
    await s.waitFor(`${BASE}/box/availability`, (p) => p === "online");
    await s.waitFor(`${BASE}/dhcp/static_leases`);
    const mac = s.sim.state.staticLeases[0]?.mac ?? "";
    // Every call now takes 800 ms: one command on the wire, the others waiting behind it.
    s.sim.faults.latencyMs = 800;
    const sent: Sent[] = [];
    const send = async (topic: string, body: Record<string, unknown>, wrote: Sent["wrote"]) => {
      const transaction = `s-${sent.length}`;
      sent.push({ topic, transaction, wrote });
      await s.publish(topic, JSON.stringify({ ...body, transaction }));
    };
    // Five on one resource (one at a time, in order), four on others (concurrently).
    for (let n = 0; n < 5; n++) {
      const comment = `shutdown-${n}`;
      await send(`${BASE}/dhcp/static_leases/${mac}/set`, { comment }, (b) => b.comment === comment);
    }
    await send(`${BASE}/connection/config/set`, { ping: false }, (b) => b.ping === false);
    await send(`${BASE}/dhcp/config/set`, { sticky_assign: false }, (b) => b.sticky_assign === false);
    await send(
      `${BASE}/connection/ddns/ovh/set`,
      { hostname: "stop.example.org" },
      (b) => b.hostname === "stop.example.org",
    );
    await send(`${BASE}/connection/ipv6/set`, { ipv6_enabled: false }, (b) => b.ipv6_enabled === false);
    await until(() => writes(s.sim, /./).length >= 2, 5000, "writes in flight");

    await s.app.stop();
    // Late answers of the slow box arrive; nothing may be written meanwhile.
    const written = writes(s.sim, /./).length;
    await sleep(2000);
    expect(writes(s.sim, /./).length).toBe(written);

    // Answers by response topic and transaction.
    const answers = new Map<string, Record<string, unknown>>();
    for (const m of s.watch.messages) {
      if (!m.topic.startsWith(`${BASE}/bridge/response/`)) continue;
      const body = JSON.parse(m.payload) as Record<string, unknown>;
      answers.set(`${m.topic} ${String(body.transaction)}`, body);
    }
    const outcome = sent.map(({ topic, transaction, wrote }) => {
      const hits = writes(s.sim, /./).filter(
        (r) => typeof r.body === "object" && r.body !== null && wrote(r.body as Record<string, unknown>),
      );
      const answer = answers.get(`${responseTopicOf(topic)} ${transaction}`);
      return { transaction, writes: hits.length, answer: answer?.status ?? "none", code: answer?.code };
    });
    for (const o of outcome) {
      // Sent: answered with the box's outcome. Not sent: answered so, while MQTT was still up.
      if (o.writes > 0) expect(o, "written, so answered").toMatchObject({ writes: 1, answer: "ok" });
      else expect(o, "not sent, and said so").toMatchObject({ answer: "error", code: "stopping" });
    }
    // The stop waited for the call on the wire, not for the whole queue.
    expect(outcome.filter((o) => o.writes > 0).length).toBeGreaterThanOrEqual(2);
    expect(outcome.filter((o) => o.writes === 0).length).toBeGreaterThanOrEqual(3);
  });
});
