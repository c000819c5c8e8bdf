// Pairing as a user meets it (issue 14, items 6 and 18): nothing is asked of the box before we
// know the token can be kept (DATA_DIR writable, no token file in the way unless --force); a token
// file that is there but unusable stops `run` with its reason instead of a new pairing; progress
// is one line redrawn in place on a terminal, a line per ten seconds elsewhere; the outcome once.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/exit-codes.js";
import type { Simulator } from "../../src/sim/index.js";
import { APP_ID, cli, sim } from "./cli-helpers.js";
import { freePort } from "./mqtt-helpers.js";

const TOKEN_FILE = "freebox-app-token.json";
const asked = (box: Simulator) => box.requests.filter((r) => r.path.startsWith("login/authorize")).length;
const dataDir = () => mkdtempSync(join(tmpdir(), "fbx-pairing-"));

describe("pair and run: the token file and DATA_DIR", () => {
  it("pair and check: a DATA_DIR that cannot be written is exit 2, before anything is asked of the box", async () => {
    const box = await sim({ pairing: { outcome: "granted", delayMs: 50 } });
    // A directory under a regular file: not writable, even for root.
    const file = join(dataDir(), "a-file");
    writeFileSync(file, "");
    const env = { FREEBOX_URL: box.url, DATA_DIR: join(file, "data") };
    const pair = await cli(["pair"], env);
    expect(pair.code).toBe(EXIT.config);
    expect(pair.err).toBe(
      `DATA_DIR "${join(file, "data")}" cannot be written (ENOTDIR): the app token and the heartbeat file are kept there; make it writable by this user or set DATA_DIR to another directory`,
    );
    expect(asked(box)).toBe(0);
    const check = await cli(["check"], { ...env, MQTT_EMBEDDED_PORT: String(await freePort()) });
    expect(check.code).toBe(EXIT.config);
    expect(check.err).toContain(`data dir       DATA_DIR "${join(file, "data")}" cannot be written`);
    const run = await cli(["run"], env);
    expect(run.code).toBe(EXIT.config);
    expect(run.err).toContain("cannot be written (ENOTDIR)");
    expect(asked(box)).toBe(0);
  });

  it("pair over an existing token asks for --force, and --force pairs again", async () => {
    const box = await sim({ pairing: { outcome: "granted", delayMs: 50 } });
    const dir = dataDir();
    const env = { FREEBOX_URL: box.url, DATA_DIR: dir };
    expect((await cli(["pair"], env)).code).toBe(EXIT.ok);
    const first = readFileSync(join(dir, TOKEN_FILE), "utf8");
    const askedBefore = asked(box);
    const again = await cli(["pair"], env);
    expect(again.code).toBe(EXIT.failure);
    expect(again.err).toContain(
      `already paired: ${join(dir, TOKEN_FILE)} holds an app token for "${APP_ID}"`,
    );
    expect(again.err).toContain("freebox2mqtt pair --force");
    expect(asked(box)).toBe(askedBefore);
    expect(readFileSync(join(dir, TOKEN_FILE), "utf8")).toBe(first);
    const forced = await cli(["pair", "--force"], env);
    expect(forced.code).toBe(EXIT.ok);
    expect(readFileSync(join(dir, TOKEN_FILE), "utf8")).not.toBe(first);
    // --force means nothing to the other commands.
    expect((await cli(["run", "--force"], env)).code).toBe(EXIT.config);
  });

  it.each([
    ["corrupted", "{ not json", /is not a freebox2mqtt token file/],
    [
      "foreign",
      JSON.stringify({ app_id: "fr.other", app_token: "x".repeat(64) }),
      /paired for app_id "fr\.other"/,
    ],
  ])(
    "a %s token file: run says so and exits 2, pair refuses it without --force; never overwritten",
    async (_, text, reason) => {
      const box = await sim({ pairing: { outcome: "granted", delayMs: 50 } });
      const dir = dataDir();
      writeFileSync(join(dir, TOKEN_FILE), text, { mode: 0o600 });
      const env = { FREEBOX_URL: box.url, DATA_DIR: dir, MQTT_EMBEDDED_PORT: String(await freePort()) };
      // With a terminal too: a token file that is there is never replaced by `run`'s own pairing.
      const run = await cli(["run"], env, { tty: true });
      expect(run.code).toBe(EXIT.config);
      expect(run.err).toMatch(reason);
      expect(run.err).toContain("pair --force");
      const pair = await cli(["pair"], env);
      expect(pair.code).toBe(EXIT.failure);
      if (text.startsWith("{ not")) expect(pair.err).toMatch(reason);
      expect(asked(box)).toBe(0);
      expect(readFileSync(join(dir, TOKEN_FILE), "utf8")).toBe(text);
    },
  );

  it("run without a token and without a terminal does not pair: exit 3 with what to do", async () => {
    const box = await sim({ pairing: { outcome: "granted", delayMs: 50 } });
    const run = await cli(["run"], { FREEBOX_URL: box.url, MQTT_EMBEDDED_PORT: String(await freePort()) });
    expect(run.code).toBe(EXIT.pairing);
    expect(run.err).toContain("docker compose run --rm freebox2mqtt pair");
    expect(asked(box)).toBe(0);
  });
});

describe("pair: progress and outcome", () => {
  const pressLines = (text: string) => text.split("\n").filter((l) => l.includes("press the right arrow"));

  it("without a terminal: one progress line per ten seconds, not one per poll", async () => {
    const box = await sim({ pairing: { outcome: "granted", delayMs: 2_600 } });
    const result = await cli(["pair"], { FREEBOX_URL: box.url });
    expect(result.code).toBe(EXIT.ok);
    // The box was asked about three times while pending.
    expect(box.requests.filter((r) => r.path.startsWith("login/authorize/")).length).toBeGreaterThanOrEqual(
      3,
    );
    expect(pressLines(result.out)).toHaveLength(1);
    expect(result.raw).toBe("");
  });

  it("on a terminal: one line redrawn in place, then the outcome on a line of its own", async () => {
    const box = await sim({ pairing: { outcome: "granted", delayMs: 1_600 } });
    const result = await cli(["pair"], { FREEBOX_URL: box.url }, { tty: true });
    expect(result.code).toBe(EXIT.ok);
    const redraws = result.raw.split("\r\x1b[2K").filter((t) => t !== "");
    expect(redraws.length).toBeGreaterThanOrEqual(2);
    for (const text of redraws.slice(0, -1)) expect(text).toMatch(/^press the right arrow .* s left\)$/);
    expect(result.raw.endsWith("\n")).toBe(true);
    expect(result.raw.split("\n")).toHaveLength(2);
    expect(pressLines(result.out)).toHaveLength(0);
    expect(result.out).toContain("Paired: the app token is saved");
  });

  it("a refusal is said once", async () => {
    const box = await sim({ pairing: { outcome: "denied", delayMs: 1_200 } });
    for (const tty of [false, true]) {
      const result = await cli(["pair"], { FREEBOX_URL: box.url }, { tty });
      expect(result.code).toBe(EXIT.pairing);
      const all = `${result.out}\n${result.err}\n${result.raw}`;
      expect(all.match(/refused/g)).toHaveLength(1);
      expect(result.err).toBe("Pairing failed: the request was refused on the box");
    }
  });
});
