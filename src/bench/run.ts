// `npm run bench`: every figure of issue 7, one table with its target and a pass/miss mark. It
// asserts nothing (not a test); progress goes to stderr, the table to stdout. About two minutes.
import { availableParallelism } from "node:os";
import { median, percentile } from "./common.js";
import { IDLE_MS, measureFootprint } from "./footprint.js";
import type { PollResult } from "./poll.js";
import { measurePresence } from "./presence.js";
import { scriptPath, spawnChild } from "./proc.js";
import { measureRoundTrip, type RoundTrip } from "./roundtrip.js";
import { measureStart } from "./start.js";
import { mb, ms, type Row, ratio, renderTable } from "./table.js";

const CHILD_CLI = "child: node dist/cli.js run";
const IN_PROCESS = "in-process: startApp (own process), box in another";
const CHILD_APP = "child: startApp alone";
const step = (text: string) => process.stderr.write(`bench: ${text}…\n`);

step("start (1 calibration + 5 runs)");
const start = await measureStart(5);

step("command round trip and confirmation (3 runs × 100 commands, floor interleaved)");
const trips: RoundTrip = { bridge: [], floor: [], confirmation: [] };
for (let run = 0; run < 3; run++) {
  const r = await measureRoundTrip(100, 20);
  trips.bridge.push(...r.bridge);
  trips.floor.push(...r.floor);
  trips.confirmation.push(...r.confirmation);
}

// 150 warm-up cycles: with fewer, the first size was still measured while V8 optimized the code.
step("poll cycles with 10, 250 and 1,000 leases (150 warm-up + 100 measured cycles each, then the floors)");
const pollChild = spawnChild(scriptPath("poll-child.js"), [
  JSON.stringify({ sizes: [10, 250, 1000], cycles: 100, warmup: 150 }),
]);
await pollChild.ready;
const polls = await pollChild.ask<PollResult>("run", {}, 120_000);
await pollChild.stop();

// The reference of "heap flat" after 300 cycles: until then V8 is still compiling optimized code
// (code space 1.2 MB after the first cycle, 1.4 after 100, 1.7 after 300, 1.8 after 1,000 and
// 3,000 cycles), which is not the bridge holding data.
step("footprint (1,000 leases, 1,000 cycles)");
const footprint = await measureFootprint(1000, 1000, 300);

const rows: Row[] = [];
const p50 = { bridge: median(trips.bridge), floor: median(trips.floor) };
const p99 = { bridge: percentile(trips.bridge, 99), floor: percentile(trips.floor, 99) };
rows.push(
  {
    figure: "command round trip p50",
    measured: `${ms(p50.bridge)} (floor ${ms(p50.floor)}: ${ratio(p50.bridge, p50.floor)})`,
    target: "≤ 1.5× floor",
    pass: p50.bridge <= 1.5 * p50.floor,
    how: CHILD_CLI,
  },
  {
    figure: "command round trip p99",
    measured: `${ms(p99.bridge)} (floor ${ms(p99.floor)}: ${ratio(p99.bridge, p99.floor)})`,
    target: "≤ 2× floor",
    pass: p99.bridge <= 2 * p99.floor,
    how: CHILD_CLI,
  },
  {
    figure: "confirmation p50 (p99)",
    measured: `${ms(median(trips.confirmation))} (${ms(percentile(trips.confirmation, 99))})`,
    target: "< 20 ms",
    pass: median(trips.confirmation) < 20,
    how: CHILD_CLI,
  },
);
const idle = Math.max(...polls.sizes.map((s) => s.idleMessages));
rows.push({
  figure: "idle traffic",
  measured: `${idle} messages/cycle (${polls.cycles} cycles)`,
  target: "0",
  pass: idle === 0,
  how: IN_PROCESS,
});
for (const size of polls.sizes) {
  rows.push({
    figure: `poll cost, ${size.leases.toLocaleString("en")} leases`,
    measured: `${ms(size.cpuMs)} CPU (floor ${ms(size.floorCpuMs)}; wall ${ms(size.wallMs)})`,
    target: size.leases === 250 ? "< 5 ms" : "",
    ...(size.leases === 250 ? { pass: size.cpuMs < 5 } : {}),
    how: IN_PROCESS,
  });
}
const peakRss = Math.max(footprint.start.rss, footprint.warm.rss, footprint.end.rss);
const heapGrowth = footprint.end.heapUsed / footprint.warm.heapUsed - 1;
rows.push(
  {
    figure: "footprint RSS",
    measured: `${mb(footprint.start.rss)} → ${mb(footprint.warm.rss)} → ${mb(footprint.end.rss)}; ${mb(footprint.idle.rss)} after ${IDLE_MS / 1000} s idle (floor ${mb(footprint.loaded.rss)})`,
    target: "< 80 MB",
    pass: peakRss < 80 * 1048576,
    how: CHILD_APP,
  },
  {
    figure: "footprint, private part of RSS",
    measured:
      footprint.end.private === null || footprint.loaded.private === null
        ? "n/a (Linux only)"
        : `${mb(footprint.end.private)} at the end (floor ${mb(footprint.loaded.private)}); the rest is the node binary`,
    target: "",
    how: CHILD_APP,
  },
  {
    figure: "footprint heap",
    measured: `${mb(footprint.start.heapUsed)} → ${mb(footprint.warm.heapUsed)} → ${mb(footprint.end.heapUsed)} (${heapGrowth >= 0 ? "+" : ""}${(heapGrowth * 100).toFixed(1)} %)`,
    target: "flat (≤ +5 %)",
    pass: heapGrowth <= 0.05,
    how: CHILD_APP,
  },
  {
    figure: "start",
    measured: `${ms(median(start.runs))} (${start.topics} topics; runs ${start.runs.map((r) => r.toFixed(0)).join(", ")})`,
    target: "< 1.5 s",
    pass: median(start.runs) < 1500,
    how: CHILD_CLI,
  },
);
const endpoints = new Set(polls.sizes.flatMap((s) => Object.keys(s.byEndpoint)));
const oncePerCycle = polls.sizes.every((s) => Object.values(s.byEndpoint).every((n) => n === 1));
const logins = polls.sizes.reduce((sum, s) => sum + s.logins, 0);
const requests = Math.max(...polls.sizes.map((s) => s.requests));
rows.push(
  {
    figure: "requests per cycle",
    measured: `${requests} (${endpoints.size} endpoints, each ${oncePerCycle ? "once" : "NOT once"}; ${logins} logins)`,
    target: "one per resource",
    pass: oncePerCycle && logins === 0,
    how: IN_PROCESS,
  },
  {
    figure: "connections opened",
    measured: `${polls.connections} (start + ${polls.cycles} cycles)`,
    target: "1",
    pass: polls.connections === 1,
    how: IN_PROCESS,
  },
);

step("presence (issue 15): 200 events, then 250 hosts with one event per second for a minute, then idle");
rows.push(...(await measurePresence({ events: 200, hosts: 250, loadSeconds: 60, idleSeconds: 10 })));

process.stdout.write(
  `freebox2mqtt bench: Node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} CPUs; ` +
    `simulator and broker (aedes) on 127.0.0.1; footprint run took ${footprint.seconds.toFixed(0)} s\n\n` +
    `${renderTable(rows)}\n`,
);
