// HTTPS (freebox-os-essentials §6): the chain is verified against the trusted roots, a bare IP is
// verified against mafreebox.freebox.fr, and the check is never disabled.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { FreeboxClient } from "../../src/freebox/client.js";
import { type Simulator, startSimulator } from "../../src/sim/index.js";
import { APP_ID, captureLogs, failure, makeClient, tempDir } from "./client-helpers.js";

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url)), "utf8");
const CA = fixture("ca.pem");

let sim: Simulator;
let dir: { path: string; remove(): Promise<void> };
const clients: FreeboxClient[] = [];

async function start(leaf: "leaf" | "name-only" | "wrong-name") {
  sim = await startSimulator({ port: 0, tls: { key: fixture(`${leaf}.key`), cert: fixture(`${leaf}.pem`) } });
  dir = await tempDir();
  expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const token = sim.pairApp(APP_ID);
  return (extraCa?: string[]) => {
    const c = makeClient(sim.url, dir.path, captureLogs().logger, {
      appToken: token,
      ...(extraCa ? { extraCa } : {}),
    });
    clients.push(c);
    return c;
  };
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await sim.close();
  await dir.remove();
});

describe("HTTPS", () => {
  it("connects to https://127.0.0.1:PORT when the test CA is trusted (name checked as mafreebox.freebox.fr)", async () => {
    const client = (await start("leaf"))([CA]);
    expect((await client.getConnectionStatus()).state).toBe("up");
    await client.getDhcpConfig();
    expect(sim.connections).toBe(1);
  });

  it("verifies a bare IP against mafreebox.freebox.fr: a certificate for that name only is accepted", async () => {
    const client = (await start("name-only"))([CA]);
    expect((await client.getConnectionStatus()).state).toBe("up");
  });

  it("refuses a chain it cannot verify (system + Freebox roots only), without retrying", async () => {
    const client = (await start("leaf"))();
    const error = await failure(client.getConnectionStatus());
    expect(error.code).toBe("unreachable");
    expect(error.message).toMatch(/certificate/);
    expect(sim.requests).toHaveLength(0);
  });

  it("refuses a trusted certificate issued for another name", async () => {
    const client = (await start("wrong-name"))([CA]);
    const error = await failure(client.getConnectionStatus());
    expect(error.code).toBe("unreachable");
    expect(error.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|certificate/);
  });
});
