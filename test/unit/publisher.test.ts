// The publisher's shortcuts on an unchanged box (src/bridge/publisher.ts) must never hide a
// change: a tracked host renamed in a new list re-syncs discovery, a lease deleted while the others
// stay is cleared, a lease edited is republished. The MQTT link records what would be sent.
import { describe, expect, it } from "vitest";
import { Publisher } from "../../src/bridge/publisher.js";
import { toBoxSnapshot } from "../../src/bridge/snapshot.js";
import type { MqttLink } from "../../src/mqtt/link.js";
import { ftthBox } from "../fixtures/box-ftth.js";

type Sent = Array<[string, string]>;

function recorder(): { link: MqttLink; sent: Sent } {
  const sent: Sent = [];
  const link: MqttLink = {
    connected: true,
    publish: async (topic, payload) => {
      sent.push([topic, payload]);
    },
    subscribe: async () => {},
    unsubscribe: async () => {},
    onMessage: () => {},
    onConnect: () => {},
  };
  return { link, sent };
}

function setup() {
  const { link, sent } = recorder();
  const publisher = new Publisher({
    mqtt: link,
    baseTopic: "fbx",
    discovery: true,
    prefix: "homeassistant",
    boxUrl: "http://127.0.0.1",
    version: "test",
  });
  return { publisher, sent };
}

/** A fresh copy of the fixture's snapshot, as every poll brings new objects. */
const snapshot = () => JSON.parse(JSON.stringify(toBoxSnapshot(ftthBox))) as ReturnType<typeof toBoxSnapshot>;

describe("Publisher on a box polled again", () => {
  it("re-syncs discovery for a tracked host renamed in a new list, and for nothing else", () => {
    const { publisher, sent } = setup();
    publisher.syncDiscovery(snapshot(), "ftth");
    sent.length = 0;
    publisher.syncDiscovery(snapshot(), "ftth");
    expect(sent).toEqual([]);
    const renamed = snapshot();
    const hosts = renamed.lan_hosts ?? [];
    renamed.lan_hosts = hosts.map((h, i) => (i === 0 ? { ...h, name: "Renamed host" } : h));
    publisher.syncDiscovery(renamed, "ftth");
    expect(sent.some(([, payload]) => payload.includes("Renamed host"))).toBe(true);
  });

  it("clears a deleted lease's topic while the others stay, and republishes an edited one", () => {
    const { publisher, sent } = setup();
    publisher.publishState("static_leases", snapshot());
    publisher.publishState("static_leases", snapshot());
    sent.length = 0;
    const fewer = snapshot();
    fewer.static_leases = (fewer.static_leases ?? []).filter((l) => l.mac !== "00:DE:AD:B0:0B:55");
    publisher.publishState("static_leases", fewer);
    expect(sent).toContainEqual(["fbx/dhcp/static_leases/00deadb00b55", ""]);
    sent.length = 0;
    publisher.publishState("static_leases", fewer);
    expect(sent).toEqual([]);
    const edited = snapshot();
    edited.static_leases = (edited.static_leases ?? []).filter((l) => l.mac !== "00:DE:AD:B0:0B:55");
    for (const l of edited.static_leases) if (l.mac === "00:DE:AD:B0:0B:69") l.comment = "Edited";
    publisher.publishState("static_leases", edited);
    expect(sent.map(([t]) => t)).toEqual(["fbx/dhcp/static_leases", "fbx/dhcp/static_leases/00deadb00b69"]);
    expect(sent[1]?.[1]).toContain('"comment":"Edited"');
  });
});

describe("Publisher and a read that keeps its last value", () => {
  it("publishes the kept value again once its state was cleared", () => {
    const { publisher, sent } = setup();
    const box = snapshot();
    // A DynDNS provider not in use: the reader hands back the very object it had (resources/ddns.ts).
    publisher.publishState("ddns_ovh", box);
    publisher.publishState("ddns_ovh", box);
    expect(sent.filter(([topic]) => topic === "fbx/connection/ddns/ovh")).toHaveLength(1);
    publisher.clearState("ddns_ovh");
    publisher.publishState("ddns_ovh", box);
    const ovh = sent.filter(([topic]) => topic === "fbx/connection/ddns/ovh").map(([, p]) => p !== "");
    expect(ovh).toEqual([true, false, true]);
  });
});
