import { describe, expect, it } from "vitest";
import { snapshotDiscovery, snapshotMessages } from "../../src/bridge/snapshot.js";
import {
  buildDiscovery,
  type DiscoveryInput,
  discoveryTopic,
  discoveryTopicFilter,
  removalsFor,
} from "../../src/mqtt/discovery.js";
import { topicMatches } from "../../src/mqtt/topics.js";
import { FTTH_BOX_ID, ftthBox } from "../fixtures/box-ftth.js";
import { BOX_OPTIONS } from "../fixtures/box-options.js";
import { XDSL_BOX_ID, xdslBox } from "../fixtures/box-xdsl.js";

const parse = (payload: string) => JSON.parse(payload) as Record<string, unknown>;

const input = (entities: DiscoveryInput["entities"]): DiscoveryInput => ({
  prefix: "homeassistant",
  baseTopic: "fbx",
  boxId: "342792600b9e",
  device: { identifiers: ["freebox_342792600b9e"], name: "Freebox Server" },
  origin: { name: "freebox2mqtt", sw_version: "1.2.3", support_url: "https://example.org/f2m" },
  entities,
});

describe("buildDiscovery", () => {
  it("builds a per-entity config with ids, availability, device and origin", () => {
    const [m] = buildDiscovery(
      input([
        { key: "rate_down", component: "sensor", name: "Download rate", state_topic: "fbx/connection" },
      ]),
    );
    expect(m?.topic).toBe("homeassistant/sensor/freebox_342792600b9e/rate_down/config");
    expect(parse(m?.payload ?? "")).toEqual({
      name: "Download rate",
      unique_id: "freebox_342792600b9e_rate_down",
      default_entity_id: "sensor.freebox_rate_down",
      state_topic: "fbx/connection",
      availability: [{ topic: "fbx/bridge/state" }, { topic: "fbx/box/availability" }],
      availability_mode: "all",
      device: { identifiers: ["freebox_342792600b9e"], name: "Freebox Server" },
      origin: { name: "freebox2mqtt", sw_version: "1.2.3", support_url: "https://example.org/f2m" },
    });
  });

  it("uses an entity's own device, and leaves unknown values out", () => {
    const [m] = buildDiscovery({
      ...input([
        {
          key: "lease_aabbccddeeff",
          component: "device_tracker",
          name: null,
          device: { identifiers: ["x"], name: undefined },
        },
      ]),
      origin: { name: "freebox2mqtt", sw_version: undefined },
    });
    const p = parse(m?.payload ?? "");
    expect(p.name).toBeNull();
    expect(p.device).toEqual({ identifiers: ["x"] });
    expect(p.origin).toEqual({ name: "freebox2mqtt" });
  });

  it("refuses keys HA cannot use as ids, and duplicates", () => {
    expect(() => buildDiscovery(input([{ key: "Bad Key", component: "sensor", name: "x" }]))).toThrow(
      /object id/,
    );
    expect(() => buildDiscovery(input([{ key: "a__b", component: "sensor", name: "x" }]))).toThrow(
      /object id/,
    );
    const twice = { key: "a", component: "sensor", name: "x" } as const;
    expect(() => buildDiscovery(input([twice, twice]))).toThrow(/twice/);
  });
});

describe.each([
  ["fibre", ftthBox, FTTH_BOX_ID],
  ["xDSL", xdslBox, XDSL_BOX_ID],
] as const)("discovery of a %s box", (_name, box, boxId) => {
  const messages = snapshotDiscovery(box, BOX_OPTIONS);
  const configs = messages.map((m) => ({ topic: m.topic, c: parse(m.payload) }));

  it("gives unique topics and unique ids derived from the box MAC", () => {
    expect(new Set(messages.map((m) => m.topic)).size).toBe(messages.length);
    const ids = configs.map(({ c }) => c.unique_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { topic, c } of configs) {
      const [, component, node, key] = topic.split("/");
      expect(node).toBe(`freebox_${boxId}`);
      expect(c.unique_id).toBe(`freebox_${boxId}_${key}`);
      expect(c.default_entity_id).toBe(`${component}.freebox_${key}`);
      expect(c.default_entity_id).toMatch(/^[a-z_]+\.(?!_)(?!.*__)[a-z0-9_]+(?<!_)$/);
    }
  });

  it("is matched entirely by the reconciliation filter", () => {
    const filter = discoveryTopicFilter("homeassistant", boxId);
    expect(filter).toBe(`homeassistant/+/freebox_${boxId}/+/config`);
    for (const m of messages) expect(topicMatches(filter, m.topic)).toBe(true);
    expect(topicMatches(filter, "homeassistant/sensor/freebox_000000000000/x/config")).toBe(false);
  });

  it("puts every entity behind both availability topics and names its origin", () => {
    for (const { c } of configs) {
      expect(c.availability).toEqual([
        { topic: "freebox2mqtt/bridge/state" },
        { topic: "freebox2mqtt/box/availability" },
      ]);
      expect(c.availability_mode).toBe("all");
      expect(c.origin).toEqual({ name: "freebox2mqtt", sw_version: "0.1.0" });
    }
  });

  it("never publishes a DynDNS password, in configs or states", () => {
    const all = snapshotMessages(box, BOX_OPTIONS);
    for (const m of all) {
      if (m.topic.startsWith("freebox2mqtt/")) expect(m.payload).not.toContain("password");
    }
    expect(all.every((m) => m.retain)).toBe(true);
  });

  it("publishes states after configs", () => {
    const topics = snapshotMessages(box, BOX_OPTIONS).map((m) => m.topic);
    const lastConfig = topics.findLastIndex((t) => t.startsWith("homeassistant/"));
    const firstState = topics.findIndex((t) => t.startsWith("freebox2mqtt/"));
    expect(lastConfig).toBeLessThan(firstState);
  });
});

describe("removalsFor", () => {
  it("clears the line's entities when the media changes", () => {
    const before = snapshotDiscovery(ftthBox, BOX_OPTIONS).map((m) => m.topic);
    const moved = {
      ...ftthBox,
      connection: { ...ftthBox.connection, media: "xdsl", type: "rfc2684" },
      xdsl: xdslBox.xdsl,
    };
    const after = snapshotDiscovery(moved, BOX_OPTIONS).map((m) => m.topic);
    const removed = removalsFor(before, after);
    const t = (component: "sensor" | "binary_sensor", key: string) =>
      discoveryTopic("homeassistant", component, FTTH_BOX_ID, key);
    expect(removed.sort()).toEqual(
      [
        t("binary_sensor", "ftth_link"),
        t("binary_sensor", "sfp_present"),
        t("binary_sensor", "sfp_alim_ok"),
        t("binary_sensor", "sfp_has_signal"),
        t("sensor", "sfp_pwr_rx"),
        t("sensor", "sfp_pwr_tx"),
      ].sort(),
    );
    expect(removalsFor(after, before).every((topic) => topic.includes("/xdsl_"))).toBe(true);
  });

  it("clears a removed lease's tracker only", () => {
    const before = snapshotDiscovery(ftthBox, BOX_OPTIONS).map((m) => m.topic);
    const after = snapshotDiscovery(
      { ...ftthBox, staticLeases: ftthBox.staticLeases.slice(1) },
      BOX_OPTIONS,
    ).map((m) => m.topic);
    expect(removalsFor(before, after)).toEqual([
      `homeassistant/device_tracker/freebox_${FTTH_BOX_ID}/host_00deadb00b55/config`,
    ]);
    expect(removalsFor(before, before)).toEqual([]);
  });
});
