import type { FailoverConfig } from "../config.ts";

/**
 * The canary's alarm: Route 53 publishes `HealthCheckStatus` (1 healthy,
 * 0 unhealthy) only in us-east-1, and a canary check always reads "drain"
 * (unhealthy, 0) while its path works. Maximum ≥ 1 means Route 53's
 * checkers no longer see the drain answer (endpoint gone, TLS refused, a
 * flood answering 429): with an inverted check that looks exactly like
 * "serve", so only this alarm tells. `failover init` puts it (only init
 * knows the check id, and a check it replaces must move the alarm at once).
 */

/** Where Route 53's health-check metrics are, and so the canary alarms and their topic. */
export const CANARY_ALARM_REGION = "us-east-1";

/** Minutes in a row the canary must read "serve" before the alarm fires (one checker blip is not a broken path). */
export const CANARY_ALARM_MINUTES = 2;

/** The alarm on a control region's canary check, as PutMetricAlarm takes it. */
export interface CanaryAlarmSpec {
  AlarmName: string;
  AlarmDescription: string;
  Namespace: "AWS/Route53";
  MetricName: "HealthCheckStatus";
  Dimensions: Array<{ Name: "HealthCheckId"; Value: string }>;
  Statistic: "Maximum";
  Period: 60;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Threshold: 1;
  ComparisonOperator: "GreaterThanOrEqualToThreshold";
  /** A new check has no data for a minute or two: neither alarm nor OK then (verify names a missing check). */
  TreatMissingData: "missing";
  AlarmActions: string[];
  OKActions: string[];
}

/** `<config.name>-signal-canary-<control region>`: fixed, so a rerun finds it and IAM can name it. */
export function canaryAlarmName(config: Pick<FailoverConfig, "name">, region: string): string {
  return `${config.name}-signal-canary-${region}`;
}

/**
 * The SNS topic the canary alarms announce to: `<name>-<stage>-signal-canary`
 * in us-east-1 (an alarm's actions must be in its own region), subscribed to
 * the first control region's notifier by the stacks. Derived from an alert
 * topic ARN (FAILOVER_ALERT_TOPICS), which carries the partition, account and
 * `<name>-<stage>-alerts`; undefined when there is none.
 */
export function canaryTopicArn(alertTopics: Readonly<Record<string, string>>): string | undefined {
  const [arn] = Object.values(alertTopics);
  const match = /^arn:([^:]+):sns:[^:]+:(\d{12}):(.+)-alerts$/.exec(arn ?? "");
  if (match === null) return undefined;
  return `arn:${match[1]}:sns:${CANARY_ALARM_REGION}:${match[2]}:${canaryTopicName(match[3] ?? "")}`;
}

/** The canary topic's name for `<name>-<stage>` (the prefix of the alert topics' names). */
export function canaryTopicName(prefix: string): string {
  return `${prefix}-signal-canary`;
}

/** The alarm for control region `region`'s canary check `checkId`, announcing to `topicArn` (none: no actions). */
export function canaryAlarmSpec(
  config: Pick<FailoverConfig, "name">,
  region: string,
  checkId: string,
  topicArn: string | undefined,
): CanaryAlarmSpec {
  const actions = topicArn === undefined ? [] : [topicArn];
  return {
    AlarmName: canaryAlarmName(config, region),
    AlarmDescription: `The data-plane signal path of ${region} is broken: its canary health check (${checkId}), which always reads "drain" while Route 53's checkers can read the signal endpoint, reads healthy ("serve"). A drain of any target through that region would not reach DNS. Run \`failover verify\` (it names the broken link: endpoint gone after a redeploy, TLS, throttling).`,
    Namespace: "AWS/Route53",
    MetricName: "HealthCheckStatus",
    Dimensions: [{ Name: "HealthCheckId", Value: checkId }],
    Statistic: "Maximum",
    Period: 60,
    EvaluationPeriods: CANARY_ALARM_MINUTES,
    DatapointsToAlarm: CANARY_ALARM_MINUTES,
    Threshold: 1,
    ComparisonOperator: "GreaterThanOrEqualToThreshold",
    TreatMissingData: "missing",
    AlarmActions: actions,
    OKActions: actions,
  };
}

/** What an alarm as read has other than `want` (field names), empty when it is as wanted. */
export function canaryAlarmDifferences(
  want: CanaryAlarmSpec,
  have: Partial<Record<keyof CanaryAlarmSpec, unknown>>,
): string[] {
  const keys = Object.keys(want) as Array<keyof CanaryAlarmSpec>;
  const canonical = (value: unknown) =>
    JSON.stringify(Array.isArray(value) ? [...value].map((v) => JSON.stringify(v)).sort() : value);
  return keys.filter(
    (key) => canonical(want[key]) !== canonical(have[key] ?? (Array.isArray(want[key]) ? [] : undefined)),
  );
}
