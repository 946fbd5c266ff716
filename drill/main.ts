import "../cli/quiet-sdk-notice.ts";
import { resolve } from "node:path";
import { describeError } from "../functions/lib/errors.ts";
import { formatDetection, formatRate } from "../offline/replay/score.ts";
import { configPathFor, loadScenario, type Scenario } from "../offline/scenario.ts";
import { drillUsage, parseDrillArgs, type DrillArgs } from "./args.ts";
import { DrillInterrupted, runDrill } from "./run.ts";

/**
 * `npm run drill [-- --scenario <file>] [--config <file>] [--speed <n>] [--out <dir>] [--no-load-guard]`
 *
 * Exit 0 when the scenario's expectations hold, 1 when one does not (or the
 * drill could not run), 2 on bad input, 3 when the machine was too busy to
 * keep the compressed clock (no verdict; the message names the lag and the
 * --speed that would fit), 130 when interrupted.
 */
async function main(): Promise<number> {
  // The SDK warns about Node 20 on stderr; the drill says what matters itself.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let args: DrillArgs | "help";
  let scenario: Scenario;
  try {
    args = parseDrillArgs(process.argv.slice(2));
    if (args === "help") {
      process.stdout.write(`${drillUsage}\n`);
      return 0;
    }
    scenario = loadScenario(resolve(args.scenario), configPathFor(args.config, process.env));
  } catch (error) {
    process.stderr.write(`${describeError(error)}\n`);
    return 2;
  }

  const controller = new AbortController();
  let emulatorPid: number | undefined;
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\n${signal}: stopping the drill and everything it started…\n`);
      controller.abort();
      return;
    }
    // A second Ctrl-C: do not wait for a clean stop.
    if (emulatorPid !== undefined) killQuietly(emulatorPid);
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", () => {
    if (emulatorPid !== undefined) killQuietly(emulatorPid);
  });

  const isTTY = process.stdout.isTTY === true;
  try {
    const result = await runDrill({
      scenario,
      speed: args.speed,
      loadGuard: args.loadGuard,
      outDir: resolve(args.out),
      isTTY,
      signal: controller.signal,
      onEmulatorStarted: (pid) => {
        emulatorPid = pid;
        process.stdout.write(`emulator started (pid ${pid})\n`);
      },
    });
    emulatorPid = undefined; // stopped by the drill
    const { summary } = result;
    const lines = [
      "",
      `${result.interrupted ? "INTERRUPTED" : summary.drill.tooBusy ? "STOPPED (machine too busy)" : summary.ok ? "PASS" : "FAIL"} ${summary.scenario}: ${summary.failovers} failover(s), ${summary.failbacks} failback(s), detection ${formatDetection(summary)}, missed ${summary.missedOutages}, false switches ${summary.falseSwitches}, on-call changes ${summary.onCallChanges}, client errors ${formatRate(summary.clientErrorRate)}, ${summary.slackMessages.length} Slack message(s)`,
      ...summary.expectations.map((e) => `  ${e.ok ? "ok  " : "FAIL"} ${e.name}: ${e.detail}`),
      ...summary.drill.problems.slice(0, 5).map((p) => `  problem: ${p}`),
      `wall ${summary.wallSeconds} s at ${summary.drill.speed}x: set-up ${summary.drill.wall.setupSeconds} s, scenario ${summary.drill.wall.scenarioSeconds} s, wind-down ${summary.drill.wall.windDownSeconds} s, stopping ${summary.drill.wall.stopSeconds} s, report ${summary.drill.wall.reportSeconds} s; CPU ${summary.drill.cpu.drillSeconds} s drill, ${summary.drill.cpu.emulatorSeconds ?? "?"} s emulator`,
      `wrote ${result.files.summary}, ${result.files.report} and ${result.files.log}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    if (result.interrupted) return 130;
    const tooBusy = summary.drill.tooBusy;
    if (tooBusy) {
      process.stderr.write(`\nNO VERDICT: ${tooBusy.message}\n`);
      return 3;
    }
    return summary.ok ? 0 : 1;
  } catch (error) {
    emulatorPid = undefined;
    if (error instanceof DrillInterrupted) return 130;
    process.stderr.write(`the drill failed: ${describeError(error)}\n`);
    return 1;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // already gone
  }
}

process.exitCode = await main();
