// A real mosquitto for the reliability suite: started from a generated config on a free loopback
// port, with its persistence database in a temp dir, so that it can be stopped (SIGTERM: it saves
// the database), killed (SIGKILL) and started again on the same port, like a broker restarted by
// its supervisor. The suite is skipped only when the binary is missing (.ci/run installs it).
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { delimiter, join } from "node:path";
import { freePort, sleep } from "../integration/mqtt-helpers.js";

/** The mosquitto binary: on PATH, or in the sbin directories a non-root PATH may lack. */
export function mosquittoBinary(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/sbin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    const candidate = join(dir, "mosquitto");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const MOSQUITTO = mosquittoBinary();
/** Why the suite is skipped, for the describe title (empty when mosquitto is there). */
export const NO_MOSQUITTO = MOSQUITTO
  ? ""
  : " [SKIPPED: the mosquitto binary is missing; install it with `apt-get install -y mosquitto`]";
if (!MOSQUITTO) console.warn(`reliability suite:${NO_MOSQUITTO}`);

/**
 * Kills `pid` when this process dies, however it dies: a test that times out never reaches its
 * close(), and vitest may end its worker without an 'exit' event. The watchdog waits on a pipe
 * from us; the pipe closes with us.
 */
function watchdog(pid: number): ChildProcess {
  const dog = spawn("sh", ["-c", `read _; kill -9 ${pid} 2>/dev/null`], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  dog.unref();
  const pipe = dog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  pipe?.unref?.();
  return dog;
}

export interface MosquittoOptions {
  /** Keep sessions, queued messages and retained messages across restarts (default true). */
  persistence?: boolean;
  /** `username:password` pairs; when set, anonymous clients are refused. */
  users?: Record<string, string>;
}

export interface Mosquitto {
  readonly url: string;
  readonly port: number;
  /** Everything mosquitto logged (stderr), for diagnosing a failure. */
  readonly log: string[];
  start(): Promise<void>;
  /** SIGTERM: mosquitto saves its database and closes every connection. */
  stop(): Promise<void>;
  /** SIGKILL: no save, connections reset. */
  kill(): Promise<void>;
  /** stop() (or kill()), optionally lose the database, start() again on the same port. */
  restart(options?: { kill?: boolean; wipe?: boolean; downMs?: number }): Promise<void>;
  /** Stops it and removes its directory; what an afterAll calls. */
  close(): Promise<void>;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const binary = MOSQUITTO;
  if (!binary) throw new Error("mosquitto is not installed");
  const dir = mkdtempSync(join(tmpdir(), "fbx-mosquitto-"));
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  const lines = [
    // Run as root (CI), mosquitto would switch to a user that cannot write our temp dir.
    `user ${userInfo().username}`,
    `listener ${port} 127.0.0.1`,
    `persistence ${options.persistence === false ? "false" : "true"}`,
    `persistence_location ${dir}/`,
    // Saved on SIGTERM; a periodic save adds nothing here, and saving after every change (as
    // autosave_on_changes would) makes each PUBACK wait for a write of the whole database.
    "autosave_interval 0",
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    "log_type notice",
  ];
  if (options.users) {
    // mosquitto 2 reads a plain-text password file only after `mosquitto_passwd -U`; the
    // bundled dynamic-security plugin is heavier, so the users are hashed by mosquitto_passwd.
    const passwd = join(dir, "passwd");
    writeFileSync(
      passwd,
      Object.entries(options.users)
        .map(([u, p]) => `${u}:${p}\n`)
        .join(""),
    );
    await run("mosquitto_passwd", ["-U", passwd]);
    lines.push("allow_anonymous false", `password_file ${passwd}`);
  } else {
    lines.push("allow_anonymous true");
  }
  writeFileSync(conf, `${lines.join("\n")}\n`);

  const log: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    if (child) return;
    const proc = spawn(binary, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
    child = proc;
    const dog = proc.pid === undefined ? undefined : watchdog(proc.pid);
    proc.stderr?.on("data", (d: Buffer) => log.push(...d.toString("utf8").split("\n").filter(Boolean)));
    exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    void exited.then(() => {
      dog?.kill("SIGKILL");
      if (child === proc) child = undefined;
    });
    // Ready once the port accepts a connection; the previous process may still hold it briefly.
    for (let i = 0; i < 200; i++) {
      if (child !== proc) throw new Error(`mosquitto exited at start:\n${log.slice(-10).join("\n")}`);
      if (await accepts(port)) return;
      await sleep(25);
    }
    throw new Error(`mosquitto did not listen on ${port}:\n${log.slice(-10).join("\n")}`);
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc) return;
    proc.kill(signal);
    await exited;
    child = undefined;
  };

  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    log,
    start,
    stop: () => halt("SIGTERM"),
    kill: () => halt("SIGKILL"),
    async restart(o = {}) {
      await halt(o.kill ? "SIGKILL" : "SIGTERM");
      if (o.wipe) rmSync(join(dir, "mosquitto.db"), { force: true });
      if (o.downMs) await sleep(o.downMs);
      await start();
    },
    async close() {
      await halt("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { stdio: "ignore" });
    proc.once("error", reject);
    proc.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${String(code)}`)),
    );
  });
}
