import "../cli/quiet-sdk-notice.ts";
import { resolve } from "node:path";
import { describeError } from "../functions/lib/errors.ts";
import { configPathFor, loadScenario, type Scenario } from "../offline/scenario.ts";
import { drillUsage, parseDrillArgs, type DrillArgs } from "./args.ts";
import { findDnsSoftware } from "./dns/software.ts";
import { DrillInterrupts } from "./interrupts.ts";
import { DrillInterrupted, runDrill } from "./run-drill.ts";
import { summaryText } from "./summary-text.ts";

/**
 * `npm run drill [-- --scenario <file>] [--config <file>] [--speed <n>] [--out <dir>] [--no-load-guard] [--dns real]`:
 * the drill's only entry. Arguments → the drill (./run-drill.ts: start the
 * parts, run the scenario, stop, summarize) → the printed summary → the
 * exit code.
 *
 * Exit 0 when the scenario's expectations hold, 1 when one does not (or the
 * drill could not run), 2 on bad input (and, with --dns real, when the DNS packages are missing: one line
 * naming them), 3 when the machine was too busy to
 * keep the compressed clock (no verdict; the message names the lag and the
 * --speed that would fit), 130 when interrupted.
 */
async function main(argv: readonly string[]): Promise<number> {
  // The SDK warns about Node 20 on stderr; the drill says what matters itself.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let args: DrillArgs | "help";
  let scenario: Scenario;
  try {
    args = parseDrillArgs(argv);
    if (args === "help") {
      process.stdout.write(`${drillUsage}\n`);
      return 0;
    }
    scenario = loadScenario(resolve(args.scenario), configPathFor(args.config, process.env));
    // Before anything starts: without the DNS packages, one line saying what to install.
    if (args.dns === "real") await findDnsSoftware();
  } catch (error) {
    process.stderr.write(`${describeError(error)}\n`);
    return 2;
  }

  const interrupts = new DrillInterrupts((text) => void process.stderr.write(text));
  try {
    const result = await runDrill({
      scenario,
      speed: args.speed,
      loadGuard: args.loadGuard,
      dns: args.dns,
      outDir: resolve(args.out),
      isTTY: process.stdout.isTTY === true,
      signal: interrupts.controller.signal,
      onProcessStarted: (name, pid) => {
        interrupts.started(name, pid);
        process.stdout.write(`${name} started (pid ${pid})\n`);
      },
    });
    interrupts.stopped();
    process.stdout.write(summaryText(result));
    if (result.interrupted) return 130;
    const tooBusy = result.summary.drill.tooBusy;
    if (tooBusy) {
      process.stderr.write(`\nNO VERDICT: ${tooBusy.message}\n`);
      return 3;
    }
    return result.summary.ok ? 0 : 1;
  } catch (error) {
    interrupts.stopped();
    if (error instanceof DrillInterrupted) return 130;
    process.stderr.write(`the drill failed: ${describeError(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
