import { describeError, FailoverError, ValidationError, type ValidationIssue } from "../functions/lib/errors.ts";
import { readFileSync } from "node:fs";
import { printable } from "../functions/lib/printable.ts";
import type { CliCommand, CliIO } from "./command.ts";
import cost from "./commands/cost.ts";
import drain from "./commands/drain.ts";
import init from "./commands/init.ts";
import pin from "./commands/pin.ts";
import plan from "./commands/plan.ts";
import practice from "./commands/practice.ts";
import promote from "./commands/promote.ts";
import releaseHold from "./commands/release-hold.ts";
import release from "./commands/release.ts";
import replay from "./commands/replay.ts";
import slackManifest from "./commands/slack-manifest.ts";
import slackTest from "./commands/slack-test.ts";
import status from "./commands/status.ts";
import verify from "./commands/verify.ts";
import { closest } from "./suggest.ts";

export type { CliCommand, CliIO } from "./command.ts";

/** Every `failover` command; add new ones here. */
export const commands: CliCommand[] = [
  replay,
  cost,
  status,
  plan,
  promote,
  drain,
  pin,
  release,
  releaseHold,
  practice,
  init,
  verify,
  slackManifest,
  slackTest,
];

/** Top-level usage: the command table. */
export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: failover <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun \`failover <command> --help\` for a command's options, \`failover --version\` for the version.\n`;
}

/** This package's version (package.json). */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return manifest.version ?? "unknown";
}

/**
 * Runs one CLI invocation and returns its exit code: 0 ok, 1 failed, 2 bad
 * input. Errors are printed for people (message and hint, never a stack).
 */
export async function main(argv: readonly string[], terminal: CliIO): Promise<number> {
  // Reasons, actors and arguments are echoed back: no escape sequence or carriage return of theirs reaches the terminal.
  const io: CliIO = {
    ...terminal,
    stdout: (text) => terminal.stdout(printable(text, { multiline: true })),
    stderr: (text) => terminal.stderr(printable(text, { multiline: true })),
  };
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout)(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.stdout(`failover ${version()}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    const guess = closest(
      name,
      commands.map((c) => c.name),
    );
    io.stderr(`failover: unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ""}\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    // With --json, scripts get the same `{ ok: false, error }` shape as the function's own answers.
    if (wantsJson(args)) io.stdout(`${JSON.stringify({ ok: false, error: errorBody(error) }, null, 2)}\n`);
    else io.stderr(`failover ${name}: ${describeError(error)}\n`);
    return error instanceof FailoverError && badInputCodes.has(error.code) ? 2 : 1;
  }
}

/** Error codes that mean bad input (exit 2): nothing was changed and retrying the same command cannot help. */
const badInputCodes = new Set(["INVALID_INPUT", "FILE_UNREADABLE", "CONFIRMATION_REQUIRED"]);

function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).includes("--json");
}

function errorBody(error: unknown): { code: string; message: string; hint?: string; issues?: ValidationIssue[] } {
  if (!(error instanceof FailoverError)) return { code: "INTERNAL", message: describeError(error) };
  return {
    code: error.code,
    message: error.message,
    ...(error.hint ? { hint: error.hint } : {}),
    ...(error instanceof ValidationError ? { issues: [...error.issues] } : {}),
  };
}

/** The process wiring used by cli/failover.mjs. */
export async function runProcess(): Promise<void> {
  const io: CliIO = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    stdin: process.stdin,
    isTTY: Boolean(process.stdout.isTTY),
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
