import { formatDetection, formatRate } from "../offline/replay/score.ts";
import { dnsText } from "./dns/dns-text.ts";
import type { LoadHeadroom } from "./load-guard.ts";
import type { DeciderRoundFigures } from "./round-meter.ts";
import type { DrillResult } from "./run-drill.ts";

/** What `npm run drill` prints at the end: the verdict and headline figures, each expectation, problems, where the time went, and the files written. */
export function summaryText(result: DrillResult): string {
  const { summary } = result;
  const verdict = result.interrupted
    ? "INTERRUPTED"
    : summary.drill.tooBusy
      ? summary.drill.tooBusy.stoppedEarly
        ? "STOPPED (machine too busy)"
        : "NO VERDICT (machine too busy)"
      : summary.ok
        ? "PASS"
        : "FAIL";
  const { wall, cpu } = summary.drill;
  const lines = [
    "",
    `${verdict} ${summary.scenario}: ${summary.failovers} failover(s), ${summary.failbacks} failback(s), detection ${formatDetection(summary)}, missed ${summary.missedOutages}, false switches ${summary.falseSwitches}, on-call changes ${summary.onCallChanges}, client errors ${formatRate(summary.clientErrorRate)}, ${summary.slackMessages.length} Slack message(s)`,
    ...summary.expectations.map((e) => `  ${e.ok ? "ok  " : "FAIL"} ${e.name}: ${e.detail}`),
    ...summary.drill.problems.slice(0, 5).map((p) => `  problem: ${p}`),
    `wall ${summary.wallSeconds} s at ${summary.drill.speed}x: set-up ${wall.setupSeconds} s, scenario ${wall.scenarioSeconds} s, wind-down ${wall.windDownSeconds} s, stopping ${wall.stopSeconds} s, report ${wall.reportSeconds} s; CPU ${cpu.drillSeconds} s drill, ${cpu.emulatorSeconds ?? "?"} s emulator`,
    roundCostText(summary.drill.roundCost),
    ...(summary.drill.loadGuard ? [loadGuardText(summary.drill.loadGuard)] : []),
    ...(summary.dns ? dnsText(summary.dns) : []),
    `wrote ${result.files.summary}, ${result.files.report} and ${result.files.log}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** The deciders' rounds in one line: per kind, the count, mean AWS calls and wall time (median, p95, max), and how many overran their slot. */
function roundCostText(cost: DeciderRoundFigures): string {
  const kinds = (["steady", "switch", "otherWrite", "failed"] as const).flatMap((kind) => {
    const figures = cost[kind];
    if (figures === undefined) return [];
    const { rounds, calls, wallMs } = figures;
    const name = kind === "otherWrite" ? "other writes" : kind;
    return [
      `${name} ${rounds}: ${calls.mean} calls (max ${calls.max}), ${wallMs.median}/${wallMs.p95}/${wallMs.max} ms`,
    ];
  });
  return `decider rounds (AWS calls; wall median/p95/max): ${kinds.join("; ") || "none"}; ${cost.overSlot} over the ${cost.slotWallMs} ms slot`;
}

/** The load guard's margin in one line: what the emulator and the event loop took per simulated minute against their bounds. */
function loadGuardText(guard: LoadHeadroom): string {
  const { emulatorMs: e, loopStallMs: l } = guard;
  return `load guard (per simulated minute, median/worst): emulator ${e.median}/${e.max} ms at p90 (bound ${guard.emulatorBoundMs} ms), event loop stall ${l.median}/${l.max} ms (bound ${guard.loopBoundMs} ms); ${guard.windowsOver} of ${guard.windows} minute(s) over, ${guard.skippedRounds} round(s) skipped`;
}
