import { MetricsBus } from "./lib/aws/cloudwatch.ts";
import { VoteTable } from "./lib/aws/vote-table.ts";
import { voteChannel } from "./lib/wiring/votes.ts";
import { alertAnnouncer } from "./lib/wiring/alert-announcer.ts";
import { Route53Switcher } from "./lib/aws/route53.ts";
import { ParameterStore } from "./lib/aws/ssm.ts";
import { auditTrailFor } from "./lib/audit-trail.ts";
import { practiceHistoryFor } from "./lib/practice-history.ts";
import { systemClock } from "./lib/clock.ts";
import { checkDecideEvent } from "./lib/decider/decide-event.ts";
import { createDecideHandler } from "./lib/decider/decider.ts";
import { deciderBudgetMs } from "./lib/decider/schedule.ts";
import { SignalStore } from "./lib/dataplane/signal-store.ts";
import { configFromEnv } from "./lib/env-config.ts";
import { log as defaultLog } from "./lib/log.ts";

let wired: { decider: ReturnType<typeof createDecideHandler>; budgetMs: number } | undefined;

/**
 * Lambda entry (every minute): config from env FAILOVER_CONFIG (validated
 * once), region from FAILOVER_CONTROL_REGION or AWS_REGION, dry run from
 * config or FAILOVER_DRY_RUN=1. The event carries nothing: anything but the
 * schedule's event or `{}` is refused before a round runs.
 */
export const handler = async (event: unknown, context?: { getRemainingTimeInMillis?: () => number }) => {
  checkDecideEvent(event);
  if (wired === undefined) {
    const config = configFromEnv();
    const controlRegion = process.env.FAILOVER_CONTROL_REGION || process.env.AWS_REGION || "";
    const dryRun = config.dryRun || process.env.FAILOVER_DRY_RUN === "1";
    const metrics = new MetricsBus(config);
    const decider = createDecideHandler({
      config,
      controlRegion,
      clock: systemClock,
      switcher: new Route53Switcher(config),
      bus: voteChannel(
        new VoteTable(config, { onRejected: (rejected) => defaultLog.warn("vote not counted", { ...rejected }) }),
        metrics,
      ),
      signals: new SignalStore(
        config,
        new Map(config.controlRegions.map((region) => [region, new ParameterStore({ region })])),
      ),
      dryRun,
      announce: alertAnnouncer(controlRegion, defaultLog),
      audit: auditTrailFor(config, controlRegion),
      ...(config.practice ? { practiceHistory: practiceHistoryFor(config), alarms: metrics } : {}),
    });
    wired = { decider, budgetMs: deciderBudgetMs(config) };
  }
  const remainingMs = context?.getRemainingTimeInMillis?.() ?? Infinity;
  const outcomes = await wired.decider.run(Math.min(wired.budgetMs, remainingMs - 3000));
  return {
    rounds: outcomes.length,
    switched: outcomes.filter((outcome) => outcome.switched).length,
    kinds: outcomes.map((outcome) => outcome.kind),
  };
};
