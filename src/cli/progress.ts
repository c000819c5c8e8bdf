// The pairing's "press ► (N s left)" while the owner walks to the box. The box is asked about once
// a second; printing each answer fills a terminal with 120 lines and a log file with as many. On a
// terminal one line is redrawn in place; elsewhere (Docker logs, a pipe) a line every ten seconds.
import type { CliIo } from "./main.js";

/** Lines to a non-terminal are at least this far apart. */
export const PROGRESS_EVERY_MS = 10_000;

export interface Progress {
  update(line: string): void;
  /** Ends the redrawn line, so that what follows starts on a line of its own. */
  done(): void;
}

export function progressLine(io: CliIo, now: () => number = Date.now): Progress {
  const write = io.write;
  if (io.tty && write) {
    let drawn = false;
    return {
      // CR, then "erase the whole line" (ECMA-48 EL, CSI 2 K): a shorter text leaves nothing behind.
      update: (line) => {
        write(`\r\x1b[2K${line}`);
        drawn = true;
      },
      done: () => {
        if (drawn) write("\n");
        drawn = false;
      },
    };
  }
  let last: number | undefined;
  return {
    update: (line) => {
      if (last !== undefined && now() - last < PROGRESS_EVERY_MS) return;
      last = now();
      io.out(line);
    },
    done: () => undefined,
  };
}
