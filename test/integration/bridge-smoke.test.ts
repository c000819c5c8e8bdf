import { afterEach, describe, expect, it } from "vitest";
import { BASE, type Stack, startStack } from "./stack.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe("bridge smoke", () => {
  it("publishes states and discovery for a fibre box", async () => {
    stack = await startStack();
    await stack.waitFor(`${BASE}/bridge/state`, (p) => p === "online");
    await stack.waitFor(`${BASE}/box/availability`, (p) => p === "online");
    const connection = stack.lastJson(
      await stack.waitFor(`${BASE}/connection`).then(() => `${BASE}/connection`),
    );
    expect(connection.media).toBe("ftth");
    await stack.waitFor(`${BASE}/dhcp/static_leases`);
    await stack.waitFor(`${BASE}/system`);
    await stack.waitFor(`${BASE}/bridge/info`);
    const retained = await stack.retained("homeassistant/#");
    expect(retained.length).toBeGreaterThan(40);
    console.log(retained.map((m) => m.topic).slice(0, 5), stack.last(`${BASE}/bridge/info`));
  });
});
