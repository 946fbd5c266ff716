import { loadConfig } from "../../functions/lib/config.ts";
import { ValidationError } from "../../functions/lib/errors.ts";
import type { PracticeRecord } from "../../functions/lib/policy/practice-record.ts";
import { practiceHistoryFor } from "../../functions/lib/practice-history.ts";
import { renderTable } from "../../functions/lib/table.ts";
import { parseArgs } from "../args.ts";
import type { CliCommand, CliIO } from "../command.ts";
import { defineManualCommand } from "../manual/define.ts";

/** `failover practice start`: on-call's on-demand run, through the manual failover function. */
const start = defineManualCommand({
  action: "practice-start",
  command: "practice start",
  summary: "ask for a practice run now",
  description:
    "Asks the deciders to start a practice run (the config's practice shift of <target>, default the\nschedule's next target, for practice.durationMinutes) at their next round. Its pre-checks still\napply: refused at once when a lease, a run in progress, a drain or an unhealthy target says no;\nskipped by the decider, with the reason in `failover practice history`, when a blocking alarm\nis not OK. Who and why go to the audit trail; the run's `by` is the request id.",
  positional: "target",
  positionalOptional: true,
  changes: true,
  lease: false,
  examples: ['failover practice start primary --reason "quarterly game day"'],
});

/** `failover practice cancel`: ends the run in progress, through the manual failover function. */
const cancel = defineManualCommand({
  action: "practice-cancel",
  command: "practice cancel",
  summary: "end the practice run in progress",
  description:
    "Asks the deciders to end the practice run in progress at their next round: it is recorded\nINTERRUPTED and its target comes back through the normal ramp. Refused when no run is in\nprogress.",
  changes: true,
  lease: false,
  examples: ['failover practice cancel --reason "customer launch starting"'],
});

const usage = `Usage: failover practice start [<target>] --reason <text> [-y|--yes] [options]
       failover practice cancel --reason <text> [-y|--yes] [options]
       failover practice history [--config <file>] [--json]

Practice runs: a scheduled, bounded drain of one target in production,
judged by the config's practice alarms (README "Practice runs").

  start     ask for a run now (on-demand; pre-checks still apply):
            \`failover practice start --help\`
  cancel    end the run in progress (INTERRUPTED):
            \`failover practice cancel --help\`
  history   every run and skipped try, newest first, from the control
            regions' parameter stores: who or what started it, the
            target, start, outcome, and the measured seconds from the
            drain decision to DNS answers changing (restore likewise)

Options:
  --config <file>  config file (default: $FAILOVER_CONFIG_FILE, else failover.config.json)
  --json           print the records as JSON (a list, newest first)
  -h, --help       show this help

Reads AWS_ENDPOINT_URL (the emulator) like every command.
Exit codes: 0 listed, 1 a control region could not be read, 2 bad input.
`;

const command: CliCommand = {
  name: "practice",
  summary: "practice runs: start one now, cancel the one in progress, list their history",
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    if (args[0] === "start") return start.run(args.slice(1), io);
    if (args[0] === "cancel") return cancel.run(args.slice(1), io);
    const parsed = parseArgs(
      args,
      { config: { type: "string" }, json: { type: "boolean" } },
      { names: ["subcommand"], min: 0 },
    );
    if (parsed.help) {
      io.stdout(usage);
      return 0;
    }
    const [subcommand] = parsed.positionals;
    if (subcommand !== "history")
      throw new ValidationError(
        "arguments",
        [
          {
            path: "<subcommand>",
            message: `expected start, cancel or history, got ${subcommand === undefined ? "nothing" : `"${subcommand}"`}`,
          },
        ],
        { hint: "Run `failover practice --help`." },
      );
    const config = loadConfig(parsed.flags.config ?? io.env.FAILOVER_CONFIG_FILE ?? "failover.config.json");
    const endpoint = io.env.AWS_ENDPOINT_URL || undefined;
    const { records, problems } = await practiceHistoryFor(config, endpoint ? { endpoint } : {}).list();
    for (const problem of problems) io.stderr(`warning: ${problem}\n`);
    io.stdout(parsed.flags.json ? `${JSON.stringify(records, null, 2)}\n` : renderHistory(records));
    return problems.length > 0 ? 1 : 0;
  },
};
export default command;

/** Seconds from one moment to another, one decimal; `-` when either is unmeasured. */
function seconds(from: number | undefined, to: number | undefined): string {
  return from === undefined || to === undefined ? "-" : (Math.round((to - from) * 10) / 10).toFixed(1);
}

function utc(epoch: number): string {
  return `${new Date(epoch * 1000).toISOString().slice(0, 16).replace("T", " ")}Z`;
}

/** The history as a table, newest first. */
export function renderHistory(records: readonly PracticeRecord[]): string {
  if (records.length === 0) return "No practice runs recorded.\n";
  const rows = records.map((record) => [
    utc(record.startedAt),
    record.id,
    record.target,
    record.by,
    record.outcome,
    record.endedAt === undefined ? "-" : seconds(record.startedAt, record.endedAt),
    seconds(record.times.drainDecided, record.times.dnsChanged),
    seconds(record.times.restoreDecided, record.times.restoreDnsChanged),
    record.reason,
  ]);
  const header = ["started", "run", "target", "by", "outcome", "length s", "drain→DNS s", "restore→DNS s", "reason"];
  return renderTable([header, ...rows]);
}
