import { FailoverError } from "./errors.ts";

/**
 * A tiny structured logger: one JSON object per line on stdout
 * (`{"level":"info","msg":"probe round","time":"…",…fields}`), which
 * CloudWatch Logs Insights can query. No dependency.
 *
 * Secrets never reach the output: values registered with {@link Logger.addSecret}
 * are masked wherever they appear, fields named like secrets are replaced, and
 * errors are written as code/message/hint (no stack, no raw cause objects).
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Masks every later occurrence of `value` (e.g. the Slack webhook URL) in this logger's output. */
  addSecret(value: string): void;
}

export interface LoggerOptions {
  /** Where each line goes. @default process.stdout.write */
  write?: (line: string) => void;
  /** Lowest level written. @default process.env.LOG_LEVEL or "info" */
  level?: LogLevel;
  /** Fields added to every line (e.g. `{ fn: "probe", vantage }`). @default {} */
  base?: LogFields;
  /** Time of each line, for tests. @default Date.now */
  now?: () => number;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
// Field names whose values are never written, whatever they hold.
const secretKey = /secret|token|password|passwd|webhook|authorization|cookie|api[-_]?key|credential/i;
// Slack incoming-webhook URLs carry their secret in the path.
const webhookPattern = /https:\/\/hooks\.slack(-gov)?\.com\/[^\s"'<>]*/g;
const MASK = "[redacted]";

export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const envLevel = process.env.LOG_LEVEL as LogLevel | undefined;
  const minimum = order[options.level ?? (envLevel && envLevel in order ? envLevel : "info")];
  const now = options.now ?? Date.now;
  const secrets = new Set<string>();

  const emit = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (order[level] < minimum) return;
    const entry = { level, msg, time: new Date(now()).toISOString(), ...options.base, ...fields };
    let line = JSON.stringify(entry, (key, value: unknown) =>
      key !== "" && secretKey.test(key) ? MASK : toLoggable(value),
    );
    line = line.replace(webhookPattern, MASK);
    for (const secret of secrets) line = line.split(secret).join(MASK);
    write(`${line}\n`);
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    addSecret: (value) => {
      // Masking very short strings would shred ordinary words.
      if (value.length >= 8) secrets.add(value);
    },
  };
}

/** Errors become `{ code, message, hint }`: no stack traces, no cause objects that might hold request data. */
function toLoggable(value: unknown): unknown {
  if (value instanceof FailoverError) return { code: value.code, message: value.message, hint: value.hint };
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** The process-wide logger used by the handlers. */
export const log: Logger = createLogger();
