// The command line as a user meets it: help, version, configuration errors, pair, check, health,
// run's port-taken error. In-process through main(argv, io), against the simulator on loopback.
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/exit-codes.js";
import { APP_ID, broker, cleanups, cli, sim } from "./cli-helpers.js";
import { freePort } from "./mqtt-helpers.js";

describe("freebox2mqtt CLI", () => {
  it("prints help and version", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(EXIT.ok);
    for (const word of ["run", "pair", "check", "health", "--config"]) expect(help.out).toContain(word);
    const version = await cli(["--version"]);
    expect(version.out).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("refuses unknown arguments and bad configuration with exit code 2 and one line per problem", async () => {
    expect((await cli(["frobnicate"])).code).toBe(EXIT.config);
    const bad = await cli(["check"], { FREEBOX_URL: "ftp://box", POLL_LEASES_INTERVAL: "-3" });
    expect(bad.code).toBe(EXIT.config);
    expect(bad.err).toContain("FREEBOX_URL");
    expect(bad.err).toContain("POLL_LEASES_INTERVAL");
  });

  it("pair: waits for the button, saves the token 0600, says to grant settings", async () => {
    const box = await sim({ pairing: { outcome: "granted", delayMs: 300 } });
    const dataDir = mkdtempSync(join(tmpdir(), "fbx-pair-"));
    const result = await cli(["pair"], { FREEBOX_URL: box.url, DATA_DIR: dataDir });
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toMatch(/right arrow/);
    expect(result.out).toContain("Modification des réglages");
    const file = join(dataDir, "freebox-app-token.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The next command uses the saved token.
    const check = await cli(["check"], {
      FREEBOX_URL: box.url,
      DATA_DIR: dataDir,
      MQTT_EMBEDDED_PORT: String(await freePort()),
    });
    expect(check.code).toBe(EXIT.ok);
  });

  it("pair: a refusal on the box ends with exit code 3 and a clear reason", async () => {
    const box = await sim({ pairing: { outcome: "denied", delayMs: 50 } });
    const result = await cli(["pair"], { FREEBOX_URL: box.url });
    expect(result.code).toBe(EXIT.pairing);
    expect(result.err).toMatch(/Pairing failed: .*(refused|denied)/i);
  });

  it("check: shows the box, the API version, the rights and the broker", async () => {
    const box = await sim({ media: "xdsl" });
    const token = box.pairApp(APP_ID, { settings: false });
    const mqtt = await broker();
    const result = await cli(["check"], {
      FREEBOX_URL: box.url,
      FREEBOX_APP_TOKEN: token,
      MQTT_URL: mqtt.url,
    });
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toContain("configuration  ok");
    expect(result.out).toMatch(/box +Freebox/);
    expect(result.out).toMatch(/api +v15 in use \(box reports 15\.0\)/);
    expect(result.out).toMatch(/warning +"settings" is not granted/);
    expect(result.out).toContain(`${mqtt.url.replace(/\/$/, "")}`);
    expect(result.out).toContain("accepted the connection");
    expect(result.out + result.err).not.toContain(token);
  });

  it("check: exits non-zero with the reason when the box, the token or the broker is wrong", async () => {
    const closedPort = await freePort();
    const unreachable = await cli(["check"], {
      FREEBOX_URL: `http://127.0.0.1:${closedPort}`,
      FREEBOX_TIMEOUT: "1",
    });
    expect(unreachable.code).toBe(EXIT.failure);
    expect(unreachable.err).toMatch(/box +/);

    const box = await sim();
    const notPaired = await cli(["check"], {
      FREEBOX_URL: box.url,
      MQTT_EMBEDDED_PORT: String(await freePort()),
    });
    expect(notPaired.code).toBe(EXIT.pairing);
    expect(notPaired.err).toContain("freebox2mqtt pair");

    const token = box.pairApp(APP_ID);
    const noBroker = await cli(["check"], {
      FREEBOX_URL: box.url,
      FREEBOX_APP_TOKEN: token,
      MQTT_URL: `mqtt://127.0.0.1:${closedPort}`,
    });
    expect(noBroker.code).toBe(EXIT.failure);
    expect(noBroker.err).toMatch(/broker +mqtt:\/\/127\.0\.0\.1/);

    const revoked = box.pairApp("fr.other", {});
    box.revokeApp("fr.other");
    const revokedCheck = await cli(["check"], {
      FREEBOX_URL: box.url,
      FREEBOX_APP_ID: "fr.other",
      FREEBOX_APP_TOKEN: revoked,
    });
    expect(revokedCheck.code).toBe(EXIT.tokenRevoked);
    expect(revokedCheck.err).toContain("pair");
  });

  it("check and run: a taken embedded broker port is one clear sentence, exit code 5", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const address = blocker.address();
    const port = String(typeof address === "object" && address ? address.port : 0);
    const box = await sim();
    const token = box.pairApp(APP_ID);
    const env = { FREEBOX_URL: box.url, FREEBOX_APP_TOKEN: token, MQTT_EMBEDDED_PORT: port };
    const check = await cli(["check"], env);
    expect(check.code).toBe(EXIT.brokerPort);
    expect(check.err).toContain(`port ${port} on 127.0.0.1 is already in use`);
    const run = await cli(["run"], env);
    expect(run.code).toBe(EXIT.brokerPort);
    expect(run.err).toContain(`MQTT port ${port} on 127.0.0.1 is already in use`);
    expect(run.err).not.toMatch(/\n\s+at /);
  });

  it("health: fresh heartbeat → 0; missing, stale or broker down → 1", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "fbx-health-"));
    expect((await cli(["health"], { DATA_DIR: dataDir })).code).toBe(EXIT.failure);
    const file = join(dataDir, "health.json");
    const beat = (ageMs: number, mqtt = true) =>
      writeFileSync(
        file,
        JSON.stringify({
          time: new Date(Date.now() - ageMs).toISOString(),
          heartbeat_ms: 30_000,
          mqtt_connected: mqtt,
        }),
      );
    beat(1_000);
    const ok = await cli(["health"], { DATA_DIR: dataDir });
    expect(ok.code).toBe(EXIT.ok);
    expect(ok.out).toContain("healthy");
    beat(5 * 60_000);
    expect((await cli(["health"], { DATA_DIR: dataDir })).code).toBe(EXIT.failure);
    beat(1_000, false);
    expect((await cli(["health"], { DATA_DIR: dataDir })).err).toContain("not connected");
    for (const text of ['{"garbage":true}', '{"time":"yesterday"}', "null", "not json"]) {
      writeFileSync(file, text);
      const bad = await cli(["health"], { DATA_DIR: dataDir });
      expect(bad.code).toBe(EXIT.failure);
      expect(bad.err).toContain(`unhealthy: ${file} is not a heartbeat file`);
    }
  });
});
