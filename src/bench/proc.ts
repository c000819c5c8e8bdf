// Child processes of the bench: spawned with an IPC channel, asked things by request/answer
// messages, always stopped by their own pid (never by name) and bounded in time.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface Answer {
  id: number;
  result?: unknown;
  error?: string;
}

export interface Child {
  readonly process: ChildProcess;
  /** The first message of the child (what it started: URLs…). */
  readonly ready: Promise<unknown>;
  ask<T>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Path of a sibling module of dist/bench/, e.g. scriptPath("box-child.js"). */
export const scriptPath = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

export function spawnChild(
  script: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; execArgv?: string[]; readyTimeoutMs?: number } = {},
): Child {
  const child = fork(script, args, {
    env: options.env ?? process.env,
    execArgv: options.execArgv ?? [],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  let next = 1;
  const waiting = new Map<number, (answer: Answer) => void>();
  const ready = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script}: not ready in time`)),
      options.readyTimeoutMs ?? 15_000,
    );
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${String(code)}) before it was ready`));
    });
  });
  child.on("message", (message) => {
    const answer = message as Answer;
    if (typeof answer.id === "number") waiting.get(answer.id)?.(answer);
  });
  const ask = <T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`${script}: no answer to ${cmd}`));
      }, timeoutMs);
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (answer.error !== undefined) reject(new Error(answer.error));
        else resolve(answer.result as T);
      });
      child.send({ id, cmd, ...args });
    });
  return { process: child, ready, ask, stop: () => stopProcess(child) };
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export function stopProcess(child: ChildProcess, graceMs = 6_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Child side: answers the parent's requests with `handlers`, after sending `hello`. */
export function serveParent(
  hello: unknown,
  handlers: Record<string, (message: Record<string, unknown>) => unknown>,
): void {
  const send = (message: unknown) => process.send?.(message);
  process.on("message", (raw) => {
    const message = raw as Record<string, unknown>;
    const id = message.id;
    const handler = typeof message.cmd === "string" ? handlers[message.cmd] : undefined;
    if (typeof id !== "number") return;
    if (!handler) {
      send({ id, error: `unknown command ${String(message.cmd)}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message))
      .then(
        (result) => send({ id, result: result ?? null }),
        (error: unknown) => send({ id, error: (error as Error).message }),
      );
  });
  // The parent went away (crash, Ctrl-C): nothing of the bench may outlive it.
  process.on("disconnect", () => process.exit(0));
  send(hello);
}
