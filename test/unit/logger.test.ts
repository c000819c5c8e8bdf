import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, registerSecret } from "../../src/logger.js";

function capture(format: "text" | "json" = "text") {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "debug", format, stream }) };
}

const flush = () => new Promise((r) => setImmediate(r));

describe("logger", () => {
  it("prefixes lines with the namespace and level", async () => {
    const { lines, logger } = capture();
    logger.child("freebox").info("box answered", { model: "fbxgw7" });
    await flush();
    expect(lines[0]).toMatch(/ info \[freebox\] box answered \{"model":"fbxgw7"\}/);
  });

  it("writes JSON lines in json format", async () => {
    const { lines, logger } = capture("json");
    logger.child("mqtt").warn("broker down");
    await flush();
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ level: "warn", message: "broker down", ns: "mqtt" });
  });

  it("redacts registered secrets and secret keys anywhere, errors included", async () => {
    const { lines, logger } = capture();
    const token = "89vtuOaDxJ/TDeBDPgWSk9083SbQgEMnHdIGoHg2qK2tpWcLuiRofIjuxZSG8yJn";
    registerSecret(token);
    logger.error(`login failed with ${token}`, {
      error: new Error(`token ${token} refused`),
      body: {
        app_token: "another-secret-value",
        nested: { password: "hunter22", session_token: "abc123xyz" },
      },
      header: { "X-Fbx-App-Auth": "sessiontoken123" },
    });
    await flush();
    const text = lines.join("");
    for (const secret of [token, "another-secret-value", "hunter22", "abc123xyz", "sessiontoken123"]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain("[redacted]");
    expect(text).toContain("refused");
  });

  it("evaluates debug messages lazily", async () => {
    const logger = createLogger({ level: "info", format: "text", silent: true });
    let evaluated = false;
    logger.debug(() => {
      evaluated = true;
      return "expensive";
    });
    expect(evaluated).toBe(false);
  });
});
