// The compiled CLI as a user or a supervisor runs it (dist/, built by test/global-setup.ts):
// `run` against the simulator with the embedded broker (what `npm start` does), SIGTERM/SIGINT
// ending with `offline` on bridge/state and exit code 0 within five seconds even when the broker
// or the box hangs, a revoked token's exit code, and the demo.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT } from "../../src/exit-codes.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/mqtt/broker.js";
import { type Simulator, startSimulator } from "../../src/sim/index.js";
import { captureLogs, freePort, type Observer, observe, TcpProxy, until } from "./mqtt-helpers.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const APP_ID = "fr.freebox2mqtt";
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
  killedAt: number;
}

function spawnNode(script: string, args: string[], env: Record<string, string>): Running {
  return spawnProcess(process.execPath, [join(ROOT, script), ...args], env);
}

/** util-linux's `script` (Debian: bsdutils, always installed); BSD's takes other arguments. */
const hasScript = (spawnSync("script", ["--version"], { encoding: "utf8" }).stdout ?? "").includes(
  "util-linux",
);

/** The compiled CLI on a terminal: util-linux's `script` gives it a pseudo-terminal. */
function spawnOnTerminal(args: string[], env: Record<string, string>): Running {
  const command = [process.execPath, join(ROOT, "dist/cli.js"), ...args].join(" ");
  return spawnProcess("script", ["-qfec", command, "/dev/null"], env);
}

function spawnProcess(file: string, args: string[], env: Record<string, string>): Running {
  const child = spawn(file, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const running: Running = {
    child,
    output: () => output,
    killedAt: 0,
    exit: new Promise((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal, afterMs: Date.now() - running.killedAt })),
    ),
  };
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return running;
}

async function simWithApp(): Promise<{ sim: Simulator; token: string }> {
  const sim = await startSimulator({ port: 0 });
  cleanups.push(() => sim.close());
  return { sim, token: sim.pairApp(APP_ID, { settings: true }) };
}

async function watch(url: string): Promise<Observer> {
  const o = await observe(url, ["freebox2mqtt/#"]);
  cleanups.push(() => o.close());
  return o;
}

const lastOn = (o: Observer, topic: string) => o.on(topic).at(-1)?.payload;

describe("the compiled bridge process", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "runs with the embedded broker and stops on %s: offline last, exit 0",
    async (signal) => {
      const { sim, token } = await simWithApp();
      const port = await freePort();
      const bridge = spawnNode("dist/cli.js", ["run"], {
        FREEBOX_URL: sim.url,
        FREEBOX_APP_TOKEN: token,
        DATA_DIR: mkdtempSync(join(tmpdir(), "fbx-proc-")),
        MQTT_EMBEDDED_PORT: String(port),
      });
      await until(() => bridge.output().includes("listening"), 10_000, "the embedded broker");
      const o = await watch(`mqtt://127.0.0.1:${port}`);
      await until(
        () => lastOn(o, "freebox2mqtt/system") !== undefined,
        10_000,
        "states on the embedded broker",
      );
      expect(lastOn(o, "freebox2mqtt/bridge/state")).toBe("online");
      bridge.killedAt = Date.now();
      bridge.child.kill(signal);
      const exit = await bridge.exit;
      expect(exit.code).toBe(EXIT.ok);
      expect(exit.afterMs).toBeLessThan(5_000);
      // The embedded broker went down with the bridge, after delivering the last state.
      expect(lastOn(o, "freebox2mqtt/bridge/state")).toBe("offline");
      // Logged out of the box session on the way out.
      expect(sim.requests.some((r) => r.path === "login/logout/")).toBe(true);
    },
  );

  it("stops within five seconds with exit 0 even when the broker and the box hang", async () => {
    const { sim, token } = await simWithApp();
    const broker: EmbeddedBroker = await startEmbeddedBroker({
      host: "127.0.0.1",
      port: 0,
      logger: captureLogs().logger,
    });
    cleanups.push(() => broker.close());
    const proxy = new TcpProxy(broker.port);
    await proxy.listen();
    cleanups.push(() => proxy.cut());
    const bridge = spawnNode("dist/cli.js", ["run"], {
      FREEBOX_URL: sim.url,
      FREEBOX_APP_TOKEN: token,
      DATA_DIR: mkdtempSync(join(tmpdir(), "fbx-proc-")),
      MQTT_URL: `mqtt://127.0.0.1:${proxy.port}`,
    });
    const o = await watch(broker.url);
    await until(() => lastOn(o, "freebox2mqtt/system") !== undefined, 10_000, "states");
    proxy.freeze();
    sim.faults.hang = true;
    bridge.killedAt = Date.now();
    bridge.child.kill("SIGTERM");
    const exit = await bridge.exit;
    expect(exit.code).toBe(EXIT.ok);
    expect(exit.afterMs).toBeLessThan(5_000);
    sim.faults.hang = false;
    // The broker saw the connection drop without a DISCONNECT: the last will says offline.
    await proxy.cut();
    await until(() => lastOn(o, "freebox2mqtt/bridge/state") === "offline", 5_000, "the last will");
  });

  it("says once (warn) that the box is unreachable at start, with its URL and the cause, and (info) when it answers", async () => {
    // A box that is down at start (or a FREEBOX_URL that points to nothing), which comes up later.
    const boxPort = await freePort();
    const url = `http://127.0.0.1:${boxPort}`;
    const token = "token-of-a-box-that-comes-up-later-0123456789";
    const bridge = spawnNode("dist/cli.js", ["run"], {
      FREEBOX_URL: url,
      FREEBOX_APP_TOKEN: token,
      FREEBOX_TIMEOUT: "1",
      POLL_STATUS_INTERVAL: "1",
      DATA_DIR: mkdtempSync(join(tmpdir(), "fbx-proc-")),
      MQTT_EMBEDDED_PORT: String(await freePort()),
    });
    const unavailable = () =>
      bridge.output().match(/ warn \[bridge\] the box at .* is unavailable: .*/g) ?? [];
    await until(() => unavailable().length > 0, 10_000, "the warning");
    expect(unavailable()[0]).toMatch(new RegExp(`the box at ${url} is unavailable: .*\\S`));
    const sim = await startSimulator({ port: boxPort });
    cleanups.push(() => sim.close());
    sim.pairApp(APP_ID, { token, settings: true });
    await until(
      () => /info \[bridge\] the box at .* answers again/.test(bridge.output()),
      15_000,
      "the recovery",
    );
    expect(bridge.output()).toContain(`the box at ${url} answers again`);
    // Once for the whole outage, although every poll group failed, several times.
    expect(unavailable()).toHaveLength(1);
    bridge.child.kill("SIGTERM");
    expect((await bridge.exit).code).toBe(EXIT.ok);
  });

  it("without a token and without a terminal (Docker, systemd), run does not pair: exit 3 at once", async () => {
    const { sim } = await simWithApp();
    const bridge = spawnNode("dist/cli.js", ["run"], {
      FREEBOX_URL: sim.url,
      DATA_DIR: mkdtempSync(join(tmpdir(), "fbx-proc-")),
      MQTT_EMBEDDED_PORT: String(await freePort()),
    });
    const exit = await bridge.exit;
    expect(exit.code).toBe(EXIT.pairing);
    expect(bridge.output()).toContain("docker compose run --rm freebox2mqtt pair");
    expect(sim.requests.filter((r) => r.path.startsWith("login/authorize"))).toEqual([]);
  });

  it.skipIf(!hasScript)(
    "on a terminal, run pairs first; pair redraws its countdown in place; a refusal is said once",
    async () => {
      const granted = await startSimulator({ port: 0, pairing: { outcome: "granted", delayMs: 1_500 } });
      cleanups.push(() => granted.close());
      const port = await freePort();
      const run = spawnOnTerminal(["run"], {
        FREEBOX_URL: granted.url,
        DATA_DIR: mkdtempSync(join(tmpdir(), "fbx-proc-")),
        MQTT_EMBEDDED_PORT: String(port),
      });
      await until(() => run.output().includes("app token saved"), 15_000, "the pairing of run");
      const o = await watch(`mqtt://127.0.0.1:${port}`);
      // Generous: the whole suite runs beside it on two cores. On a miss, the bridge's own words.
      await until(() => lastOn(o, "freebox2mqtt/box/availability") === "online", 20_000, "the bridge").catch(
        (error: Error) => {
          throw new Error(`${error.message}; the bridge said:\n${run.output().slice(-3000)}`);
        },
      );
      run.child.kill("SIGTERM");
      await run.exit;

      const denied = await startSimulator({ port: 0, pairing: { outcome: "denied", delayMs: 2_500 } });
      cleanups.push(() => denied.close());
      const env = { FREEBOX_URL: denied.url, DATA_DIR: mkdtempSync(join(tmpdir(), "fbx-proc-")) };
      const pair = spawnOnTerminal(["pair"], env);
      expect((await pair.exit).code).toBe(EXIT.pairing);
      expect(pair.output()).toContain("\r\x1b[2Kpress the right arrow");
      expect(pair.output().match(/press the right arrow/g)?.length).toBeGreaterThanOrEqual(2);
      // Redrawn, not one line each: the countdown and the outcome are two lines on the terminal.
      expect(
        pair
          .output()
          .trim()
          .split("\n")
          .filter((l) => l.includes("press the right arrow")),
      ).toHaveLength(1);
      expect(pair.output().match(/refused/g)).toHaveLength(1);
      const again = spawnOnTerminal(["run"], { ...env, MQTT_EMBEDDED_PORT: String(await freePort()) });
      expect((await again.exit).code).toBe(EXIT.pairing);
      expect(again.output().match(/refused/g)).toHaveLength(1);
    },
    60_000,
  );

  it("exits with code 4 and says to pair again when the box revokes the token", async () => {
    const { sim, token } = await simWithApp();
    sim.revokeApp(APP_ID);
    const bridge = spawnNode("dist/cli.js", ["run"], {
      FREEBOX_URL: sim.url,
      FREEBOX_APP_TOKEN: token,
      DATA_DIR: mkdtempSync(join(tmpdir(), "fbx-proc-")),
      MQTT_EMBEDDED_PORT: String(await freePort()),
    });
    const exit = await bridge.exit;
    expect(exit.code).toBe(EXIT.tokenRevoked);
    expect(bridge.output()).toMatch(/pair/);
    expect(bridge.output()).not.toContain(token);
  });

  it("with WAIT_ON_FATAL=true (the Docker image) a revoked token or a bad configuration waits for the stop instead of exiting", async () => {
    const { sim, token } = await simWithApp();
    sim.revokeApp(APP_ID);
    const env = {
      FREEBOX_URL: sim.url,
      FREEBOX_APP_TOKEN: token,
      DATA_DIR: mkdtempSync(join(tmpdir(), "fbx-proc-")),
      MQTT_EMBEDDED_PORT: String(await freePort()),
      WAIT_ON_FATAL: "true",
    };
    for (const [extra, code] of [
      [{}, EXIT.tokenRevoked],
      [{ HA_DISCOVERY: "maybe" }, EXIT.config],
    ] as const) {
      const bridge = spawnNode("dist/cli.js", ["run"], { ...env, ...extra });
      await until(() => bridge.output().includes("waits instead of exiting"), 10_000, "the wait");
      // Still there: a supervisor restarting whatever exits has nothing to restart.
      expect(bridge.child.exitCode).toBeNull();
      expect(bridge.output()).toContain(`exit code ${code}`);
      bridge.child.kill("SIGTERM");
      expect((await bridge.exit).code).toBe(code);
    }
    // One login was tried, for the first start only; the wait asks nothing of the box.
    expect(sim.requests.filter((r) => r.path.startsWith("login/session")).length).toBe(1);
  });

  it("npm run demo: simulator, embedded broker and bridge in one command; Ctrl-C stops it", async () => {
    const port = await freePort();
    const demo = spawnNode("dist/demo.js", ["--port", String(port)], {});
    await until(() => demo.output().includes("Ctrl-C stops everything"), 15_000, "the demo to be ready");
    expect(demo.output()).toContain(`mosquitto_sub -h 127.0.0.1 -p ${port} -t 'freebox2mqtt/#' -v`);
    const o = await watch(`mqtt://127.0.0.1:${port}`);
    await until(() => lastOn(o, "freebox2mqtt/dhcp/static_leases") !== undefined, 10_000, "states");
    await o.client.publishAsync("freebox2mqtt/connection/config/set/ping", "OFF", { qos: 1 });
    await until(
      () => lastOn(o, "freebox2mqtt/bridge/response/connection/config/set/ping") !== undefined,
      5_000,
      "a response",
    );
    expect(
      JSON.parse(lastOn(o, "freebox2mqtt/bridge/response/connection/config/set/ping") ?? "{}"),
    ).toMatchObject({ status: "ok" });
    demo.killedAt = Date.now();
    demo.child.kill("SIGINT");
    const exit = await demo.exit;
    expect(exit.code).toBe(EXIT.ok);
    expect(exit.afterMs).toBeLessThan(5_000);
  });

  it("npm run demo with a bad option: says which, exit code 2, starts nothing", async () => {
    for (const [args, problem] of [
      [["--media", "vdsl"], '--media must be ftth or xdsl, got "vdsl"'],
      [["--leases", "ten"], '--leases must be a whole number from 0 to 999, got "ten"'],
    ] as const) {
      const demo = spawnNode("dist/demo.js", [...args, "--port", String(await freePort())], {});
      const exit = await demo.exit;
      expect(exit.code).toBe(EXIT.config);
      expect(demo.output()).toContain(problem);
      expect(demo.output()).not.toContain("Freebox simulator");
    }
  });

  it("npm run demo on a taken port: one clear sentence, exit code 5", async () => {
    const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, logger: captureLogs().logger });
    cleanups.push(() => broker.close());
    const demo = spawnNode("dist/demo.js", ["--port", String(broker.port)], {});
    const exit = await demo.exit;
    expect(exit.code).toBe(EXIT.brokerPort);
    expect(demo.output()).toContain(`MQTT port ${broker.port} on 127.0.0.1 is already in use`);
    expect(demo.output()).not.toMatch(/\n\s+at /);
  });
});
