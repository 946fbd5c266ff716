import { auditTrailFor } from "../audit-trail.ts";
import { practiceHistoryFor } from "../practice-history.ts";
import { alertAnnouncer, alertTopicsFromEnv } from "./alert-announcer.ts";
import { MetricsBus } from "../aws/cloudwatch.ts";
import { VoteTable } from "../aws/vote-table.ts";
import { HealthCheckAdmin } from "../aws/route53-health-checks.ts";
import { Route53Switcher } from "../aws/route53.ts";
import { systemClock } from "../clock.ts";
import type { FailoverConfig } from "../config.ts";
import type { ManualDeps } from "../manual/handle-event.ts";
import { SIGNAL_ENDPOINTS_ENV, signalEndpointsFrom } from "../dataplane/endpoints.ts";
import { log } from "../log.ts";
import { ParameterStore } from "../aws/ssm.ts";
import { SignalStore } from "../dataplane/signal-store.ts";
import { canaryTopicArn } from "../dataplane/canary-alarm.ts";

/**
 * What the manual failover logic runs on inside a Lambda function (the
 * manual function, and the Slack command that acts through the same entry
 * point): region from FAILOVER_CONTROL_REGION or AWS_REGION, alert topics
 * from FAILOVER_ALERT_TOPICS, signal endpoints from FAILOVER_SIGNAL_ENDPOINTS.
 * Throws a FailoverError naming what is missing.
 */
export function manualDepsFromEnv(config: FailoverConfig, env: NodeJS.ProcessEnv = process.env): ManualDeps {
  const region = env.FAILOVER_CONTROL_REGION || env.AWS_REGION || config.controlRegions[0] || "";
  const deps: ManualDeps = {
    config,
    region,
    clock: systemClock,
    switcher: new Route53Switcher(config),
    bus: new MetricsBus(config),
    votes: new VoteTable(config),
    announce: alertAnnouncer(region, log, env),
    audit: auditTrailFor(config, region),
    ...(config.practice ? { practiceHistory: practiceHistoryFor(config) } : {}),
    healthChecks: new HealthCheckAdmin(config),
    signals: new SignalStore(config, new Map(config.controlRegions.map((r) => [r, new ParameterStore({ region: r })]))),
  };
  const signalEndpoints = signalEndpointsFrom(env[SIGNAL_ENDPOINTS_ENV], config);
  if (signalEndpoints !== undefined) deps.signalEndpoints = signalEndpoints;
  const canaryTopic = canaryTopicArn(alertTopicsFromEnv(env));
  if (canaryTopic !== undefined) deps.canaryTopic = canaryTopic;
  return deps;
}
