import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { FailoverConfig } from "../config.ts";
import { FailoverError } from "../errors.ts";
import type { RegionResult } from "../region-result.ts";
import {
  chunkDatums,
  decisionDatums,
  probeRoundDatums,
  seriesKey,
  slackRefusedDatums,
  switchoverDatums,
  type Datum,
  type DecisionMetrics,
} from "../metric-datums.ts";
import { Metric } from "../metrics.ts";
import type { ProbeRoundReport } from "../probe/report.ts";
import type { CanaryAlarmSpec } from "../dataplane/canary-alarm.ts";
import { clientConfig, endpointOverride, type AwsClientOptions } from "./client-config.ts";
import { awsFailure, failureCodes } from "./failure.ts";
import {
  describeAwsError,
  retrySettings,
  withRetry,
  type GiveUp,
  type RetryOptions,
  type RetrySettings,
} from "./retry.ts";
import { CallStats, clientsPerRegion, tallied } from "./stats.ts";
import { requireSdk } from "./require-sdk.ts";

/** The SDK, loaded with the adapter: every function that imports this module calls CloudWatch each invocation. */
const cloudWatch = requireSdk<typeof import("@aws-sdk/client-cloudwatch")>("@aws-sdk/client-cloudwatch");
const { DescribeAlarmsCommand, PutMetricAlarmCommand, PutMetricDataCommand } = cloudWatch;

/**
 * CloudWatch adapter: the only deployed module that imports
 * `@aws-sdk/client-cloudwatch`. What is sent is built in
 * ../metric-datums.ts. CloudWatch carries what alarms and dashboards need,
 * never the votes a decider counts (those are in the votes table,
 * ./vote-table.ts): probes publish their liveness, latency and canary
 * series, deciders and the manual function their decision metrics, to
 * every control region, in parallel and independently.
 *
 * Alarms: the notifier outside the first control region asks the first
 * region for an alarm's state ({@link MetricsBus.alarmState}) to post only
 * what that region will not. The drill's alarm set-up and evaluation
 * (emulator/cloudwatch-admin.ts, GetMetricData included) go through
 * {@link MetricsBus.send}, since the emulator never evaluates alarms.
 */

/** A CloudWatch alarm's state. */
export type AlarmStateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export type CloudWatchErrorCode =
  | "CLOUDWATCH_THROTTLED"
  | "CLOUDWATCH_UNAVAILABLE"
  | "CLOUDWATCH_BAD_ANSWER"
  | "CLOUDWATCH_REJECTED"
  | "CLOUDWATCH_INVALID_INPUT";

export class CloudWatchError extends FailoverError {
  declare readonly code: CloudWatchErrorCode;
  constructor(code: CloudWatchErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
  }
}

export interface MetricsBusOptions extends AwsClientOptions {
  /** Client for a region (tests, the drill, a fault proxy per region). @default a cached client per region from `endpoint`/`credentials` */
  clientFor?: (region: string) => CloudWatchClient;
  /** Endpoint per region (the drill's dead region; tests); undefined falls back to `endpoint`. @default none */
  endpointFor?: (region: string) => string | undefined;
  /** Retry budget per region and call; a dead region costs at most this. @default 4 s budget, 2 s per attempt */
  retry?: RetryOptions;
  /** Shared call counters. @default a new CallStats */
  stats?: CallStats;
}

/** Default bound of {@link MetricsBus.alarmState}, retries included: a dead region must not hold up an alert. */
const ALARM_STATE_TIMEOUT_MS = 2000;
const alarmStates: ReadonlySet<string> = new Set<AlarmStateValue>(["OK", "ALARM", "INSUFFICIENT_DATA"]);

export class MetricsBus {
  /** Calls and bytes per CloudWatch operation, all regions together. */
  readonly stats: CallStats;
  private readonly retry: RetrySettings;
  private readonly clientFor: (region: string) => CloudWatchClient;
  /** Per `deciderRegion>destination`: the minute of the steady series last sent there, and their values. */
  private readonly sentThisMinute = new Map<string, { minute: number; values: Map<string, number> }>();

  constructor(
    private readonly config: FailoverConfig,
    options: MetricsBusOptions = {},
  ) {
    this.stats = options.stats ?? new CallStats();
    this.retry = retrySettings({ budgetMs: 4000, attemptTimeoutMs: 2000, ...options.retry });
    const make =
      options.clientFor ??
      ((region: string) => {
        const regional = { ...options, endpoint: options.endpointFor?.(region) ?? options.endpoint };
        return new cloudWatch.CloudWatchClient({
          ...clientConfig(region, regional),
          // moto answers 500 to a gzip-compressed body (the SDK compresses bodies of 10 KiB and more); AWS accepts either.
          ...(endpointOverride(regional) !== undefined ? { disableRequestCompression: true } : {}),
        });
      });
    this.clientFor = clientsPerRegion(make, this.stats);
  }

  /**
   * Publishes one probe round to every region (default: the control
   * regions), in parallel; one region failing never stops another. A voting
   * round sends one ProbeVotes datum; ProbeLatency only with
   * `probe.publishLatency`; CanarySuccess when the round tried a canary.
   */
  publishProbeRound(report: ProbeRoundReport, regions: string[] = this.config.controlRegions): Promise<RegionResult[]> {
    const datums = probeRoundDatums(report, this.config.probe.publishLatency);
    return this.publishEverywhere(() => datums, regions);
  }

  /**
   * Publishes the decider's metrics (names and where each goes in
   * ../metrics.ts) to every region (default: the control regions). Steady
   * series (heartbeat, weights, health, held flags, lease age) go once per
   * minute and per region, and again within the minute only when their value
   * changes: every alarm and dashboard uses periods of 60 s or more, so the
   * other rounds of the minute would add requests and nothing else. Events
   * (Switchover) go whenever they happen. A region whose publish failed gets
   * everything again next round. A region in `oneTry` (default none) gets
   * one attempt, not the retry budget: the decider names a region whose
   * signal store failed this round, so a lost region costs its round one
   * attempt timeout, while a region whose SSM alone fails still gets the
   * heartbeat its decider-blind alarm counts.
   */
  publishDecision(
    metrics: DecisionMetrics,
    regions: string[] = this.config.controlRegions,
    oneTry: ReadonlySet<string> = new Set(),
  ): Promise<RegionResult[]> {
    const minute = Math.floor(metrics.at / 60);
    const { everywhere, ownRegion, events } = decisionDatums(metrics, { weights: this.config.publishWeights });
    return this.publishEverywhere(
      (region) => {
        const steady = region === metrics.controlRegion ? [...everywhere, ...ownRegion] : everywhere;
        const sent = this.sentThisMinute.get(`${metrics.controlRegion}>${region}`);
        const fresh =
          sent === undefined || sent.minute !== minute
            ? steady
            : steady.filter((d) => sent.values.get(seriesKey(d)) !== d.Value);
        return [...fresh, ...events];
      },
      regions,
      (region, sentDatums) => {
        const key = `${metrics.controlRegion}>${region}`;
        const previous = this.sentThisMinute.get(key);
        const values = previous?.minute === minute ? previous.values : new Map<string, number>();
        for (const d of sentDatums) if (d.MetricName !== Metric.Switchover) values.set(seriesKey(d), d.Value);
        this.sentThisMinute.set(key, { minute, values });
      },
      oneTry,
    );
  }

  /** Counts one request the Slack command refused, in `region` (its alarm's input). */
  async publishSlackRefused(region: string, at: number): Promise<RegionResult> {
    const [result] = await this.publishEverywhere(() => slackRefusedDatums(at), [region]);
    return result as RegionResult;
  }

  /**
   * Publishes the Switchover datums of a switch made outside a decider round
   * (a manual change) to every region (default: the control regions), so
   * the switchover alarm and dashboards in each count it once, as they count
   * a decider's. A region that fails is answered, never retried later.
   */
  publishSwitchovers(
    at: number,
    switchovers: DecisionMetrics["switchovers"],
    regions: string[] = this.config.controlRegions,
  ): Promise<RegionResult[]> {
    const datums = switchoverDatums(switchovers, new Date(at * 1000));
    return this.publishEverywhere(() => datums, regions);
  }

  /**
   * The state of the alarm named `alarmName` in `region` (DescribeAlarms),
   * or undefined when that region has no such alarm. One bounded look
   * (`timeoutMs` in all, retries included), for the notifier's question
   * "will the first control region announce this alarm itself?": a region
   * that does not answer in time throws a CloudWatchError, and the caller
   * posts instead.
   */
  async alarmState(
    region: string,
    alarmName: string,
    options: { timeoutMs?: number } = {},
  ): Promise<AlarmStateValue | undefined> {
    return (await this.alarmStatus(region, alarmName, options))?.state;
  }

  /**
   * {@link MetricsBus.alarmState} with when the alarm entered that state
   * (`sinceMs`, epoch ms by that region's CloudWatch; undefined when it does
   * not say): which region's notifier saw a change first.
   */
  async alarmStatus(
    region: string,
    alarmName: string,
    options: { timeoutMs?: number } = {},
  ): Promise<{ state: AlarmStateValue; sinceMs: number | undefined } | undefined> {
    const timeoutMs = options.timeoutMs ?? ALARM_STATE_TIMEOUT_MS;
    const bounded = { ...this.retry, budgetMs: timeoutMs, attemptTimeoutMs: timeoutMs };
    const output = await this.call(
      region,
      "DescribeAlarms",
      (signal) =>
        this.clientFor(region).send(
          new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ["MetricAlarm"] }),
          { abortSignal: signal },
        ),
      undefined,
      bounded,
    );
    if (output.MetricAlarms !== undefined && !Array.isArray(output.MetricAlarms))
      throw badAnswer(region, "MetricAlarms is not a list", "DescribeAlarms");
    const alarm = output.MetricAlarms?.find((candidate) => candidate.AlarmName === alarmName);
    if (alarm === undefined) return undefined;
    if (!alarmStates.has(alarm.StateValue ?? ""))
      throw badAnswer(region, `alarm ${alarmName} has state ${JSON.stringify(alarm.StateValue)}`, "DescribeAlarms");
    const since = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp;
    return { state: alarm.StateValue as AlarmStateValue, sinceMs: since?.getTime() };
  }

  /**
   * The states of the practice runs' alarms (config `practice`), by
   * `region:name`: one DescribeAlarms per region (at most 100 names each).
   * An alarm that does not exist, or whose region does not answer within
   * `timeoutMs`, is left out (unreadable: the practice step refuses a start
   * on it and cannot call a run SUCCEEDED). Never throws.
   */
  async practiceAlarms(
    alarms: readonly { name: string; region: string }[],
    options: { timeoutMs?: number } = {},
  ): Promise<Record<string, AlarmStateValue>> {
    const timeoutMs = options.timeoutMs ?? ALARM_STATE_TIMEOUT_MS;
    const bounded = { ...this.retry, budgetMs: timeoutMs, attemptTimeoutMs: timeoutMs };
    const regions = [...new Set(alarms.map((alarm) => alarm.region))];
    const states: Record<string, AlarmStateValue> = {};
    await Promise.all(
      regions.map(async (region) => {
        const names = [...new Set(alarms.filter((alarm) => alarm.region === region).map((alarm) => alarm.name))];
        try {
          const output = await this.call(
            region,
            "DescribeAlarms",
            (signal) =>
              this.clientFor(region).send(new DescribeAlarmsCommand({ AlarmNames: names.slice(0, 100) }), {
                abortSignal: signal,
              }),
            undefined,
            bounded,
          );
          const found = [...(output.MetricAlarms ?? []), ...(output.CompositeAlarms ?? [])];
          for (const alarm of Array.isArray(found) ? found : [])
            if (
              alarm.AlarmName !== undefined &&
              names.includes(alarm.AlarmName) &&
              alarmStates.has(alarm.StateValue ?? "")
            )
              states[`${region}:${alarm.AlarmName}`] = alarm.StateValue as AlarmStateValue;
        } catch {
          // Unreadable: left out, and the practice step treats it as such.
        }
      }),
    );
    return states;
  }

  /**
   * The metric alarm `alarmName` in `region` as its settings read (the
   * fields a {@link CanaryAlarmSpec} has), or undefined when there is none.
   */
  async metricAlarm(region: string, alarmName: string): Promise<Partial<CanaryAlarmSpec> | undefined> {
    const output = await this.call(region, "DescribeAlarms", (signal) =>
      this.clientFor(region).send(new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ["MetricAlarm"] }), {
        abortSignal: signal,
      }),
    );
    if (output.MetricAlarms !== undefined && !Array.isArray(output.MetricAlarms))
      throw badAnswer(region, "MetricAlarms is not a list", "DescribeAlarms");
    const alarm = output.MetricAlarms?.find((candidate) => candidate.AlarmName === alarmName);
    if (alarm === undefined) return undefined;
    const { AlarmName, AlarmDescription, Namespace, MetricName, Dimensions, Statistic, Period } = alarm;
    const { EvaluationPeriods, DatapointsToAlarm, Threshold, ComparisonOperator, TreatMissingData } = alarm;
    return {
      AlarmName,
      AlarmDescription,
      Namespace,
      MetricName,
      Dimensions,
      Statistic,
      Period,
      EvaluationPeriods,
      DatapointsToAlarm,
      Threshold,
      ComparisonOperator,
      TreatMissingData,
      AlarmActions: alarm.AlarmActions ?? [],
      OKActions: alarm.OKActions ?? [],
    } as Partial<CanaryAlarmSpec>;
  }

  /** Creates or replaces (PutMetricAlarm overwrites by name) a metric alarm in `region`. */
  async putMetricAlarm(region: string, spec: CanaryAlarmSpec): Promise<void> {
    await this.call(region, "PutMetricAlarm", (signal) =>
      this.clientFor(region).send(new PutMetricAlarmCommand(spec), { abortSignal: signal }),
    );
  }

  /**
   * Runs one CloudWatch call in `region` with this bus's client, retries,
   * counters and error mapping: for calls only the emulator side makes
   * (emulator/cloudwatch-admin.ts puts alarms, sets their states and reads series).
   */
  send<T>(
    region: string,
    operation: string,
    send: (client: CloudWatchClient, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return this.call(region, operation, (signal) => send(this.clientFor(region), signal));
  }

  /** Sends `datumsFor(region)` to each region (nothing at all when empty); `sent` hears of each region that took all of its datums. */
  private async publishEverywhere(
    datumsFor: (region: string) => Datum[],
    regions: string[],
    sent?: (region: string, datums: Datum[]) => void,
    oneTry: ReadonlySet<string> = new Set(),
  ): Promise<RegionResult[]> {
    const single = { ...this.retry, maxAttempts: 1 };
    return Promise.all(
      regions.map(async (region): Promise<RegionResult> => {
        const tally = { calls: 0, bytes: 0 };
        const retry = oneTry.has(region) ? single : this.retry;
        try {
          const datums = datumsFor(region);
          for (const chunk of chunkDatums(datums)) {
            await this.call(
              region,
              "PutMetricData",
              (signal) =>
                this.clientFor(region).send(
                  new PutMetricDataCommand({ Namespace: this.config.metricNamespace, MetricData: chunk }),
                  { abortSignal: signal },
                ),
              tally,
              retry,
            );
          }
          sent?.(region, datums);
          return { region, ok: true, ...tally };
        } catch (error) {
          const failure =
            error instanceof FailoverError
              ? error
              : new CloudWatchError(
                  "CLOUDWATCH_UNAVAILABLE",
                  `PutMetricData to ${region} failed: ${describeAwsError(error)}`,
                  { cause: error },
                );
          return { region, ok: false, error: failure, ...tally };
        }
      }),
    );
  }

  /** One SDK call with retries; counts attempts and bytes into `tally`; every failure becomes a CloudWatchError. */
  private call<T>(
    region: string,
    operation: string,
    send: (signal: AbortSignal) => Promise<T>,
    tally?: { calls: number; bytes: number },
    retry: RetrySettings = this.retry,
  ): Promise<T> {
    const counted = (signal: AbortSignal) => tallied(tally, () => send(signal));
    return withRetry(counted, retry, (giveUp) => cloudWatchFailure(region, operation, giveUp));
  }
}

/** A CloudWatchError for an answer that lacks what the operation promises. */
export function badAnswer(region: string, why: string, operation: string): CloudWatchError {
  return new CloudWatchError(
    "CLOUDWATCH_BAD_ANSWER",
    `CloudWatch ${operation} in ${region} answered malformed data: ${why}`,
    { hint: "Check the endpoint (AWS_ENDPOINT_URL) points at CloudWatch or a compatible emulator." },
  );
}

function cloudWatchFailure(region: string, operation: string, giveUp: GiveUp): CloudWatchError {
  const failure = awsFailure(
    {
      service: "CloudWatch",
      operation,
      where: `in ${region}`,
      codes: failureCodes("CLOUDWATCH"),
      hints: {
        throttled:
          "Raise the CloudWatch API quota for the account, or fewer vantages per control region; the next round tries again.",
        unavailable:
          "The region's CloudWatch is unreachable; the other control region carries on. The next round tries again.",
        "bad-answer": "Check the endpoint (AWS_ENDPOINT_URL) points at CloudWatch or a compatible emulator.",
        rejected: `Check the IAM permissions (cloudwatch:${operation}) and the request; retrying will not help.`,
      },
    },
    giveUp,
  );
  return new CloudWatchError(failure.code as CloudWatchErrorCode, failure.message, failure.options);
}
