#!/usr/bin/env node
// Executable entry (package.json "bin"): everything testable lives in cli/main.ts.
import { EXIT } from "./exit-codes.js";
import { tuneRuntime } from "./runtime.js";

// Before the rest is even loaded: module loading is the first burst of allocations.
tuneRuntime();
const { main } = await import("./cli/main.js");

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
