// Wi-Fi, calls, storage and display, the pure parts: which entities a box's answers give, the
// state payloads, the retry schedule of resources held back (fake clock), and the display
// commands' checks against the box's own answer.
import { describe, expect, it } from "vitest";
import { CommandRouter } from "../../src/bridge/commands.js";
import { storageRefs } from "../../src/bridge/entities/storage.js";
import { ResourceGate } from "../../src/bridge/gate.js";
import { buildState } from "../../src/bridge/state.js";
import { CALLS_LISTED } from "../../src/bridge/state-home.js";
import { body, FakeApi, type LogLine, makeContext, recordingLogger } from "./commands.fake.js";

describe("storage entities", () => {
  it("gives a temperature to disks that report one, free space to sized partitions, a sensor per array", () => {
    const refs = storageRefs({
      disks: [
        { id: 0, type: "sata", temp: 36, partitions: [{ id: 1, fstype: "raid", total_bytes: 0 }] },
        {
          id: 3,
          type: "usb",
          temp: 0,
          partitions: [{ id: 31, label: "Clé", fstype: "vfat", total_bytes: 8e9 }],
        },
        { id: 2000, type: "raid", temp: 0, partitions: [{ id: 2001, label: "Stockage", total_bytes: 2e12 }] },
        { id: "x", type: "sata", temp: 30 },
        { id: 0, type: "sata", temp: 36 },
      ],
      raids: [{ id: 0, name: "md0", degraded: false }],
    });
    // Not the USB disk nor the array's own entry (temp 0), not an id that is no number, not twice.
    expect(refs.disks).toEqual([{ id: 0 }]);
    expect(refs.partitions).toEqual([
      { id: 31, label: "Clé" },
      { id: 2001, label: "Stockage" },
    ]);
    expect(refs.raids).toEqual([{ id: 0, label: "md0" }]);
  });

  it("has none without disks or without RAID support", () => {
    expect(storageRefs({ disks: [], raids: null })).toEqual({ disks: [], partitions: [], raids: [] });
    expect(storageRefs(undefined)).toEqual({ disks: [], partitions: [], raids: [] });
  });
});

describe("calls state", () => {
  it("counts new missed calls and lists the newest ones, bounded", () => {
    const calls = Array.from({ length: 14 }, (_, i) => ({
      id: i,
      type: i % 2 === 0 ? "missed" : "accepted",
      datetime: 1_700_000_000 + i * 60,
      number: `06000000${i}`,
      name: `06000000${i}`,
      new: i > 9,
    }));
    const state = buildState("calls", calls) as {
      missed_new: number;
      missed: Array<{ id: number; time: string }>;
      latest: Array<{ id: number }>;
    };
    expect(state.missed_new).toBe(2); // ids 10 and 12
    expect(state.missed.map((c) => c.id)).toEqual([12, 10, 8, 6, 4, 2, 0]);
    expect(state.latest).toHaveLength(CALLS_LISTED);
    expect(state.latest[0]?.id).toBe(13);
    expect(state.missed[0]?.time).toBe(new Date((1_700_000_000 + 12 * 60) * 1000).toISOString());
  });

  it("is empty, not an error, when the box has no calls", () => {
    expect(buildState("calls", [])).toEqual({ missed_new: 0, missed: [], latest: [] });
  });
});

describe("resources held back", () => {
  it("reads a resource missing a right again after 10 min, an absent one after an hour, and at once after retryAll", () => {
    let now = 0;
    const lines: LogLine[] = [];
    const gate = new ResourceGate({ logger: recordingLogger(lines), now: () => now });
    expect(gate.hold("calls", { kind: "right", right: "calls" })).toBe(true);
    expect(gate.hold("lcd", { kind: "absent", code: "no_panel" })).toBe(true);
    expect(gate.hold("calls", { kind: "right", right: "calls" })).toBe(false);
    now = 9 * 60_000;
    expect([gate.due("calls"), gate.due("lcd"), gate.due("wifi")]).toEqual([false, false, true]);
    now = 10 * 60_000;
    expect([gate.due("calls"), gate.due("lcd")]).toEqual([true, false]);
    now = 60 * 60_000;
    expect(gate.due("lcd")).toBe(true);
    gate.hold("lcd", { kind: "absent", code: "no_panel" });
    expect(gate.due("lcd")).toBe(false);
    gate.retryAll();
    expect(gate.due("lcd")).toBe(true);
    expect(gate.missingRights("b")).toEqual([{ resource: "calls", topic: "b/calls", right: "calls" }]);
    gate.release("calls");
    expect(gate.missingRights("b")).toEqual([]);
    // Said once each, and once when back.
    expect(lines.filter((l) => l.message.includes("calls")).map((l) => l.level)).toEqual(["warn", "info"]);
    expect(lines.filter((l) => l.message.includes("lcd")).map((l) => l.level)).toEqual(["info"]);
  });
});

describe("display commands", () => {
  const setup = () => {
    const api = new FakeApi();
    const ctx = makeContext(api);
    const router = new CommandRouter("b", ctx);
    const send = (topic: string, payload: string) => router.handle(`b/${topic}`, Buffer.from(payload));
    return { api, send };
  };

  it("checks an animation against the box's own list, read from the box when not known yet", async () => {
    const { api, send } = setup();
    expect(body(await send("lcd/config/set/led_strip_animation", "breathing")).status).toBe("ok");
    expect(body(await send("lcd/config/set/led_strip_animation", "wave")).code).toBe("invalid_request");
    expect(api.calls.map((c) => c.method)).toEqual(["getLcdConfig", "updateLcdConfig", "getLcdConfig"]);
    expect(api.writes().map((c) => c.args)).toEqual([[{ led_strip_animation: "breathing" }]]);
  });

  it("refuses LED strip fields on a box without a strip, and keeps the display brightness", async () => {
    const { api, send } = setup();
    api.lcd = { brightness: 80 };
    const refused = body(await send("lcd/config/set", '{"brightness": 20, "led_strip_brightness": 20}'));
    expect(refused).toMatchObject({ status: "error", code: "invalid_request" });
    expect(body(await send("lcd/config/set/brightness", "20")).status).toBe("ok");
    expect(api.writes().map((c) => c.args)).toEqual([[{ brightness: 20 }]]);
  });
});
