// The app token file in DATA_DIR. The token is a long-lived secret equivalent to a password, and
// losing it forces the user to walk to the box again (freebox-os-essentials §3), so:
// - mode 0600 from creation (the temp file is created with it, never widened);
// - atomic replacement: write a temp file in the same directory, fsync it, rename it over the
//   token file, fsync the directory. A crash at any step leaves either the old file or the new
//   one, whole; a reader never sees a partial file (rename(2) is atomic within a file system);
// - JSON `{app_id, app_token}` only: nothing depends on the hostname (a known complaint against
//   another integration whose container hostname changed).
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { type Logger, registerSecret } from "../logger.js";
import { FreeboxError } from "./errors.js";
import { PAIR_AGAIN_HINT } from "./messages.js";

export const TOKEN_FILE_NAME = "freebox-app-token.json";
/** The token file exists but cannot be used (unreadable, corrupted, another app's): the user decides. */
export const TOKEN_FILE_INVALID = "token_file_invalid";
const TEMP_PREFIX = `.${TOKEN_FILE_NAME}.`;
const TEMP_SUFFIX = ".tmp";

export interface StoredToken {
  app_id: string;
  app_token: string;
}

export class TokenStore {
  readonly path: string;
  readonly #dir: string;
  readonly #logger: Logger;

  constructor(dataDir: string, logger: Logger) {
    this.#dir = dataDir;
    this.path = join(dataDir, TOKEN_FILE_NAME);
    this.#logger = logger;
  }

  /** The stored token, or null when there is none. Temp files (an interrupted write) are ignored. */
  async read(): Promise<StoredToken | null> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      // Never taken for "no token": pairing would then replace a token the user still has.
      throw new FreeboxError(
        TOKEN_FILE_INVALID,
        `cannot read the token file ${this.path} (${(error as NodeJS.ErrnoException).code ?? "error"}): fix its permissions (it must be readable by the user running freebox2mqtt)`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const record = parsed as Partial<Record<keyof StoredToken, unknown>> | undefined;
    if (
      typeof record !== "object" ||
      record === null ||
      typeof record.app_id !== "string" ||
      typeof record.app_token !== "string" ||
      record.app_token === ""
    ) {
      throw new FreeboxError(
        TOKEN_FILE_INVALID,
        `the token file ${this.path} is not a freebox2mqtt token file (expected JSON with app_id and app_token): restore it, or ${PAIR_AGAIN_HINT}, which replaces it`,
      );
    }
    registerSecret(record.app_token);
    await this.#tightenMode();
    return { app_id: record.app_id, app_token: record.app_token };
  }

  /** Atomically replaces the token file (see the header for the steps and why). */
  async write(token: StoredToken): Promise<void> {
    registerSecret(token.app_token);
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const temp = join(
      this.#dir,
      `${TEMP_PREFIX}${process.pid}.${randomBytes(4).toString("hex")}${TEMP_SUFFIX}`,
    );
    const data = `${JSON.stringify({ app_id: token.app_id, app_token: token.app_token }, null, 2)}\n`;
    // "wx": never follow or reuse an existing file; 0600 from the first byte.
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(data, "utf8");
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await handle.close();
    try {
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await this.#syncDir();
    await this.#removeStaleTemps();
    this.#logger.info(`app token saved to ${this.path}`);
  }

  // The rename is durable only once the directory entry is on disk.
  async #syncDir(): Promise<void> {
    try {
      const dir = await open(this.#dir, "r");
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      // Some file systems refuse fsync on a directory; the rename itself already happened.
      this.#logger.debug(() => `fsync of ${this.#dir} failed: ${(error as Error).message}`);
    }
  }

  /**
   * Leftovers of a write interrupted by a crash: harmless (never read), removed by a later write
   * once they are a minute old, so that a write running in parallel keeps its own temp file.
   */
  async #removeStaleTemps(): Promise<void> {
    const names = await readdir(this.#dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.startsWith(TEMP_PREFIX) || !name.endsWith(TEMP_SUFFIX)) continue;
      const file = join(this.#dir, name);
      const info = await stat(file).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > 60_000) await unlink(file).catch(() => undefined);
    }
  }

  // A file copied by hand may be group- or world-readable; a token must not be.
  async #tightenMode(): Promise<void> {
    try {
      const info = await stat(this.path);
      if ((info.mode & 0o077) !== 0) {
        await chmod(this.path, 0o600);
        this.#logger.warn(`the token file ${this.path} was readable by others; its mode is now 0600`);
      }
    } catch {
      // Best effort: reading the token already succeeded.
    }
  }
}
