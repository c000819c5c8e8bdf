// The app token file: mode 0600, atomic replacement, crash leftovers never read (essentials §3).
import { chmod, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FreeboxError } from "../../src/freebox/errors.js";
import { TOKEN_FILE_NAME, TokenStore } from "../../src/freebox/token-store.js";
import { silentLogger } from "../../src/logger.js";

let dir: string;
let store: TokenStore;
const OLD = { app_id: "fr.freebox2mqtt", app_token: "old-token-0123456789" };
const NEW = { app_id: "fr.freebox2mqtt", app_token: "new-token-9876543210" };
const temp = (suffix: string) => join(dir, `.${TOKEN_FILE_NAME}.${suffix}.tmp`);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "fbx-token-"));
  store = new TokenStore(join(dir, "data"), silentLogger);
  dir = join(dir, "data");
});
afterEach(async () => {
  await rm(join(dir, ".."), { recursive: true, force: true });
});

describe("TokenStore", () => {
  it("reads null when there is no file", async () => {
    expect(await store.read()).toBeNull();
  });

  it("writes JSON {app_id, app_token} with mode 0600 and leaves no temp file", async () => {
    await store.write(OLD);
    expect(JSON.parse(await readFile(store.path, "utf8"))).toEqual(OLD);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual([TOKEN_FILE_NAME]);
    expect(await store.read()).toEqual(OLD);
  });

  it("replaces an existing token", async () => {
    await store.write(OLD);
    await store.write(NEW);
    expect(await store.read()).toEqual(NEW);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
  });

  // Leftovers of each step of an interrupted write: the old token is read intact.
  it.each([
    ["temp created, nothing written", ""],
    ["temp partly written", '{"app_id":"fr.freebox2mqtt","app_to'],
    ["temp complete and synced, rename not done", JSON.stringify(NEW)],
  ])("survives a crash: %s", async (_step, content) => {
    await store.write(OLD);
    await writeFile(temp("999.deadbeef"), content, { mode: 0o600 });
    expect(await store.read()).toEqual(OLD);
    // The next write succeeds and removes a stale leftover.
    const old = new Date(Date.now() - 120_000);
    await utimes(temp("999.deadbeef"), old, old);
    await store.write(NEW);
    expect(await store.read()).toEqual(NEW);
    expect(await readdir(dir)).toEqual([TOKEN_FILE_NAME]);
  });

  it("a crash before the first rename leaves no token (the caller must pair)", async () => {
    await store.write(OLD);
    await rm(store.path);
    await writeFile(temp("1.aa"), JSON.stringify(NEW));
    expect(await store.read()).toBeNull();
  });

  it("a reader never sees a partial file during writes", async () => {
    await store.write(OLD);
    const big = { app_id: "fr.freebox2mqtt", app_token: `big-${"x".repeat(200_000)}` };
    const seen = new Set<string>();
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const token = await store.read();
        seen.add(token?.app_token.slice(0, 4) ?? "none");
      }
    })();
    for (let i = 0; i < 20; i++) await store.write(i % 2 ? OLD : big);
    writing = false;
    await reader;
    // Only whole tokens; a partial file would have thrown (invalid JSON) and failed the reader.
    expect(seen.size).toBeGreaterThan(0);
    for (const prefix of seen) expect(["old-", "big-"]).toContain(prefix);
  });

  it('refuses a corrupt file with token_file_invalid (never taken for "no token")', async () => {
    await store.write(OLD);
    await writeFile(store.path, "{not json");
    await expect(store.read()).rejects.toMatchObject({ code: "token_file_invalid" });
    await writeFile(store.path, JSON.stringify({ app_id: "x" }));
    const error = await store.read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FreeboxError);
  });

  it("tightens a world-readable token file to 0600", async () => {
    await store.write(OLD);
    await chmod(store.path, 0o644);
    expect(await store.read()).toEqual(OLD);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
  });
});
