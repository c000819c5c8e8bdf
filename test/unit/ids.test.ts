// macKey walks the characters instead of using regexes (it runs for every host and lease at every
// poll): it must give exactly what the rule it replaced gives, for every input.
import { describe, expect, it } from "vitest";
import { macKey } from "../../src/bridge/entities/ids.js";
import { createRng } from "../../src/sim/rng.js";

/** The rule as it was written first: lowercase, drop `:` `-` `.`, then 12 hex digits. */
const reference = (mac: unknown): string | undefined => {
  if (typeof mac !== "string") return undefined;
  const hex = mac.toLowerCase().replace(/[:\-.]/g, "");
  return /^[0-9a-f]{12}$/.test(hex) ? hex : undefined;
};

// Hex of both cases, the separators, ASCII that is neither, and characters whose lowercase is
// another text (Kelvin sign, dotted capital I, final sigma, fullwidth A, long s).
const ALPHABET = [
  ..."0123456789abcdefABCDEF:-.gGzZ _/@\u007f",
  "\u212a",
  "\u0130",
  "\u03a3",
  "\uff21",
  "\u017f",
  "é",
];

describe("macKey", () => {
  it("gives the rule's answer for the box's forms and for random text around them", () => {
    const rng = createRng(7);
    const inputs: unknown[] = [
      undefined,
      null,
      12,
      {},
      "",
      "342792600b9e",
      "342792600B9E",
      "34:27:92:60:0B:9E",
      "34-27-92-60-0b-9e",
      "3427.9260.0b9e",
      "34:27:92:60:0B",
      "34:27:92:60:0B:9E:00",
      "::34:27:92:60:0b:9e..",
      "android-0123456789abcdef",
      "iPhone de Marie",
      "34:27:92:60:0B:9\u212a",
    ];
    for (let n = 0; n < 20_000; n++) {
      const length = rng.int(0, 24);
      let text = "";
      for (let i = 0; i < length; i++) text += rng.pick(ALPHABET);
      inputs.push(text);
      // Near misses of a MAC: 12 hex digits with separators anywhere and now and then one odd character.
      let mac = "";
      for (let i = 0; i < 12; i++) {
        mac += rng.pick([..."0123456789abcdefABCDEF"]);
        if (rng.bool(0.4)) mac += rng.pick([":", "-", ".", "::"]);
        if (rng.bool(0.02)) mac += rng.pick(ALPHABET);
      }
      inputs.push(mac, mac.slice(1), `${mac}0`);
    }
    let macs = 0;
    for (const input of inputs) {
      expect(macKey(input), JSON.stringify(input)).toBe(reference(input));
      if (reference(input) !== undefined) macs++;
    }
    // The inputs hold both answers plenty of times.
    expect(macs).toBeGreaterThan(10_000);
    expect(inputs.length - macs).toBeGreaterThan(10_000);
  });
});
