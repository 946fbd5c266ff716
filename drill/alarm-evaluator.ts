import type { SeriesQuery } from "../emulator/cloudwatch-admin.ts";
import type { AlarmDefinition } from "../functions/lib/alarms.ts";
import { evaluateAlarm, type AlarmStateValue } from "./alarm-state.ts";

/** What the evaluator needs from the emulator. */
export interface AlarmEvaluatorDeps {
  /** Namespace of the metrics (`config.metricNamespace`). */
  namespace: string;
  /** The alarms, by control region (`alarmDefinitions(config, region)`). */
  alarms: Record<string, AlarmDefinition[]>;
  /** GetMetricData in `region` from `startSeconds` (aligned) to `endSeconds`: values by query id and period start (epoch s) (`CloudWatchAdmin.readSeries`, emulator/cloudwatch-admin.ts). */
  readMetrics: (
    region: string,
    queries: SeriesQuery[],
    startSeconds: number,
    endSeconds: number,
  ) => Promise<Record<string, Map<number, number>>>;
  /** Publishes a CloudWatch-alarm-shaped notification to the region's SNS topic. */
  publish: (region: string, subject: string, message: string) => Promise<void>;
  /** Records a state change in the region's CloudWatch (SetAlarmState), so DescribeAlarms answers what was published. @default none */
  recordState?: (region: string, alarmName: string, state: AlarmStateValue, reason: string) => Promise<void>;
  /** Epoch seconds the drill started: periods before it count as fine (the deployment ran healthy before). @default 0 */
  historyBefore?: number;
  /** Told about every state change (the timeline), before it is recorded and published. @default none */
  onChange?: (change: AlarmChange) => void;
}

/** One alarm state change, as published. */
export interface AlarmChange {
  at: number;
  region: string;
  alarm: AlarmDefinition;
  from: AlarmStateValue;
  to: AlarmStateValue;
  reason: string;
}

const regionNames: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "eu-west-1": "EU (Ireland)",
  "eu-central-1": "EU (Frankfurt)",
};

/**
 * The drill's stand-in for CloudWatch alarm evaluation: at each call it
 * evaluates every alarm of every control region over its last complete
 * periods, and publishes each state change to that region's SNS topic as
 * CloudWatch would (alarm and OK actions). Alarms start as OK, as they
 * would be long after deployment; the first evaluation publishes only an
 * ALARM. Each evaluation first evaluates every region and records the
 * changes in the emulator's alarms (`recordState`), then publishes them: a
 * notifier that asks another region about the same alarm (functions/notify.ts)
 * sees that region's new state, as it would when both regions evaluate the
 * same minute's metrics.
 */
export class AlarmEvaluator {
  private readonly states = new Map<string, AlarmStateValue>();
  readonly changes: AlarmChange[] = [];
  /** Evaluations that failed to read metrics or publish (the drill reports them). */
  readonly errors: string[] = [];

  constructor(private readonly deps: AlarmEvaluatorDeps) {}

  /**
   * Evaluates every alarm at `nowMs` (virtual epoch ms), records the changes, then publishes them; returns them.
   * A region in `lost` (control-region-down: its CloudWatch and SNS are gone) evaluates nothing; its alarms
   * resume from their last state when it comes back. @default no region lost
   */
  async evaluate(nowMs: number, lost: ReadonlySet<string> = new Set()): Promise<AlarmChange[]> {
    const results = await Promise.all(
      Object.entries(this.deps.alarms)
        .filter(([region]) => !lost.has(region))
        .map(([region, alarms]) => this.evaluateRegion(region, alarms, nowMs)),
    );
    // Regions publish in parallel, each region's changes in order.
    await Promise.all(results.map((changes) => this.publish(changes)));
    return results.flat();
  }

  private async publish(changes: AlarmChange[]): Promise<void> {
    for (const change of changes) {
      if (!change.alarm.announce) continue; // no SNS action in the stacks either
      try {
        const { subject, message } = alarmNotification(change, this.deps.namespace);
        await this.deps.publish(change.region, subject, message);
      } catch (error) {
        this.errors.push(
          `${change.region}: publishing ${change.alarm.name} ${change.to} failed: ${(error as Error).message}`,
        );
      }
    }
  }

  private async evaluateRegion(region: string, alarms: AlarmDefinition[], nowMs: number): Promise<AlarmChange[]> {
    const nowSeconds = Math.floor(nowMs / 1000);
    // Read every alarm's window in one GetMetricData per period length.
    const byPeriod = new Map<number, AlarmDefinition[]>();
    for (const alarm of alarms)
      byPeriod.set(alarm.periodSeconds, [...(byPeriod.get(alarm.periodSeconds) ?? []), alarm]);
    const changes: AlarmChange[] = [];
    for (const [period, group] of byPeriod) {
      const end = Math.floor(nowSeconds / period) * period;
      const start = end - Math.max(...group.map((alarm) => alarm.evaluationPeriods)) * period;
      const queries = group.map((alarm, index) => ({
        id: `a${index}`,
        metricName: alarm.metricName,
        dimensions: alarm.dimensions,
        statistic: alarm.statistic,
        periodSeconds: period,
      }));
      let values: Record<string, Map<number, number>>;
      try {
        values = await this.deps.readMetrics(region, queries, start, end);
      } catch (error) {
        this.errors.push(`${region}: reading alarm metrics failed: ${(error as Error).message}`);
        continue;
      }
      for (const [index, alarm] of group.entries()) {
        const series = values[`a${index}`] ?? new Map<number, number>();
        const datapoints = Array.from({ length: alarm.evaluationPeriods }, (_, i) => {
          const periodStart = end - (alarm.evaluationPeriods - i) * period;
          return periodStart < (this.deps.historyBefore ?? 0) ? null : series.get(periodStart);
        });
        const key = `${region}/${alarm.name}`;
        const before = this.states.get(key);
        const result = evaluateAlarm(alarm, datapoints, before ?? "OK");
        this.states.set(key, result.state);
        if (result.state === (before ?? "OK")) continue;
        const change = { at: nowMs, region, alarm, from: before ?? "OK", to: result.state, reason: result.reason };
        this.changes.push(change);
        changes.push(change);
        this.deps.onChange?.(change);
        try {
          await this.deps.recordState?.(region, alarm.name, result.state, result.reason);
        } catch (error) {
          this.errors.push(`${region}: recording ${alarm.name} ${result.state} failed: ${(error as Error).message}`);
        }
      }
    }
    return changes;
  }
}

/** The SNS subject and message CloudWatch sends for an alarm state change. */
export function alarmNotification(change: AlarmChange, namespace: string): { subject: string; message: string } {
  const { alarm, region } = change;
  const regionName = regionNames[region] ?? region;
  const message = {
    AlarmName: alarm.name,
    AlarmDescription: alarm.description,
    AWSAccountId: "123456789012",
    AlarmConfigurationUpdatedTimestamp: new Date(change.at).toISOString(),
    NewStateValue: change.to,
    NewStateReason: change.reason,
    StateChangeTime: new Date(change.at).toISOString().replace("Z", "+0000"),
    Region: regionName,
    AlarmArn: `arn:aws:cloudwatch:${region}:123456789012:alarm:${alarm.name}`,
    OldStateValue: change.from,
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
    Trigger: {
      MetricName: alarm.metricName,
      Namespace: namespace,
      StatisticType: "Statistic",
      Statistic: alarm.statistic.toUpperCase(),
      Unit: null,
      Dimensions: Object.entries(alarm.dimensions).map(([name, value]) => ({ value, name })),
      Period: alarm.periodSeconds,
      EvaluationPeriods: alarm.evaluationPeriods,
      DatapointsToAlarm: alarm.datapointsToAlarm,
      ComparisonOperator: alarm.comparisonOperator,
      Threshold: alarm.threshold,
      TreatMissingData: alarm.treatMissingData,
      EvaluateLowSampleCountPercentile: "",
    },
  };
  return { subject: `${change.to}: "${alarm.name}" in ${regionName}`.slice(0, 100), message: JSON.stringify(message) };
}
