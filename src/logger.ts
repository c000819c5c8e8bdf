// Logging with winston: one root logger, a child per namespace (`freebox`, `mqtt`, `bridge`, …),
// and a redaction format that runs before any transport so that no secret reaches a log line,
// even inside an error message or a nested object.
import winston from "winston";

export type LogLevel = "error" | "warn" | "info" | "debug";

export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  /** Lazy: the message function only runs when debug is enabled. */
  debug(message: string | (() => string), meta?: Record<string, unknown>): void;
  child(namespace: string): Logger;
  isDebugEnabled(): boolean;
}

const REDACTED = "[redacted]";
// Keys whose values are secrets wherever they appear (API bodies, errors, configs).
const SECRET_KEYS =
  /^(app_token|session_token|password|challenge|x-fbx-app-auth|appToken|sessionToken|token)$/i;

/** Known secret values, registered as soon as they are known (config, pairing, login). */
const secrets = new Set<string>();

export function registerSecret(value: string | null | undefined): void {
  // Very short values would redact unrelated text; real secrets are long.
  if (value && value.length >= 6) secrets.add(value);
}

export function redactString(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactString(value.message),
      ...(redact({ ...value }, depth + 1) as object),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      SECRET_KEYS.test(key) && v !== null && v !== undefined && v !== "" ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

const redactFormat = winston.format((info) => {
  const splat = Symbol.for("splat");
  for (const key of Object.keys(info)) {
    info[key] = SECRET_KEYS.test(key) ? REDACTED : redact(info[key]);
  }
  delete (info as Record<symbol, unknown>)[splat];
  return info;
});

const textFormat = winston.format.printf((info) => {
  const { level, message, timestamp, ns, ...rest } = info as Record<string, unknown>;
  const meta = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : "";
  return `${String(timestamp)} ${String(level)} [${String(ns ?? "main")}] ${String(message)}${meta}`;
});

export interface LoggerOptions {
  level: LogLevel;
  format: "text" | "json";
  /** Extra transport (tests capture every line). */
  stream?: NodeJS.WritableStream;
  silent?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const transports: winston.transport[] = [
    options.stream
      ? new winston.transports.Stream({ stream: options.stream })
      : // Logs go to stderr so that CLI output on stdout stays clean.
        new winston.transports.Console({ stderrLevels: ["error", "warn", "info", "debug"] }),
  ];
  const root = winston.createLogger({
    level: options.level,
    silent: options.silent ?? false,
    format: winston.format.combine(
      redactFormat(),
      winston.format.timestamp(),
      options.format === "json" ? winston.format.json() : textFormat,
    ),
    transports,
  });
  return wrap(root, "main");
}

function wrap(base: winston.Logger, ns: string): Logger {
  const log = (level: LogLevel, message: string, meta?: Record<string, unknown>) => {
    base.log({ level, message, ns, ...(meta ?? {}) });
  };
  return {
    error: (m, meta) => log("error", m, meta),
    warn: (m, meta) => log("warn", m, meta),
    info: (m, meta) => log("info", m, meta),
    debug: (m, meta) => {
      if (!base.isDebugEnabled()) return;
      log("debug", typeof m === "function" ? m() : m, meta);
    },
    child: (child) => wrap(base, child),
    isDebugEnabled: () => base.isDebugEnabled(),
  };
}

/** A logger that drops everything (unit tests, library use). */
export const silentLogger: Logger = createLogger({ level: "error", format: "text", silent: true });
