// A TCP relay between the bridge and the simulated box that keeps a copy of every byte, both ways:
// the secrets that only ever travel on the wire (session tokens in the box's answers, the
// challenge answer in the login body) can then be looked for in logs and MQTT messages.
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";

export interface WireTap {
  /** `http://127.0.0.1:<port>`: give it to the bridge as FREEBOX_URL. */
  readonly url: string;
  /** Everything sent both ways so far, as text (HTTP/1.1 on loopback, no TLS). */
  text(): string;
  /** Every value of a JSON string field seen on the wire, e.g. "session_token". */
  values(field: string): string[];
  close(): Promise<void>;
}

export async function startWireTap(targetPort: number): Promise<WireTap> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = netConnect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (d: Buffer) => {
      chunks.push(d);
      upstream.write(d);
    });
    upstream.on("data", (d: Buffer) => {
      chunks.push(d);
      client.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const text = () => Buffer.concat(chunks).toString("utf8");
  return {
    url: `http://127.0.0.1:${port}`,
    text,
    values(field) {
      const pattern = new RegExp(`"${field}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`, "g");
      return [...new Set([...text().matchAll(pattern)].map((m) => JSON.parse(`"${m[1] ?? ""}"`) as string))];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
