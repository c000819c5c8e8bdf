import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSafeTopicSegment, responseTopic, stripBase, topicMatches } from "../../src/mqtt/topics.js";

describe("topicMatches (MQTT 3.1.1 §4.7)", () => {
  it.each([
    ["a/b/c", "a/b/c", true],
    ["a/b/c", "a/b", false],
    ["a/b", "a/b/c", false],
    ["a/+/c", "a/b/c", true],
    ["a/+/c", "a/b/d", false],
    ["a/+", "a/", true], // + matches an empty level
    ["a/+", "a", false],
    ["+/+", "/x", true],
    ["a/#", "a", true], // # also matches the parent level (§4.7.1.2)
    ["a/#", "a/b/c", true],
    ["a/#", "ab", false],
    ["#", "a/b", true],
    ["#", "$SYS/broker/uptime", false], // §4.7.2
    ["+/broker/uptime", "$SYS/broker/uptime", false],
    ["$SYS/#", "$SYS/broker/uptime", true],
    ["a/#/b", "a/x/b", false], // # only as the last level
    ["A/b", "a/b", false], // case-sensitive
    ["f2m/dhcp/static_leases/+/set", "f2m/dhcp/static_leases/aa:bb:cc:dd:ee:ff/set", true],
  ])("%s vs %s → %s", (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  const level = fc.stringMatching(/^[a-z0-9_]{0,5}$/);
  it("a topic matches itself, with any levels replaced by +, and any prefix followed by #", () => {
    fc.assert(
      fc.property(
        fc.array(level, { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean()),
        fc.nat(),
        (levels, plus, cut) => {
          const topic = levels.join("/");
          expect(topicMatches(topic, topic)).toBe(true);
          expect(topicMatches(levels.map((l, i) => (plus[i] ? "+" : l)).join("/"), topic)).toBe(true);
          const prefix = levels.slice(0, cut % (levels.length + 1));
          expect(topicMatches([...prefix, "#"].join("/"), topic)).toBe(true);
        },
      ),
    );
  });

  it("a filter with more levels than the topic never matches, unless it ends in #", () => {
    fc.assert(
      fc.property(fc.array(level, { minLength: 1, maxLength: 5 }), level, (levels, extra) => {
        expect(topicMatches([...levels, extra].join("/"), levels.join("/"))).toBe(false);
        expect(topicMatches([...levels, "+"].join("/"), levels.join("/"))).toBe(false);
      }),
    );
  });
});

describe("isSafeTopicSegment", () => {
  it.each(["aa:bb:cc:dd:ee:ff", "ovh", "temp_cpum", "Salon-TV", "é", "a".repeat(128), "💡"])(
    "accepts %j",
    (s) => {
      expect(isSafeTopicSegment(s)).toBe(true);
    },
  );
  it.each([
    ["empty", ""],
    ["plus", "a+b"],
    ["hash", "#"],
    ["slash", "a/b"],
    ["NUL", "a\u0000b"],
    ["newline", "a\nb"],
    ["DEL", "a\u007f"],
    ["C1 control", "a\u0085"],
    ["lone surrogate", "a\ud800"],
    ["129 bytes", "a".repeat(129)],
    ["multi-byte over 128 bytes", "é".repeat(65)],
  ])("refuses %s", (_name, s) => {
    expect(isSafeTopicSegment(s)).toBe(false);
  });
});

describe("stripBase and responseTopic", () => {
  it("strips the base topic and its slash", () => {
    expect(stripBase("freebox2mqtt", "freebox2mqtt/system/reboot")).toBe("system/reboot");
    expect(stripBase("home/fbx", "home/fbx/dhcp/config/set")).toBe("dhcp/config/set");
    expect(stripBase("freebox2mqtt", "freebox2mqtt")).toBeNull();
    expect(stripBase("freebox2mqtt", "freebox2mqtt/")).toBeNull();
    expect(stripBase("freebox2mqtt", "freebox2mqttx/a")).toBeNull();
    expect(stripBase("freebox2mqtt", "other/a")).toBeNull();
  });

  it("answers a command under <base>/bridge/response/ (README: Commands)", () => {
    expect(responseTopic("freebox2mqtt", "freebox2mqtt/connection/config/set/ping")).toBe(
      "freebox2mqtt/bridge/response/connection/config/set/ping",
    );
    expect(responseTopic("home/fbx", "home/fbx/dhcp/static_leases/aa:bb:cc:dd:ee:ff/remove")).toBe(
      "home/fbx/bridge/response/dhcp/static_leases/aa:bb:cc:dd:ee:ff/remove",
    );
    expect(responseTopic("freebox2mqtt", "elsewhere/x")).toBe("freebox2mqtt/bridge/response/elsewhere/x");
  });
});
