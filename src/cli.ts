#!/usr/bin/env node
// Executable entry (package.json "bin"): everything testable lives in cli/main.ts.
// V8 runs with its defaults: no flag paid for itself on both CPU and memory (docs/performance.md).
import { main } from "./cli/main.js";
import { EXIT } from "./exit-codes.js";

main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  tty: process.stdin.isTTY === true && process.stdout.isTTY === true,
  write: (text) => process.stdout.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`freebox2mqtt: ${(error as Error).message}\n`);
    process.exitCode = EXIT.failure;
  },
);
