// The LAN hosts this installation has met, kept in DATA_DIR/lan-hosts.json across restarts:
// a device "never seen before" (the `new_device` event) is one missing here, and a host the box no
// longer lists keeps its tracker (not_home) until it has been unseen for PRESENCE_REMOVE_AFTER_DAYS,
// restarts included. Written when a host is met or leaves (changes within 10 s in one write), never
// at every poll.
//
// Atomic replacement (temp file, then rename) as for the token file, so a crash never leaves half
// a file; an unreadable file is set aside and started afresh, with a warning.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../logger.js";

export interface KnownHost {
  /** Unix time (s) the host was last seen before it left; null while it was home. */
  last_seen: number | null;
  /** The name its tracker's device had. */
  name: string;
}

/** Changes are written together, at most this often. */
const WRITE_DELAY_MS = 10_000;

/** Beyond this many hosts, the ones seen least recently are forgotten (a guest network's churn). */
const MAX_HOSTS = 10_000;

export class KnownHosts {
  readonly path: string;
  #hosts = new Map<string, KnownHost>();
  #existed = false;
  #revision = 0;
  #dirty = false;
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.path = join(dataDir, "lan-hosts.json");
  }

  /** Whether a file from an earlier run was there: without one, nothing met yet is "new". */
  get existed(): boolean {
    return this.#existed;
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        this.logger.warn(`cannot read ${this.path}: ${(error as Error).message}; LAN hosts start afresh`);
      }
      return;
    }
    try {
      const hosts = (JSON.parse(text) as { hosts?: unknown }).hosts;
      if (typeof hosts !== "object" || hosts === null) throw new Error("no hosts object");
      for (const [mac, value] of Object.entries(hosts)) {
        const v = value as Partial<KnownHost>;
        if (!/^[0-9a-f]{12}$/.test(mac) || typeof v?.name !== "string") continue;
        this.#hosts.set(mac, {
          name: v.name,
          last_seen: typeof v.last_seen === "number" ? v.last_seen : null,
        });
      }
      this.#existed = true;
      this.#revision++;
    } catch (error) {
      this.logger.warn(`${this.path} is not valid (${(error as Error).message}); LAN hosts start afresh`);
      await rename(this.path, `${this.path}.bad`).catch(() => undefined);
    }
  }

  /** Moves on at each change (a host set, or forgotten): presence skips its walk while it stays. */
  get revision(): number {
    return this.#revision;
  }

  get(mac: string): KnownHost | undefined {
    return this.#hosts.get(mac);
  }

  has(mac: string): boolean {
    return this.#hosts.has(mac);
  }

  entries(): IterableIterator<[string, KnownHost]> {
    return this.#hosts.entries();
  }

  /** Records a host; written soon when it changed. */
  set(mac: string, host: KnownHost): void {
    const last = this.#hosts.get(mac);
    if (last?.name === host.name && last.last_seen === host.last_seen) return;
    this.#hosts.set(mac, host);
    if (this.#hosts.size > MAX_HOSTS) this.#forgetOldest();
    this.#revision++;
    this.#save();
  }

  /** Writes what is pending now and waits for it (stop). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#dirty && this.#writing === undefined) this.#write();
    while (this.#writing !== undefined) await this.#writing;
  }

  #forgetOldest(): void {
    let oldest: [string, number] | undefined;
    for (const [mac, host] of this.#hosts) {
      const seen = host.last_seen ?? Number.POSITIVE_INFINITY;
      if (oldest === undefined || seen < oldest[1]) oldest = [mac, seen];
    }
    if (oldest) this.#hosts.delete(oldest[0]);
  }

  /**
   * Changes within WRITE_DELAY_MS go in one write (a busy guest Wi-Fi moves hosts every few
   * seconds; the file is for restarts, not for every event); flush() writes at once.
   */
  #save(): void {
    this.#dirty = true;
    if (this.#timer !== undefined || this.#writing !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#write();
    }, WRITE_DELAY_MS);
    this.#timer.unref();
  }

  /** One write at a time; changes made meanwhile go in one more write. */
  #write(): void {
    this.#writing = (async () => {
      while (this.#dirty) {
        this.#dirty = false;
        const temp = `${this.path}.tmp`;
        try {
          await mkdir(join(this.path, ".."), { recursive: true });
          await writeFile(temp, JSON.stringify({ hosts: Object.fromEntries(this.#hosts) }), "utf8");
          await rename(temp, this.path);
        } catch (error) {
          this.logger.warn(`cannot write ${this.path}: ${(error as Error).message}`);
        }
      }
      this.#writing = undefined;
    })();
  }
}
