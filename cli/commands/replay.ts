import { formatWeights } from "../../functions/lib/policy/weights.ts";
import {
  POLICIES,
  SCENARIO_EPOCH,
  formatRate,
  replay,
  type PolicyName,
  type ReplayResult,
  type ReplaySummary,
  type TimelineEntry,
} from "../../offline/replay/replay.ts";
import { configPathFor, loadScenario, type Scenario } from "../../offline/scenario.ts";
import { parseArgs } from "../args.ts";
import type { CliCommand, CliIO } from "../command.ts";
import { renderTable } from "../../functions/lib/table.ts";
import type { PracticeRecord } from "../../functions/lib/policy/practice-record.ts";

const usage = `Usage: failover replay <scenario.json> [--config <file>] [--policy default|route53-native|none] [--compare] [--json]

Runs a policy over the scenario on virtual time and scores it against the
scenario's expectations, with your config: a scenario's faults may name the
roles primary (your highest-weight target) and failover (the next) instead
of target ids.

Options:
  --config <file>  config file (default: $FAILOVER_CONFIG_FILE, else failover.config.json, else the example config)
  --policy <name>  policy to run and judge: ${POLICIES.join(", ")} (default: default)
  --compare        run every policy and show them side by side
  --json           print the result as JSON
  -h, --help       show this help

Exit codes: 0 every expectation holds, 1 one fails, 2 bad input.
`;

const command: CliCommand = {
  name: "replay",
  summary: "replay a scenario through the policy and the baselines, and score it",
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseArgs(
      args,
      {
        policy: { type: "string", choices: POLICIES },
        compare: { type: "boolean" },
        json: { type: "boolean" },
        config: { type: "string" },
      },
      { names: ["scenario"] },
    );
    if (parsed.help) {
      io.stdout(usage);
      return 0;
    }
    const scenario = loadScenario(parsed.positionals[0] ?? "", configPathFor(parsed.flags.config, io.env));
    const policy = (parsed.flags.policy ?? "default") as PolicyName;
    const judged = replay(scenario, policy);
    if (parsed.flags.compare) {
      const results = POLICIES.map((name) => (name === policy ? judged : replay(scenario, name)));
      io.stdout(
        parsed.flags.json
          ? `${JSON.stringify({ scenario: scenario.name, policies: results.map((r) => r.summary) }, null, 2)}\n`
          : compareText(scenario, results),
      );
    } else {
      io.stdout(parsed.flags.json ? `${JSON.stringify(judged.summary, null, 2)}\n` : runText(scenario, judged));
    }
    return judged.summary.ok ? 0 : 1;
  },
};
export default command;

/** `+1:44:05.5` (or `+1:25:20` on a whole second) from scenario seconds. */
function offset(seconds: number): string {
  const tenths = Math.round(seconds * 10);
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor((tenths % 36_000) / 600);
  const s = (tenths % 600) / 10;
  const whole = String(Math.floor(s)).padStart(2, "0");
  return `+${h}:${String(m).padStart(2, "0")}:${whole}${Number.isInteger(s) ? "" : `.${tenths % 10}`}`;
}

function header(scenario: Scenario): string {
  const targets = scenario.resolvedConfig.targets
    .map((t) => `${t.id} (${t.provider} ${t.region}, weight ${t.weight})`)
    .join(", ");
  return `Scenario ${scenario.name}: ${scenario.durationSeconds} s, seed ${scenario.seed}, ${scenario.faults.length} fault(s)\nTargets: ${targets}\n`;
}

function figures(summary: ReplaySummary, ids: string[]): Array<[string, string]> {
  const failedExpectations = summary.expectations.filter((e) => !e.ok).length;
  return [
    ["failovers", String(summary.failovers)],
    ["failbacks", String(summary.failbacks)],
    ["weight changes", String(summary.weightChanges)],
    ["outage episodes", String(summary.outageEpisodes)],
    ["detect seconds", summary.detectSeconds.length === 0 ? "-" : summary.detectSeconds.join(", ")],
    ["missed outages", String(summary.missedOutages)],
    ["false switches", String(summary.falseSwitches)],
    ["client error rate", formatRate(summary.clientErrorRate)],
    ["final weights", formatWeights(summary.finalWeights, ids)],
    [
      "expectations",
      summary.expectations.length === 0 ? "none" : failedExpectations === 0 ? "ok" : `${failedExpectations} failed`,
    ],
  ];
}

function runText(scenario: Scenario, result: ReplayResult): string {
  const ids = scenario.resolvedConfig.targets.map((t) => t.id);
  // A drain through health checks reaches DNS after the decision: both times are shown.
  const path = (e: TimelineEntry) =>
    e.path === "data-plane"
      ? `health checks (decided ${offset(e.decidedAt ?? e.at)})`
      : e.path === "api"
        ? "records"
        : "";
  const changes = result.timeline
    .slice(1)
    .map((e) => [offset(e.at), formatWeights(e.weights, ids), path(e), e.kind ?? "", e.reason ?? ""]);
  const timeline =
    changes.length === 0
      ? "  (the weights never changed)\n"
      : renderTable([["time in DNS", ids.join("/"), "path", "kind", "reason"], ...changes]);
  const expectations = result.summary.expectations
    .map((e) => `  ${e.ok ? "ok  " : "FAIL"}  ${e.name}: ${e.detail}`)
    .join("\n");
  const practice = result.summary.practiceRuns;
  return [
    header(scenario),
    `Policy ${result.summary.policy}, weight changes:\n${timeline}`,
    ...(practice.length === 0 ? [] : [`Practice runs (exercises, not incidents):\n${practiceTable(practice)}`]),
    renderTable(figures(result.summary, ids)),
    `Expectations:\n${expectations || "  (none)"}\n`,
    `Result: ${result.summary.ok ? "ok" : "FAILED"}\n`,
  ].join("\n");
}

/** Each practice run with its times in scenario seconds. */
function practiceTable(records: readonly PracticeRecord[]): string {
  const at = (epoch: number | undefined) => (epoch === undefined ? "-" : offset(epoch - SCENARIO_EPOCH));
  const rows = records.map((r) => [
    r.target,
    r.outcome,
    at(r.times.drainDecided ?? r.startedAt),
    at(r.times.dnsChanged),
    at(r.times.restoreDecided),
    at(r.times.restoreDnsChanged),
    r.reason,
  ]);
  return renderTable([
    ["target", "outcome", "drain decided", "drain in DNS", "restore decided", "restore in DNS", "reason"],
    ...rows,
  ]);
}

function compareText(scenario: Scenario, results: ReplayResult[]): string {
  const ids = scenario.resolvedConfig.targets.map((t) => t.id);
  const columns = results.map((r) => figures(r.summary, ids));
  const rows = (columns[0] ?? []).map(([name], i) => [name, ...columns.map((column) => column[i]?.[1] ?? "")]);
  return `${header(scenario)}\n${renderTable([["", ...results.map((r) => r.summary.policy)], ...rows])}`;
}
