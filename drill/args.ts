import { parseArgs } from "../cli/args.ts";
import { ValidationError } from "../functions/lib/errors.ts";

/**
 * Virtual seconds per wall second: the Clerk scenario (8400 s) takes 280 s of scenario at 30x. A decider round
 * then has 333 ms of wall time for its 10 s slot; `summary.json` `drill.roundCost` shows how long the rounds
 * took and `drill.loadGuard` how close the machine came to the guard's bounds, and a machine too busy for
 * the speed gets no verdict (exit 3; ./load-guard.ts), with the speed that fits. Not 40x: on a shared 2-core
 * machine the guard stopped it whenever other work ran for a few seconds (README, "Time and fidelity").
 */
export const DEFAULT_SPEED = 30;
/**
 * The default with `--dns real`: DNS TTLs are whole seconds of wall time, so the record's 60 s is served as
 * 3 s at 20x but would be 1.5 s at 40x, rounded to 2 (80 s of drill time).
 */
export const DEFAULT_DNS_SPEED = 20;
export const DEFAULT_SCENARIO = "scenarios/clerk-2025-08-06.json";
export const DEFAULT_OUT = "drill-out";

export const drillUsage = `usage: npm run drill [-- --scenario <file>] [--config <file>] [--speed <n>] [--out <dir>] [--no-load-guard] [--dns real]
  --scenario <file>  scenario JSON (default ${DEFAULT_SCENARIO})
  --config <file>    your config, run with the scenario's overrides; faults may name the roles primary and failover
                     (default $FAILOVER_CONFIG_FILE, else failover.config.json, else the example config)
  --speed <n>        virtual seconds per wall second, 1-200 (default ${DEFAULT_SPEED}: the Clerk scenario takes under 5 min)
  --out <dir>        where summary.json, report.html and drill.log go (default ${DEFAULT_OUT})
  --no-load-guard    run to the end on a machine too busy for the compressed clock (its verdict then describes that machine too)
  --dns real         also serve the records from real DNS software (PowerDNS behind unbound resolvers, Debian packages
                     pdns-server pdns-backend-sqlite3 unbound sqlite3) to real clients of four kinds, and measure how
                     fast each follows (summary.json "dns"; default speed ${DEFAULT_DNS_SPEED}, as TTLs are whole seconds);
                     default: the modelled clients only`;

export interface DrillArgs {
  scenario: string;
  /** The config file. @default see offline/scenario.ts configPathFor */
  config: string | undefined;
  speed: number;
  out: string;
  /** Stop with exit 3 when the machine cannot keep the clock (see drill/load-guard.ts). @default true */
  loadGuard: boolean;
  /** `real`: run the real DNS path too (drill/dns/). @default "model" */
  dns: "model" | "real";
}

/** Parses `npm run drill`'s arguments; throws ValidationError naming the bad flag. `"help"` for --help. */
export function parseDrillArgs(argv: readonly string[]): DrillArgs | "help" {
  const { flags, help } = parseArgs(
    argv,
    {
      scenario: { type: "string" },
      config: { type: "string" },
      speed: { type: "string" },
      out: { type: "string" },
      "no-load-guard": { type: "boolean" },
      dns: { type: "string" },
    },
    { names: [] },
  );
  if (help) return "help";
  const speed =
    flags.speed === undefined ? (flags.dns === "real" ? DEFAULT_DNS_SPEED : DEFAULT_SPEED) : Number(flags.speed);
  if (!Number.isFinite(speed) || speed < 1 || speed > 200) {
    throw new ValidationError(
      "arguments",
      [{ path: "--speed", message: `expected a number from 1 to 200, got ${JSON.stringify(flags.speed)}` }],
      { hint: drillUsage },
    );
  }
  if (flags.dns !== undefined && flags.dns !== "real" && flags.dns !== "model")
    throw new ValidationError(
      "arguments",
      [{ path: "--dns", message: `expected "real" or "model", got ${JSON.stringify(flags.dns)}` }],
      { hint: drillUsage },
    );
  return {
    scenario: flags.scenario ?? DEFAULT_SCENARIO,
    config: flags.config,
    speed,
    out: flags.out ?? DEFAULT_OUT,
    loadGuard: !flags["no-load-guard"],
    dns: flags.dns === "real" ? "real" : "model",
  };
}
