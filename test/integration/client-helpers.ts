// Helpers for the Freebox client tests: a log capture, a temp DATA_DIR, a client factory, a
// minimal scripted "stub box" on loopback (for answers the simulator does not produce), and a
// check that no secret leaks into an error.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { expect } from "vitest";
import { FreeboxClient, type FreeboxClientOptions } from "../../src/freebox/client.js";
import { FreeboxError } from "../../src/freebox/errors.js";
import type { Logger } from "../../src/logger.js";
import { captureLogs as captureMqttHelperLogs, type LogCapture } from "./mqtt-helpers.js";

/** Log lines of the client (namespace `freebox`). */
export const captureLogs = (): LogCapture => captureMqttHelperLogs("freebox");

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "fbx-client-"));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export const APP_ID = "fr.freebox2mqtt.test";

/** A client with fast retries and polls; `overrides` wins. */
export function makeClient(
  url: string,
  dataDir: string,
  logger: Logger,
  overrides: Partial<FreeboxClientOptions> = {},
): FreeboxClient {
  return new FreeboxClient({
    url,
    appId: APP_ID,
    appVersion: "0.1.0",
    dataDir,
    logger,
    timeoutMs: 2000,
    pairingPollMs: 20,
    retry: { limit: 2, baseMs: 10 },
    loginBackoff: { baseMs: 50, maxMs: 400 },
    ...overrides,
  });
}

/** The rejection of `promise`, which must be a FreeboxError. */
export async function failure(promise: Promise<unknown>): Promise<FreeboxError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FreeboxError);
    return error as FreeboxError;
  }
  throw new Error("expected a FreeboxError, the call succeeded");
}

/** No secret in the message, the inspected error (cause included) or its JSON form. */
export function expectNoSecret(error: unknown, secrets: readonly string[]): void {
  const views = [String(error), inspect(error, { depth: 8 }), JSON.stringify(error)];
  for (const secret of secrets) for (const view of views) expect(view).not.toContain(secret);
}

export interface StubRequest {
  method: string;
  /** Path after /api/vN/ (or the full path). */
  path: string;
  /** The full request URL path. */
  url: string;
  body: unknown;
  auth: string | undefined;
}

export interface StubReply {
  status?: number;
  body: unknown;
}

export interface StubBox {
  url: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

export const STUB_SESSION = "stub-session-token-abcdef";

/**
 * A scripted box: discovery, challenge and session are answered; everything else goes to `handle`
 * (undefined → `{"success":true}`). Strings are sent as raw bodies.
 */
export async function startStub(
  handle: (req: StubRequest) => StubReply | undefined,
  apiVersion = "15.0",
): Promise<StubBox> {
  const requests: StubRequest[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const url = req.url ?? "/";
      const path = url.replace(/^\/api\/v\d+\//, "");
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const auth = req.headers["x-fbx-app-auth"];
      const request: StubRequest = {
        method: req.method ?? "GET",
        path,
        url,
        body,
        auth: typeof auth === "string" ? auth : undefined,
      };
      requests.push(request);
      let reply: StubReply | undefined;
      if (url === "/api_version") reply = { body: { api_version: apiVersion, api_base_url: "/api/" } };
      else if (path === "login/" && request.method === "GET") {
        reply = { body: { success: true, result: { logged_in: false, challenge: "stub-challenge-123456" } } };
      } else if (path === "login/session/") {
        reply = {
          body: { success: true, result: { session_token: STUB_SESSION, permissions: { settings: true } } },
        };
      } else reply = handle(request) ?? { body: { success: true } };
      res.writeHead(reply.status ?? 200, { "content-type": "application/json" });
      res.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}
