// GET system/ in both shapes (freebox-os-essentials §7) becomes sensors[]/fans[].
import { describe, expect, it } from "vitest";
import { FreeboxError } from "../../src/freebox/errors.js";
import { normalizeSystem } from "../../src/freebox/system.js";

describe("normalizeSystem", () => {
  it("keeps the v6+ arrays, a sensor without value, and unknown keys", () => {
    const s = normalizeSystem({
      firmware_version: "4.8.13",
      mac: "F4:CA:E5:00:00:01",
      serial: "123",
      uptime_val: 42,
      sensors: [
        { id: "cpu_ap", name: "Température CPU AP", value: 58 },
        { id: "t1", name: "Température 1" },
        { name: "no id" },
      ],
      fans: [{ id: "fan0_speed", name: "Ventilateur 1", value: 1200 }],
      expansions: [{ slot: 1 }],
      model_info: { name: "fbxgw7-r1/full", pretty_name: "Freebox v7 (r1)", has_dect: true },
    });
    expect(s.sensors).toEqual([
      { id: "cpu_ap", name: "Température CPU AP", value: 58 },
      { id: "t1", name: "Température 1" },
    ]);
    expect(s.fans).toEqual([{ id: "fan0_speed", name: "Ventilateur 1", value: 1200 }]);
    expect(s.expansions).toEqual([{ slot: 1 }]);
    expect(s.model_info?.has_dect).toBe(true);
    expect(s.uptime_val).toBe(42);
  });

  it("turns the v5 flat fields into entries and keeps the raw keys", () => {
    const s = normalizeSystem({
      firmware_version: "3.5.2",
      mac: "00:07:CB:00:00:01",
      serial: "456",
      temp_cpum: 61,
      temp_cpub: 55,
      temp_sw: 48,
      temp_cpu0: 50,
      fan_rpm: 1800,
      box_flavor: "full",
      uptime: "1 jour",
    });
    expect(s.sensors).toEqual([
      { id: "temp_cpum", name: "CPU M", value: 61 },
      { id: "temp_cpub", name: "CPU B", value: 55 },
      { id: "temp_sw", name: "Switch", value: 48 },
      { id: "temp_cpu0", name: "CPU 0", value: 50 },
    ]);
    expect(s.fans).toEqual([{ id: "fan_rpm", name: "Fan", value: 1800 }]);
    expect(s.temp_cpum).toBe(61);
    expect(s.box_flavor).toBe("full");
  });

  it("tolerates missing identity fields and refuses a non-object", () => {
    const s = normalizeSystem({});
    expect(s).toMatchObject({ firmware_version: "", mac: "", serial: "", sensors: [], fans: [] });
    expect(() => normalizeSystem(null)).toThrow(FreeboxError);
    expect(() => normalizeSystem([])).toThrow(FreeboxError);
  });
});
