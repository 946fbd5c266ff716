import {
  GetMetricDataCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from "@aws-sdk/client-cloudwatch";
import type { AlarmDefinition } from "../functions/lib/alarms.ts";
import {
  badAnswer,
  CloudWatchError,
  MetricsBus,
  type AlarmStateValue,
  type MetricsBusOptions,
} from "../functions/lib/aws/cloudwatch.ts";
import type { FailoverConfig } from "../functions/lib/config.ts";

/**
 * CloudWatch calls only the emulator side makes: the drill and tests create
 * the alarms stacks/alerts.ts deploys in AWS, and the drill's alarm
 * evaluator (moto stores alarms but never evaluates them) reads any series
 * and records the states it decides. Calls go through a {@link MetricsBus},
 * so retries, counters and error mapping are the adapter's.
 */

/** GetMetricData limit: 500 queries per call. */
const MAX_QUERIES_PER_GET = 500;
/** Pages of one GetMetricData listing before the endpoint counts as broken. */
const MAX_GET_PAGES = 100;

/** One series for {@link CloudWatchAdmin.readSeries}: a metric of the config's namespace, its exact dimensions, a statistic and a period. */
export interface SeriesQuery {
  id: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: "Sum" | "Maximum" | "Minimum" | "Average" | "SampleCount";
  periodSeconds: number;
}

export class CloudWatchAdmin {
  /** Calls and bytes per CloudWatch operation, all regions together. */
  readonly stats: MetricsBus["stats"];
  private readonly bus: MetricsBus;

  constructor(
    private readonly config: FailoverConfig,
    options: MetricsBusOptions = {},
  ) {
    this.bus = new MetricsBus(config, options);
    this.stats = this.bus.stats;
  }

  /**
   * Creates (or updates) `definitions` as metric alarms in `region`, each
   * with alarm and OK actions to `topicArns`, as stacks/alerts.ts deploys
   * them. The emulator stores alarms (so `MetricsBus.alarmState` answers)
   * but never evaluates them.
   */
  async putAlarms(region: string, definitions: readonly AlarmDefinition[], topicArns: string[] = []): Promise<void> {
    for (const definition of definitions) {
      await this.bus.send(region, "PutMetricAlarm", (client, signal) =>
        client.send(
          new PutMetricAlarmCommand({
            AlarmName: definition.name,
            AlarmDescription: definition.description,
            Namespace: this.config.metricNamespace,
            MetricName: definition.metricName,
            Dimensions: Object.entries(definition.dimensions).map(([Name, Value]) => ({ Name, Value })),
            Statistic: definition.statistic,
            Period: definition.periodSeconds,
            EvaluationPeriods: definition.evaluationPeriods,
            DatapointsToAlarm: definition.datapointsToAlarm,
            Threshold: definition.threshold,
            ComparisonOperator: definition.comparisonOperator,
            TreatMissingData: definition.treatMissingData,
            AlarmActions: topicArns,
            OKActions: topicArns,
          }),
          { abortSignal: signal },
        ),
      );
    }
  }

  /** Sets an alarm's state in `region` (SetAlarmState): the drill's alarm evaluator records each change it publishes. */
  async setAlarmState(region: string, alarmName: string, state: AlarmStateValue, reason: string): Promise<void> {
    await this.bus.send(region, "SetAlarmState", (client, signal) =>
      client.send(
        new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: state, StateReason: reason.slice(0, 1023) }),
        { abortSignal: signal },
      ),
    );
  }

  /**
   * Reads any metric series of this namespace over [startSeconds, endSeconds)
   * (align `startSeconds` to the period): values by query id, keyed by
   * period start in epoch seconds. For the drill's alarm evaluator, which
   * stands in for CloudWatch's own alarm evaluation.
   */
  async readSeries(
    region: string,
    queries: readonly SeriesQuery[],
    startSeconds: number,
    endSeconds: number,
  ): Promise<Record<string, Map<number, number>>> {
    const series: Record<string, Map<number, number>> = Object.fromEntries(
      queries.map((query) => [query.id, new Map<number, number>()]),
    );
    for (let offset = 0; offset < queries.length; offset += MAX_QUERIES_PER_GET) {
      const batch: MetricDataQuery[] = queries.slice(offset, offset + MAX_QUERIES_PER_GET).map((query) => ({
        Id: query.id,
        MetricStat: {
          Metric: {
            Namespace: this.config.metricNamespace,
            MetricName: query.metricName,
            Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
          },
          Period: query.periodSeconds,
          Stat: query.statistic,
        },
        ReturnData: true,
      }));
      for await (const results of this.metricDataPages(region, batch, startSeconds, endSeconds)) {
        for (const result of results) {
          const values = series[result.Id ?? ""];
          if (values === undefined)
            throw badAnswer(region, `result Id ${JSON.stringify(result.Id)} matches no query`, "GetMetricData");
          (result.Timestamps ?? []).forEach((time, i) => {
            const value = result.Values?.[i];
            if (time instanceof Date && typeof value === "number") values.set(Math.round(time.getTime() / 1000), value);
          });
        }
      }
    }
    return series;
  }

  /**
   * GetMetricData for one batch of queries (at most 500) over [startSeconds, endSeconds),
   * oldest first, one page of results at a time. A listing that has not
   * ended after MAX_GET_PAGES pages is a broken endpoint, not data: it throws
   * rather than return a silently truncated series.
   */
  private async *metricDataPages(
    region: string,
    queries: MetricDataQuery[],
    startSeconds: number,
    endSeconds: number,
  ): AsyncGenerator<MetricDataResult[]> {
    let nextToken: string | undefined;
    for (let page = 1; ; page++) {
      if (page > MAX_GET_PAGES)
        throw new CloudWatchError(
          "CLOUDWATCH_BAD_ANSWER",
          `GetMetricData in ${region} did not stop paging after ${MAX_GET_PAGES} pages`,
        );
      const output = await this.bus.send(region, "GetMetricData", (client, signal) =>
        client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(startSeconds * 1000),
            EndTime: new Date(endSeconds * 1000),
            ScanBy: "TimestampAscending",
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
          { abortSignal: signal },
        ),
      );
      const results = output.MetricDataResults;
      if (!Array.isArray(results)) throw badAnswer(region, "MetricDataResults is not a list", "GetMetricData");
      yield results;
      nextToken = output.NextToken || undefined;
      if (!nextToken) return;
    }
  }
}
