import { writeFileSync } from "node:fs";
import { runScenario, windDown } from "./scenario-loop.ts";
import { openSession, type DrillFiles, type DrillOptions } from "./session.ts";
import { startParts } from "./parts/start-parts.ts";
import { drillReport, drillSummary, measureOutcome, type DrillSummary } from "./summary.ts";

export { DrillInterrupted, type DrillOptions } from "./session.ts";
export type { DrillSummary } from "./summary.ts";

export interface DrillResult {
  summary: DrillSummary;
  interrupted: boolean;
  files: DrillFiles;
}

/**
 * Runs a scenario end to end on real local parts: the moto emulator, one
 * HTTP server per target, fault proxies per vantage → target path and for
 * the clients, the probe handler of every vantage and the decide handler of
 * every control region (invoked each virtual minute, as EventBridge would),
 * simulated clients, the alarm evaluator → SNS → the notify handler of
 * each control region → Slack stand-in. Writes summary.json, report.html
 * and drill.log in `outDir`.
 *
 * Phases: set-up (./parts/start-parts.ts), the scenario (./scenario-loop.ts),
 * wind-down and stopping (./session.ts), then the report and summary
 * (./summary.ts). `npm run drill` runs it from ./main.ts; the tests and the
 * bench call it directly.
 */
export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const session = openSession(options);
  const sinceStart = () => (performance.now() - session.wallStart) / 1000;
  try {
    const parts = await startParts(session);
    const setupSeconds = sinceStart();
    session.checkAborted();

    const inFlight = await runScenario(session, parts);
    const scenarioSeconds = sinceStart() - setupSeconds;

    const windDownStart = performance.now();
    await windDown(session, parts, inFlight);
    // The practice runs' records, as the deciders kept them in the emulator's parameter stores.
    const practice = parts.config.practice === undefined ? [] : (await parts.practiceHistory.list()).records;
    const outcome = measureOutcome(session, parts, practice);
    // A failure after minutes the machine could not keep the clock is no verdict (exit 3), never a FAIL (exit 1).
    if (!outcome.score.ok && session.tooBusy === undefined && !session.interrupted)
      session.tooBusy = session.failedUnderStrain();
    const windDownSeconds = (performance.now() - windDownStart) / 1000;
    const stopStart = performance.now();
    await session.closeAll();
    const stopSeconds = (performance.now() - stopStart) / 1000;

    const reportStart = performance.now();
    const wall = { setupSeconds, scenarioSeconds, windDownSeconds, stopSeconds };
    writeFileSync(session.files.report, drillReport(session, parts, outcome, wall));
    const reportSeconds = (performance.now() - reportStart) / 1000;
    const summary = drillSummary(session, parts, outcome, { ...wall, reportSeconds });
    writeFileSync(session.files.summary, `${JSON.stringify(summary, null, 2)}\n`);
    return { summary, interrupted: session.interrupted, files: session.files };
  } finally {
    await session.end();
  }
}
