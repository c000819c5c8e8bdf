#!/usr/bin/env node
// Renders every state-side template of a discovery dump against the retained state it reads, with
// Jinja2 (Home Assistant's engine) through ../shared/tools/ha-template-render.py, and fails on any
// template error. The dump is the JSON lines the tests write (DISCOVERY_DUMP_DIR, see .ci/run).
//
// Usage: node .ci/render-templates.mjs <renderer.py> <dump.jsonl> [...]
// Prints one line per failure, then "N passed, M failed"; exits 1 when a template failed or when a
// template's topic holds no retained state (a template nobody can check is not a checked template).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const [renderer, ...dumps] = process.argv.slice(2);
if (!renderer || dumps.length === 0) {
  console.error("usage: render-templates.mjs <renderer.py> <dump.jsonl> [...]");
  process.exit(2);
}

// Which topic each state-side template reads (Home Assistant MQTT platforms).
const TEMPLATE_TOPICS = [
  ["value_template", "state_topic"],
  ["json_attributes_template", "json_attributes_topic"],
  ["state_value_template", "state_topic"],
  ["brightness_value_template", "brightness_state_topic"],
  ["effect_value_template", "effect_state_topic"],
];

const jobs = [];
const missing = [];
for (const dump of dumps) {
  const messages = readFileSync(dump, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
  const states = new Map(messages.map((m) => [m.topic, m.payload]));
  for (const m of messages) {
    if (!m.topic.endsWith("/config") || m.payload === "") continue;
    const config = JSON.parse(m.payload);
    const expand = (t) => (typeof t === "string" && config["~"] ? t.replace(/^~|~$/, config["~"]) : t);
    for (const [templateKey, topicKey] of TEMPLATE_TOPICS) {
      const template = config[templateKey];
      if (typeof template !== "string") continue;
      const topic = expand(config[topicKey] ?? config.state_topic);
      const payload = states.get(topic);
      const id = `${dump} ${m.topic} ${templateKey}`;
      if (payload === undefined) missing.push(`${id}: no retained state on ${topic}`);
      else jobs.push({ id, template, payload });
    }
  }
}

const run = spawnSync("python3", [renderer], { input: JSON.stringify(jobs), encoding: "utf8" });
if (run.status !== 0) {
  console.error(`the renderer failed: ${run.stderr}`);
  process.exit(2);
}
const results = JSON.parse(run.stdout);
const failed = results.filter((r) => !r.ok);
for (const r of failed) console.log(`ERROR ${r.id}: ${r.error}`);
for (const line of missing) console.log(`ERROR ${line}`);
console.log(`${results.length - failed.length} passed, ${failed.length + missing.length} failed`);
process.exit(failed.length + missing.length > 0 ? 1 : 0);
