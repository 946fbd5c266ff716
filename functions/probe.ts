import type { ProbeRoundReport } from "./lib/probe/report.ts";
import type { RegionResult } from "./lib/region-result.ts";
import { MetricsBus } from "./lib/aws/cloudwatch.ts";
import { VoteTable } from "./lib/aws/vote-table.ts";
import { probePublisher } from "./lib/wiring/votes.ts";
import { type Clock, systemClock } from "./lib/clock.ts";
import type { FailoverConfig } from "./lib/config.ts";
import { configFromEnv } from "./lib/env-config.ts";
import { FailoverError } from "./lib/errors.ts";
import { log as defaultLog, type Logger } from "./lib/log.ts";
import { parseProbeEvent } from "./lib/probe/event.ts";
import { runProbeRound } from "./lib/probe/round.ts";
import { planRounds } from "./lib/probe/schedule.ts";
import type { Prober } from "./lib/probe/types.ts";

export interface ProbeDeps {
  config: FailoverConfig;
  /** This function's region; must be one of `config.vantages`. */
  vantage: string;
  clock: Clock;
  /** Sends a round to the control regions; must not reject for one region (../lib/wiring/votes.ts probePublisher reports per region). */
  publish: (report: ProbeRoundReport) => Promise<RegionResult[]>;
  /** @default probeHttp */
  prober?: Prober;
  /** @default the process logger (JSON lines on stdout) */
  log?: Logger;
}

export interface ProbeRunSummary {
  vantage: string;
  /** Rounds run (each aligned start, epoch seconds). */
  rounds: number[];
  /** Rounds skipped because the previous one overran its slot. */
  skipped: number[];
  /** Rounds every control region accepted. */
  published: number;
}

/** The probe function: rounds aligned to the interval until the budget is spent; each round published without waiting. */
export function createProbeHandler(deps: ProbeDeps) {
  const { config, vantage, clock } = deps;
  const log = deps.log ?? defaultLog;
  if (!config.vantages.includes(vantage)) {
    throw new FailoverError(
      "CONFIG_INVALID",
      `vantage "${vantage}" is not listed in config.vantages (${config.vantages.join(", ")})`,
      {
        hint: "Deploy probes only to the regions in vantages, or set FAILOVER_VANTAGE to one of them.",
      },
    );
  }
  // One line per round, written once its publish settles: what it found, each check's latency (the only record of
  // them unless probe.publishLatency is on) and where it was stored. Log ingestion is billed per byte.
  const publishRound = (report: ProbeRoundReport): Promise<boolean> => {
    const down = report.results.filter((result) => !result.ok);
    const round = {
      vantage,
      at: report.at,
      voting: report.voting,
      canary: report.canary,
      checked: report.results.length,
      down: down.map(({ target, errorKind, status }) => ({ target, errorKind, status })),
      latencyMs: Object.fromEntries(report.results.map((result) => [result.target, Math.round(result.latencyMs)])),
    };
    return deps.publish(report).then(
      (regions) => {
        const failed = regions.filter((region) => !region.ok);
        log[failed.length > 0 ? "warn" : "info"]("probe round", {
          ...round,
          published: regions.filter((region) => region.ok).map((region) => region.region),
          ...(failed.length > 0 ? { unpublished: failed.map(({ region, error }) => ({ region, error })) } : {}),
        });
        return failed.length === 0;
      },
      (error: unknown) => {
        log.error("probe round not published", { ...round, error });
        return false;
      },
    );
  };

  return async (event: unknown, context?: { getRemainingTimeInMillis?: () => number }): Promise<ProbeRunSummary> => {
    const { maxRounds } = parseProbeEvent(event);
    const remainingMs = context?.getRemainingTimeInMillis?.();
    const starts = planRounds({
      nowMs: clock.now(),
      ...config.probe,
      ...(remainingMs === undefined ? {} : { remainingMs }),
      ...(maxRounds ? { maxRounds } : {}),
    });
    const summary: ProbeRunSummary = { vantage, rounds: [], skipped: [], published: 0 };
    const publishing: Array<Promise<boolean>> = [];
    for (const start of starts) {
      const at = start / 1000;
      const waitMs = start - clock.now();
      if (waitMs > 0) await clock.sleep(waitMs);
      else if (-waitMs > config.probe.intervalSeconds * 1000 - config.probe.timeoutMs) {
        summary.skipped.push(at); // the previous round overran this slot: a late check would vote for the wrong moment
        continue;
      }
      const report = await runProbeRound({
        config,
        vantage,
        at,
        now: clock.now,
        sleep: (ms) => clock.sleep(ms),
        ...(deps.prober ? { prober: deps.prober } : {}),
      });
      summary.rounds.push(at);
      publishing.push(publishRound(report));
    }
    summary.published = (await Promise.all(publishing)).filter(Boolean).length;
    if (summary.skipped.length > 0) log.warn("probe rounds skipped", { skipped: summary.skipped });
    return summary;
  };
}

let wired: ReturnType<typeof createProbeHandler> | undefined;

/** Lambda entry: config from env FAILOVER_CONFIG (validated on the first call), vantage from FAILOVER_VANTAGE or AWS_REGION. */
export const handler = async (
  event: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<ProbeRunSummary> => {
  if (wired === undefined) {
    const config = configFromEnv();
    const vantage = process.env.FAILOVER_VANTAGE || process.env.AWS_REGION || "";
    const publish = probePublisher(new VoteTable(config), new MetricsBus(config), config.controlRegions);
    wired = createProbeHandler({ config, vantage, clock: systemClock, publish: (report) => publish(report) });
  }
  return wired(event, context);
};
