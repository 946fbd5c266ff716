import type { FailoverConfig } from "./config.ts";
import { Dimension, Metric } from "./metrics.ts";

/**
 * Every CloudWatch alarm of a deployment, as data.
 *
 * The stacks create exactly these (stacks/alerts.ts, with alarm AND OK
 * actions to the control region's SNS topic) and the drill's alarm
 * evaluator evaluates exactly these, so what is tested is what is deployed.
 * Pure: no I/O, no clock.
 */
export interface AlarmDefinition {
  /** Stable key, unique per control region: `switchover`, `decider-blind-us-east-2`, `vantage-silent-eu-west-1`, `vantage-suspect-eu-west-1`, `all-down`, `flap-budget`, `override-long`, `slack-refused`, `signal-write-failed-us-west-1`, `signal-stale-or-disagrees`. */
  key: string;
  kind:
    | "switchover"
    | "decider-blind"
    | "vantage-silent"
    | "vantage-suspect"
    | "all-down"
    | "flap-budget"
    | "override-long"
    | "slack-refused"
    | "signal-write-failed"
    | "signal-stale-or-disagrees";
  /** Alarm name: `${config.name}-${key}`. */
  name: string;
  /** What it means and what to do, for the person paged (goes into the alarm description, so Slack shows it). */
  description: string;
  /**
   * Whether its state changes go to the control region's SNS topic (and so
   * to Slack). False for switchover and flap-budget: each weight change,
   * flap hold and release reaches Slack once as its own event, published by
   * whoever made it (functions/lib/control/change-event.ts); the alarm would
   * tell it a second time, and its OK ("cleared") would arrive while traffic
   * is still off its normal weights. They stay as alarms for CloudWatch's
   * history and dashboards.
   */
  announce: boolean;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: "Sum" | "Maximum" | "Minimum" | "Average" | "SampleCount";
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator:
    | "GreaterThanOrEqualToThreshold"
    | "GreaterThanThreshold"
    | "LessThanThreshold"
    | "LessThanOrEqualToThreshold";
  treatMissingData: "breaching" | "notBreaching" | "missing" | "ignore";
}

/**
 * Minutes without a heartbeat before a decider counts as blind. The decider
 * Cron fires once a minute; EventBridge may deliver a scheduled event late
 * and a cold start can push a run across a minute boundary, so one empty
 * minute happens without anything being wrong. Three consecutive empty
 * minutes mean the decider really is not deciding (dead region, crash loop,
 * lost permissions, too few votes), still far sooner than people notice.
 */
const deciderBlindMinutes = 3;

/**
 * Minutes without a round from a vantage before it counts as silent. One
 * silent vantage costs redundancy, not the verdict (the quorum outvotes or
 * discounts it), so this waits longer than the decider alarm to stay quiet
 * through a short regional blip.
 */
export const vantageSilentMinutes = 5;

/**
 * The series a vantage publishes once a minute (its first round of the
 * minute: ./wiring/votes.ts probePublisher), whose SampleCount per minute
 * says it is alive (no separate heartbeat metric, one custom metric less per
 * vantage and region): CanarySuccess when a canary is configured (a round
 * whose canary failed sends no votes, but still its canary result), else
 * ProbeVotes (every round votes then).
 */
export function vantageLiveness(
  config: FailoverConfig,
  vantage: string,
): { metricName: string; dimensions: Record<string, string> } {
  return {
    metricName: config.probe.canaryUrl === undefined ? Metric.ProbeVotes : Metric.CanarySuccess,
    dimensions: { [Dimension.Vantage]: vantage },
  };
}

/** Refused Slack requests within 5 minutes that raise the alarm: one mistyped command is not an attack, a handful is. */
export const slackRefusedThreshold = 5;

/** Period of the override-age alarm: the lease is long-lived, a 5-minute look is enough. */
const overridePeriodSeconds = 300;

/**
 * The alarms created in (and evaluated for) one control region.
 *
 * Heartbeats treat missing data as breaching (silence is the failure they
 * exist to catch); event alarms (switchover, all down, flap budget,
 * override age) treat it as not breaching, because those metrics are only
 * meaningful while a decider publishes, and a silent decider already has
 * its own alarm.
 */
export function alarmDefinitions(config: FailoverConfig, controlRegion: string): AlarmDefinition[] {
  const named = (definition: Omit<AlarmDefinition, "name">): AlarmDefinition => ({
    ...definition,
    name: `${config.name}-${definition.key}`,
  });
  const event = {
    periodSeconds: 60,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
  } as const;
  const where = `(alarm in ${controlRegion})`;

  const switchover = named({
    key: "switchover",
    kind: "switchover",
    description: `Route 53 weights changed (automatic or manual failover, ramp or restore). Run \`failover status\` to see the weights, the votes and the reason. ${where}`,
    announce: false,
    metricName: Metric.Switchover,
    dimensions: {},
    statistic: "Sum",
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    ...event,
  });

  const { deciderBlind, vantageSilent } = silenceAlarms(config, where, named);

  const allDown = named({
    key: "all-down",
    kind: "all-down",
    description: `Every target is down from the vantages' point of view; the decider fails open (normal weights) instead of draining everything. Check the application and the probes' health URLs. ${where}`,
    announce: true,
    metricName: Metric.AllTargetsDown,
    dimensions: {},
    statistic: "Maximum",
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    ...event,
  });

  const flapBudget = named({
    key: "flap-budget",
    kind: "flap-budget",
    description: `A target was drained ${config.policy.flapBudget.maxDrains} times within ${config.policy.flapBudget.windowSeconds} s and is held drained until a person releases it (\`failover release\`). ${where}`,
    announce: false,
    metricName: Metric.FlapBudgetSpent,
    dimensions: {},
    statistic: "Maximum",
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    ...event,
  });

  const overrideLong = named({
    key: "override-long",
    kind: "override-long",
    description: `A manual override lease has been active for more than ${config.lease.defaultTtlSeconds} s (lease.defaultTtlSeconds): automation is paused. Release it with \`failover release\` when the incident is over. ${where}`,
    announce: true,
    metricName: Metric.OverrideAgeSeconds,
    dimensions: {},
    statistic: "Maximum",
    periodSeconds: overridePeriodSeconds,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: config.lease.defaultTtlSeconds,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
  });

  const vantageSuspect = suspectAlarms(config, where, named);
  const slackRefused = slackRefusedAlarms(config, where, named);
  const signal = signalAlarms(config, where, named);
  return [
    switchover,
    ...deciderBlind,
    ...vantageSilent,
    ...vantageSuspect,
    allDown,
    flapBudget,
    overrideLong,
    ...slackRefused,
    ...signal,
  ];
}

/**
 * Consecutive minutes the drain signals may disagree with the decision
 * before it alarms. One round of disagreement is normal: a target this
 * decider restored stays drained by the other decider's document until
 * that one's next round (within the minute) takes it out.
 */
export const signalDisagreeMinutes = 2;

/**
 * The signal path's alarms (see docs/dataplane.md): one per control region
 * whose store refused a decider's write, from its first minute (a drain
 * missing from a store is a drain a resolver may not see); one when the
 * signals are unsound, disagreeing with the decision or drained by a
 * document its writer stopped refreshing.
 */
function signalAlarms(
  config: FailoverConfig,
  where: string,
  named: (definition: Omit<AlarmDefinition, "name">) => AlarmDefinition,
): AlarmDefinition[] {
  const writeFailed = config.controlRegions.map((storeRegion) =>
    named({
      key: `signal-write-failed-${storeRegion}`,
      kind: "signal-write-failed",
      description: `A decider could not write its drain signal to the signal store (SSM Parameter Store) in ${storeRegion}: health checks reading that region's endpoint may not see a drain. Check the decider's log ("signal" lines) and SSM in ${storeRegion}; \`failover verify\` checks the signal path. ${where}`,
      announce: true,
      metricName: Metric.SignalWriteFailed,
      dimensions: { [Dimension.ControlRegion]: storeRegion },
      statistic: "Sum",
      periodSeconds: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    }),
  );
  const unsound = named({
    key: "signal-stale-or-disagrees",
    kind: "signal-stale-or-disagrees",
    description: `The drain signals are unsound for ${signalDisagreeMinutes} minutes: they do not give the answers the decision wants (value 1: a drain not in effect, or a target drained that should serve), or a document drains although its decider stopped refreshing it (value 2; 3: both). Run \`failover status\` and \`failover verify\`, and check both deciders' logs. ${where}`,
    announce: true,
    metricName: Metric.SignalUnsound,
    dimensions: {},
    statistic: "Maximum",
    periodSeconds: 60,
    evaluationPeriods: signalDisagreeMinutes,
    datapointsToAlarm: signalDisagreeMinutes,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
  });
  return [...writeFailed, unsound];
}

/** Only with the Slack command deployed (config `slack`): its function is what counts refused requests. */
function slackRefusedAlarms(
  config: FailoverConfig,
  where: string,
  named: (definition: Omit<AlarmDefinition, "name">) => AlarmDefinition,
): AlarmDefinition[] {
  return config.slack === undefined
    ? []
    : [
        named({
          key: "slack-refused",
          kind: "slack-refused",
          description: `The Slack command refused ${slackRefusedThreshold} or more requests within 5 minutes (forged or stale signatures, another workspace, or people not on the on-call list). Its log says why each was refused; if they are not your own tries, rotate the signing secret. ${where}`,
          announce: true,
          metricName: Metric.SlackRequestRefused,
          dimensions: {},
          statistic: "Sum",
          periodSeconds: 300,
          evaluationPeriods: 1,
          datapointsToAlarm: 1,
          threshold: slackRefusedThreshold,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
        }),
      ];
}

/** Alarms on a decider or a vantage that has gone quiet: missing data breaches, silence is what they exist to catch. */
function silenceAlarms(
  config: FailoverConfig,
  where: string,
  named: (definition: Omit<AlarmDefinition, "name">) => AlarmDefinition,
): { deciderBlind: AlarmDefinition[]; vantageSilent: AlarmDefinition[] } {
  const deciderBlind = config.controlRegions.map((deciderRegion) =>
    named({
      key: `decider-blind-${deciderRegion}`,
      kind: "decider-blind",
      description: `The decider in ${deciderRegion} has not decided for ${deciderBlindMinutes} minutes (no heartbeat): that automation is blind. Check its logs and the vantage alarms; if both deciders are blind, fail over by hand with \`failover promote\`. ${where}`,
      announce: true,
      metricName: Metric.DeciderHeartbeat,
      dimensions: { [Dimension.ControlRegion]: deciderRegion },
      statistic: "Sum",
      periodSeconds: 60,
      evaluationPeriods: deciderBlindMinutes,
      datapointsToAlarm: deciderBlindMinutes,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
    }),
  );

  const vantageSilent = config.vantages.map((vantage) =>
    named({
      key: `vantage-silent-${vantage}`,
      kind: "vantage-silent",
      description: `The probes in ${vantage} have published no round for ${vantageSilentMinutes} minutes: fewer vantages vote, so the quorum is weaker. Check the probe function's logs in ${vantage}. ${where}`,
      announce: true,
      ...vantageLiveness(config, vantage),
      statistic: "SampleCount",
      periodSeconds: 60,
      evaluationPeriods: vantageSilentMinutes,
      datapointsToAlarm: vantageSilentMinutes,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
    }),
  );
  return { deciderBlind, vantageSilent };
}

/**
 * One alarm per vantage while the decider sets that vantage's votes aside
 * on any target (a suspect checker): the alarm and Slack say which vantage,
 * and its OK says it counts again. Not one per target too: that was
 * vantages × targets alarms in every control region ($0.10 a month each,
 * $30 for 50 targets and 3 vantages in two regions), to tell what the
 * per-target series and the decider's log already tell.
 */
function suspectAlarms(
  config: FailoverConfig,
  where: string,
  named: (definition: Omit<AlarmDefinition, "name">) => AlarmDefinition,
): AlarmDefinition[] {
  return config.vantages.map((vantage) =>
    named({
      key: `vantage-suspect-${vantage}`,
      kind: "vantage-suspect",
      description: `The decider sets aside the votes of the probes in ${vantage} on one or more targets (the decider's "decision" log lines, field \`suspects\`, and the SuspectChecker series per target say which): they saw a target down for ${config.policy.suspectAfterRounds} rounds in a row while every other vantage saw it up (value 1: the vantage is likely cut off from it, clients are not), or published two different votes for one round (value 2: a duplicated or tampered probe). The quorum decides without it, so it is weaker. Check the probe's logs and network path in ${vantage}; it counts again once it agrees with the others. ${where}`,
      announce: true,
      metricName: Metric.SuspectChecker,
      dimensions: { [Dimension.Vantage]: vantage },
      statistic: "Maximum",
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      periodSeconds: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "notBreaching",
    }),
  );
}
