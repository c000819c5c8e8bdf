// DATA_DIR must be writable before anything is asked of the box: a pairing whose token cannot be
// saved is lost (the owner pressed ► for nothing, and the box may count it against the app), and
// the running bridge rewrites its heartbeat file there (`freebox2mqtt health`).
import { randomBytes } from "node:crypto";
import { mkdir, open, unlink } from "node:fs/promises";
import { join } from "node:path";

/**
 * Creates DATA_DIR if needed (mode 0700) and proves a file can be created in it; resolves with
 * what is wrong, in one sentence, or undefined.
 */
export async function dataDirProblem(dir: string): Promise<string | undefined> {
  const probe = join(dir, `.write-test.${process.pid}.${randomBytes(4).toString("hex")}`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await open(probe, "wx", 0o600);
    await handle.close();
    await unlink(probe);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return `DATA_DIR "${dir}" cannot be written (${code}): the app token and the heartbeat file are kept there; make it writable by this user or set DATA_DIR to another directory`;
  }
}
