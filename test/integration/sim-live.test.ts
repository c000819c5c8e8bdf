// Live values (tick), determinism, HTTPS and the bounded request log.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SimulatorOptions } from "../../src/sim/index.js";
import { call, openSession } from "../../src/sim/testing.js";
import { useSimulators } from "./sim-helpers.js";

const sim = useSimulators();

async function box(options: SimulatorOptions = {}) {
  const s = await sim(options);
  const session = await openSession(s.url, "app", s.pairApp("app"));
  const get = (path: string, major = 15) => call(s.url, "GET", path, { session, major });
  return { s, get };
}

describe("live values", () => {
  it("tick: rates wander, byte counters grow by the rates, leases count down, uptime grows", async () => {
    const { s, get } = await box();
    const before = (await get("connection/")).body.result ?? {};
    const uptime = s.state.system.uptime_val;
    const remaining = s.state.dynamicLeases.map((l) => l.lease_remaining);
    for (let i = 0; i < 5; i++) s.tick();
    const after = (await get("connection/")).body.result ?? {};
    expect(after.rate_down).not.toBe(before.rate_down);
    expect(Number(after.rate_down)).toBeLessThanOrEqual(Number(after.bandwidth_down) / 8);
    expect(Number(after.bytes_down)).toBeGreaterThan(Number(before.bytes_down));
    expect(s.state.system.uptime_val).toBe(uptime + 5);
    expect(s.state.dynamicLeases.map((l) => l.lease_remaining)).toEqual(remaining.map((r) => r - 5));
    expect((await get("system/")).body.result?.uptime_val).toBe(uptime + 5);
  });

  it("a lease that runs out is renewed", async () => {
    const { s } = await box();
    const lease = s.state.dynamicLeases[0];
    if (!lease) throw new Error("no lease");
    lease.lease_remaining = 1;
    s.tick();
    expect(lease.lease_remaining).toBe(43200);
    expect(lease.refresh_time).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 1);
  });

  it("without live, values do not move between reads", async () => {
    const { get } = await box();
    const a = await get("connection/");
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await get("connection/")).body).toEqual(a.body);
  });

  it("a live xDSL box trains (going_up) and reaches up; addresses appear once up", async () => {
    const { s, get } = await box({ media: "xdsl", live: true });
    const first = (await get("connection/")).body.result ?? {};
    expect(first.state).toBe("going_up");
    expect(first).not.toHaveProperty("ipv4");
    const seen: string[] = [s.state.xdsl.status.status];
    for (let i = 0; i < 6 && s.state.connection.state !== "up"; i++) {
      s.tick();
      seen.push(s.state.xdsl.status.status);
    }
    // The 1 s live timer may already have moved one step; the walk is a suffix of the training.
    const training = ["training", "started", "chan_analysis", "msg_exchange", "showtime"];
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(training.slice(training.length - seen.length)).toEqual(seen);
    const up = (await get("connection/")).body.result ?? {};
    expect(up.state).toBe("up");
    expect(up).toHaveProperty("ipv4");
  });
});

describe("HTTPS", () => {
  it("serves the same API over TLS and advertises it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-tls-"));
    try {
      const key = join(dir, "key.pem");
      const cert = join(dir, "cert.pem");
      execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"]
          .concat(["-subj", "/CN=mafreebox.freebox.fr", "-addext", "subjectAltName=DNS:mafreebox.freebox.fr"])
          .concat(["-keyout", key, "-out", cert]),
        { stdio: "ignore" },
      );
      const s = await sim({ tls: { key: readFileSync(key), cert: readFileSync(cert) } });
      expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(new URL(s.url).port);
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          `${s.url}/api_version`,
          { ca: readFileSync(cert), servername: "mafreebox.freebox.fr" },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              text += chunk;
            });
            res.on("end", () => resolve(text));
          },
        );
        req.on("error", reject);
        req.end();
      });
      expect(JSON.parse(body)).toMatchObject({ https_available: true, https_port: port });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("bounded memory", () => {
  it("keeps the most recent 20,000 requests", async () => {
    const { s, get } = await box();
    const filler = { method: "GET", path: "filler", major: 15, body: undefined, authenticated: false, at: 0 };
    while (s.requests.length < 20_000) s.requests.push({ ...filler });
    await get("connection/");
    await get("dhcp/config/");
    expect(s.requests).toHaveLength(20_000);
    expect(s.requests.at(-1)?.path).toBe("dhcp/config/");
    expect(s.requests.at(-2)?.path).toBe("connection/");
    s.clearRequests();
    expect(s.requests).toHaveLength(0);
  });
});
