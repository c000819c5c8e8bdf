// `npm run bench`: the box as it is (issue 13) and its traffic (issue 18). Every figure for a box
// whose answers change at every poll (box-child.ts, live) and for an unchanged box beside it, each
// with its floor measured in the same run (floor.ts); one table with ratios to the floors and a
// pass/miss mark per target. It asserts nothing (not a test); progress goes to stderr, the table to
// stdout. A few minutes on 2 cores; `npm run bench -- --only cpu` runs the CPU-per-poll rows alone.
import { availableParallelism } from "node:os";
import { BASE, median, percentile } from "./common.js";
import { type Footprints, measureFootprints } from "./footprint.js";
import type { PollResult } from "./poll.js";
import { measurePresence } from "./presence.js";
import { scriptPath, spawnChild } from "./proc.js";
import { measureRoundTrip } from "./roundtrip.js";
import { measureNodeStart, measureStart } from "./start.js";
import { mb, ms, percent, type Row, ratio, renderTable, signedMb, times } from "./table.js";
import { measureTraffic } from "./traffic.js";

const SIZES = [10, 250, 1000];
const POLLS = { cycles: 100, warmup: 50 };
const FOOTPRINT = { leases: 1000, polls: 1000, warmup: 200 };
const BOXES = [
  { live: true, name: "changing" },
  { live: false, name: "unchanged" },
] as const;
// `--only cpu`: the CPU per poll rows (and the request and connection rows the same polls give).
const cpuOnly = process.argv.slice(2).join(" ") === "--only cpu";
const step = (text: string) => process.stderr.write(`bench: ${text}…\n`);
const started = performance.now();
const rows: Row[] = [];

for (const { live, name } of BOXES) {
  step(
    `${name} box: CPU per poll at ${SIZES.join(", ")} leases (${POLLS.warmup} + ${POLLS.cycles} polls each, alternating with the floors')`,
  );
  const pollChild = spawnChild(scriptPath("poll-child.js"), [
    JSON.stringify({ sizes: SIZES, ...POLLS, live }),
  ]);
  await pollChild.ready;
  const polls = await pollChild.ask<PollResult>("run", {}, 300_000);
  await pollChild.stop();
  // Targets on the changing box (issues 13 and 18); the unchanged box's rows are for comparison.
  for (const s of polls.sizes) {
    rows.push({
      figure: `client CPU per poll, ${s.leases.toLocaleString("en")} leases`,
      box: name,
      bridge: ms(s.clientMs),
      floor: `${ms(s.httpFloorMs)} (HTTP)`,
      vsFloor: times(s.clientRatio),
      target: live ? "≤ 1.3×" : "",
      ...(live ? { pass: s.clientRatio <= 1.3 } : {}),
    });
  }
  for (const s of polls.sizes) {
    rows.push({
      figure: `whole-bridge CPU per poll, ${s.leases.toLocaleString("en")} leases`,
      box: name,
      bridge: ms(s.cpuMs),
      floor: `${ms(s.floorBridgeMs)} (floor bridge)`,
      vsFloor: times(s.bridgeRatio),
      target: live ? "≤ 1.3×" : "",
      ...(live ? { pass: s.bridgeRatio <= 1.3 } : {}),
    });
  }
  const once = polls.sizes.every((s) => Object.values(s.byEndpoint).every((n) => n === 1));
  const logins = polls.sizes.reduce((sum, s) => sum + s.logins, 0);
  rows.push(
    {
      figure: "requests per poll",
      box: name,
      bridge: `${Math.max(...polls.sizes.map((s) => s.requests))} (each endpoint ${once ? "once" : "NOT once"}, ${logins} logins)`,
      floor: "",
      vsFloor: "",
      target: "one per resource",
      pass: once && logins === 0,
    },
    {
      figure: "HTTP connections opened",
      box: name,
      bridge: `${polls.connections} (start + ${SIZES.length * (POLLS.cycles + POLLS.warmup)} polls; the event stream: ${polls.eventStreams} more)`,
      floor: "",
      vsFloor: "",
      target: "1",
      pass: polls.connections === 1,
    },
  );
  if (cpuOnly) continue;

  step(`${name} box: footprint (${FOOTPRINT.leases} leases, ${FOOTPRINT.polls} polls, bridge then floor)`);
  const endpoints = Object.keys(polls.sizes.at(-1)?.byEndpoint ?? {});
  const f: Footprints = await measureFootprints(
    FOOTPRINT.leases,
    FOOTPRINT.polls,
    FOOTPRINT.warmup,
    live,
    endpoints,
  );
  const growth = (x: Footprints["bridge"]) => x.end.heapUsed / x.warm.heapUsed - 1;
  rows.push(
    {
      figure: `RSS after ${FOOTPRINT.polls.toLocaleString("en")} polls`,
      box: name,
      bridge: mb(f.bridge.end.rss),
      floor: `${mb(f.floor.end.rss)} (HTTP)`,
      vsFloor: signedMb(f.bridge.end.rss - f.floor.end.rss),
      target: "≤ floor + 25 MB",
      pass: f.bridge.end.rss <= f.floor.end.rss + 25 * 1048576,
    },
    {
      figure: `heap, poll ${FOOTPRINT.warmup} → ${FOOTPRINT.polls.toLocaleString("en")}`,
      box: name,
      bridge: `${mb(f.bridge.warm.heapUsed)} → ${mb(f.bridge.end.heapUsed)} (${percent(growth(f.bridge))})`,
      floor: `${mb(f.floor.warm.heapUsed)} → ${mb(f.floor.end.heapUsed)} (${percent(growth(f.floor))})`,
      vsFloor: "",
      target: "flat (≤ +5 %)",
      pass: growth(f.bridge) <= 0.05,
    },
  );

  step(`${name} box: start (1 calibration + 5 runs, and node's own start)`);
  const start = await measureStart(5, live);
  const nodeStart = await measureNodeStart(5);
  rows.push({
    figure: `start (${start.topics} topics)`,
    box: name,
    bridge: ms(median(start.runs)),
    floor: `${ms(median(nodeStart))} (node -e "")`,
    vsFloor: ratio(median(start.runs), median(nodeStart)),
    target: "< 1 s",
    pass: median(start.runs) < 1000,
  });

  step(`${name} box: command round trip (100 commands after 20, floor interleaved)`);
  const trips = await measureRoundTrip(100, 20, live);
  const p50 = { bridge: median(trips.bridge), floor: median(trips.floor) };
  const p99 = { bridge: percentile(trips.bridge, 99), floor: percentile(trips.floor, 99) };
  rows.push(
    {
      figure: "command round trip p50",
      box: name,
      bridge: ms(p50.bridge),
      floor: `${ms(p50.floor)} (forwarder)`,
      vsFloor: ratio(p50.bridge, p50.floor),
      target: "",
    },
    {
      figure: "command round trip p99",
      box: name,
      bridge: ms(p99.bridge),
      floor: `${ms(p99.floor)} (forwarder)`,
      vsFloor: ratio(p99.bridge, p99.floor),
      target: "≤ 2×",
      pass: p99.bridge <= 2 * p99.floor,
    },
    {
      figure: "state confirmed after the PUT, p50",
      box: name,
      bridge: ms(median(trips.confirmation)),
      floor: "",
      vsFloor: "",
      target: "",
    },
  );
}

if (!cpuOnly) await measureTrafficAndPresence();

/** The topics that moved most in the hour, with their messages: what the traffic is made of. */
function busiest(byTopic: Record<string, { messages: number }>): string {
  const top = Object.entries(byTopic)
    .sort((a, b) => b[1].messages - a[1].messages)
    .slice(0, 3);
  return top.map(([topic, t]) => `${topic.replace(`${BASE}/`, "")} ${t.messages}`).join(", ");
}

async function measureTrafficAndPresence(): Promise<void> {
  step(`changing box: traffic of one simulated hour at ${SIZES.join(", ")} leases`);
  const traffic = await measureTraffic(SIZES);
  for (const t of traffic) {
    rows.push({
      figure: `published per hour, ${t.leases.toLocaleString("en")} leases`,
      box: "changing",
      bridge: `${mb(t.bytes)}, ${t.messages.toLocaleString("en")} messages (${busiest(t.byTopic)})`,
      floor: "",
      vsFloor: "",
      target: "< 1 MB/h",
      pass: t.bytes < 1048576,
    });
  }
  const bytes = traffic.map((t) => t.bytes);
  const spread = Math.max(...bytes) / Math.min(...bytes) - 1;
  rows.push({
    figure: "published per hour, largest vs smallest size",
    box: "changing",
    bridge: percent(spread),
    floor: "",
    vsFloor: "",
    target: "≤ +20 %",
    pass: spread <= 0.2,
  });

  step("presence (issue 15): 200 events, then 250 hosts with one event per second for a minute, then idle");
  rows.push(...(await measurePresence({ events: 200, hosts: 250, loadSeconds: 60, idleSeconds: 10 })));
}

process.stdout.write(
  `freebox2mqtt bench: Node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} CPUs; ` +
    `simulator and broker (aedes) on 127.0.0.1; took ${((performance.now() - started) / 1000).toFixed(0)} s\n\n` +
    `${renderTable(rows)}\n`,
);
