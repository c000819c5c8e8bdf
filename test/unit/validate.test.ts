// Validation primitives (src/bridge/validate.ts), value by value.
import { describe, expect, it } from "vitest";
import {
  CommandError,
  checkInLan,
  checkIpv4,
  checkIpv6Prefix,
  checkMac,
  checkNextHop,
  checkPort,
  checkText,
  checkTopicMac,
  intToIpv4,
  ipv4ToInt,
  jsonDepth,
  lanOf,
  parseJson,
  quote,
  rawBoolean,
  rawInteger,
} from "../../src/bridge/validate.js";

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof CommandError) return e.message;
    throw e;
  }
  throw new Error("expected a refusal");
};

describe("IPv4", () => {
  it.each(["0.0.0.0", "192.168.1.254", "255.255.255.255", "10.0.0.1", "1.2.3.4"])("accepts %s", (ip) => {
    expect(checkIpv4("ip", ip)).toBe(ip);
  });
  it.each([
    "256.1.1.1",
    "192.168.1",
    "192.168.1.1.1",
    "01.2.3.4",
    "1.2.3.04",
    " 1.2.3.4",
    "1.2.3.4\n",
    "1.2.3.-4",
    "a.b.c.d",
    "",
    "١.٢.٣.٤",
    "1..2.3",
  ])("refuses %j", (ip) => {
    expect(refusal(() => checkIpv4("ip_range_start", ip))).toBe(
      `ip_range_start must be an IPv4 address such as "192.168.1.10", got ${JSON.stringify(ip)}`,
    );
  });
  it("refuses non-strings", () => {
    expect(refusal(() => checkIpv4("ip", 3232235777))).toMatch(/got 3232235777/);
  });
  it("converts to and from integers", () => {
    expect(ipv4ToInt("192.168.1.254")).toBe(0xc0a801fe);
    expect(intToIpv4(0xc0a801fe)).toBe("192.168.1.254");
    expect(ipv4ToInt("255.255.255.255")).toBe(2 ** 32 - 1);
  });
});

describe("LAN", () => {
  const lan = lanOf("192.168.1.254", "255.255.255.0");
  it("is built from gateway and netmask", () => {
    expect(lan).toMatchObject({ network: ipv4ToInt("192.168.1.0"), mask: ipv4ToInt("255.255.255.0") });
  });
  it.each([
    ["192.168.1.254", "255.255.0.255"],
    ["192.168.1.254", "0.255.255.255"],
    ["192.168.1.254", "255.255.255.255"],
    ["bad", "255.255.255.0"],
    [undefined, undefined],
  ])("refuses gateway %j netmask %j", (gateway, netmask) => {
    expect(lanOf(gateway, netmask)).toBeUndefined();
  });
  it("accepts hosts, refuses outside, network and broadcast addresses", () => {
    if (!lan) throw new Error("no LAN");
    for (const ip of ["192.168.1.1", "192.168.1.254", "192.168.1.100"]) checkInLan("ip", ip, lan);
    for (const ip of ["192.168.0.1", "192.168.1.0", "192.168.1.255", "10.0.0.1"]) {
      expect(refusal(() => checkInLan("ip", ip, lan))).toBe(
        `ip "${ip}" is outside the LAN 192.168.1.254/255.255.255.0 (usable: 192.168.1.1 to 192.168.1.254)`,
      );
    }
    const wide = lanOf("10.0.0.1", "255.0.0.0");
    if (!wide) throw new Error("no LAN");
    checkInLan("ip", "10.200.3.4", wide);
  });
});

describe("MAC", () => {
  it.each(["aa:bb:cc:dd:ee:ff", "AA:BB:CC:DD:EE:FF", "0a:Bc:1d:E2:3f:40"])(
    "accepts %s, upper-cased",
    (mac) => {
      expect(checkMac("mac", mac)).toBe(mac.toUpperCase());
    },
  );
  it.each([
    "aa-bb-cc-dd-ee-ff",
    "aabbccddeeff",
    "aa:bb:cc:dd:ee",
    "aa:bb:cc:dd:ee:ff:00",
    "gg:bb:cc:dd:ee:ff",
    "aa:bb:cc:dd:ee:f",
    " aa:bb:cc:dd:ee:ff",
    5,
  ])("refuses %j", (mac) => {
    expect(refusal(() => checkMac("mac", mac))).toMatch(/^mac must be a MAC address/);
  });
});

describe("MAC in a lease command topic", () => {
  it.each([
    ["00:de:AD:b0:0b:55", "00:DE:AD:B0:0B:55"],
    ["00deadb00b55", "00:DE:AD:B0:0B:55"],
    ["00DEADB00B55", "00:DE:AD:B0:0B:55"],
  ])("accepts %s as %s", (segment, mac) => {
    expect(checkTopicMac(segment)).toBe(mac);
  });
  it.each(["00deadb00b5", "00deadb00b55aa", "00-de-ad-b0-0b-55", "00deadb00bzz", ""])(
    "refuses %j",
    (segment) => {
      expect(refusal(() => checkTopicMac(segment))).toMatch(
        /^the MAC address in the topic must be a MAC address/,
      );
    },
  );
});

describe("IPv6 next hops and prefixes", () => {
  it.each(["", "fe80::1", "fe80::be30:5bff:feb5:fcc7", "FEBF::1", "fe80:0:0:0:0:0:0:1"])(
    "next hop %j is fine",
    (hop) => {
      expect(checkNextHop("next_hop", hop)).toBe(hop);
    },
  );
  it.each([
    "2a01::1",
    "fec0::1",
    "fe7f::1",
    "::1",
    "fe80::1%eth0",
    "fe80::g",
    "192.168.1.1",
    null,
    "fe80::/10",
  ])("next hop %j is refused", (hop) => {
    expect(refusal(() => checkNextHop("next_hop", hop))).toMatch(/must be a link-local IPv6 address/);
  });
  it.each(["2a01:e30:d252:a2a0::/64", "::/0", "2a01::/128"])("prefix %s is fine", (p) => {
    expect(checkIpv6Prefix("prefix", p)).toBe(p);
  });
  it.each(["2a01::", "2a01::/129", "2a01::/64/1", "2a01::/-1", "x::/64", "10.0.0.0/8", "2a01::/ 64", 64])(
    "prefix %j is refused",
    (p) => {
      expect(refusal(() => checkIpv6Prefix("prefix", p))).toMatch(/must be an IPv6 prefix/);
    },
  );
});

describe("ports, booleans, integers, text", () => {
  it("ports are integers 1–65535", () => {
    expect(checkPort("p", 1)).toBe(1);
    expect(checkPort("p", 65535)).toBe(65535);
    for (const bad of [0, 65536, -1, 1.5, "80", null, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(refusal(() => checkPort("p", bad))).toMatch(/^p must be an integer port from 1 to 65535/);
    }
  });
  it("raw booleans: ON/OFF/true/false in any case", () => {
    expect(["ON", "on", "On", "true", "TRUE", " true "].map(rawBoolean)).toEqual(Array(6).fill(true));
    expect(["OFF", "off", "false", "False"].map(rawBoolean)).toEqual(Array(4).fill(false));
    expect(rawBoolean("1")).toBe("1");
    expect(rawBoolean("yes")).toBe("yes");
  });
  it("raw integers: decimal digits only", () => {
    expect(rawInteger("8080")).toBe(8080);
    expect(rawInteger(" 42\n")).toBe(42);
    expect(rawInteger("-3")).toBe(-3);
    expect(rawInteger("1e3")).toBe("1e3");
    expect(rawInteger("0x50")).toBe("0x50");
    expect(rawInteger("80.0")).toBe(80);
    expect(rawInteger("80.5")).toBe("80.5");
    expect(rawInteger("80.")).toBe("80.");
  });
  it("text: length in characters, no control characters, secrets never quoted", () => {
    expect(checkText("t", "é".repeat(255), 255)).toHaveLength(255);
    expect(checkText("t", "😀".repeat(255), 255)).toHaveLength(510);
    expect(refusal(() => checkText("t", "x".repeat(256), 255))).toMatch(
      /^t is too long \(256 characters, at most 255\): "xxx/,
    );
    expect(refusal(() => checkText("t", "a\tb", 255))).toBe(
      't must not contain control characters, got "a\\tb"',
    );
    expect(refusal(() => checkText("password", "s".repeat(300), 255, true))).toBe(
      "password is too long (300 characters, at most 255)",
    );
    expect(refusal(() => checkText("password", "sec\u0000ret", 255, true))).toBe(
      "password must not contain control characters",
    );
    expect(refusal(() => checkText("password", ["secret"], 255, true))).toBe(
      "password must be a string, got an array",
    );
  });
});

describe("JSON", () => {
  it("measures depth without recursion, ignoring brackets in strings", () => {
    expect(jsonDepth("{}")).toBe(1);
    expect(jsonDepth('{"a":[{"b":"[[[["}]}')).toBe(3);
    expect(jsonDepth('"\\"[[["')).toBe(0);
    expect(jsonDepth("[".repeat(1_000_000))).toBe(1_000_000);
    expect(jsonDepth("[".repeat(1_000_000), 16)).toBe(17);
  });
  it("parses up to 16 levels, refuses deeper or malformed, never quoting the input", () => {
    expect(parseJson(`${"[".repeat(16)}${"]".repeat(16)}`)).toBeDefined();
    expect(refusal(() => parseJson(`${"[".repeat(17)}${"]".repeat(17)}`))).toBe(
      "payload nests JSON deeper than 16 levels",
    );
    expect(refusal(() => parseJson('{"password": secret}'))).toBe("payload is not valid JSON");
  });
  it("quotes values short and escaped", () => {
    expect(quote("a\u0000b")).toBe('"a\\u0000b"');
    expect(quote("x".repeat(100))).toBe(`"${"x".repeat(63)}…`);
    expect(quote(undefined)).toBe("undefined");
    expect(quote(10n)).toBe("10");
  });
});
