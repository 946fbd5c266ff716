import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  type MetricDataQuery,
  type MetricDataResult,
  type MetricDatum,
  type StandardUnit,
} from "@aws-sdk/client-cloudwatch";
import type { AlarmDefinition } from "../alarms.ts";
import type { FailoverConfig } from "../config.ts";
import { FailoverError } from "../errors.ts";
import { Dimension, Metric, voteGroups, type MetricName, type VoteGroup } from "../metrics.ts";
import type { ProbeErrorKind, ProbeRound, Weights } from "../types.ts";
import { clientConfig, endpointOverride, type AwsClientOptions } from "./client-config.ts";
import {
  describeAwsError,
  retrySettings,
  withRetry,
  type GiveUp,
  type RetryOptions,
  type RetrySettings,
} from "./retry.ts";
import { callBytesOf, CallStats } from "./stats.ts";

/**
 * CloudWatch adapter: the only module that imports `@aws-sdk/client-cloudwatch`.
 *
 * Probes publish each round to every control region, in parallel and
 * independently; deciders read their window back with as few GetMetricData
 * calls as the limits allow; both publish their own metrics for the alarms.
 * Metric and dimension names come from ../metrics.ts.
 *
 * Cost shapes this file (see offline/cost/counts.ts, kept honest by
 * test/integration/cost-drift.test.ts): a probe round is one ProbeVotes
 * datum per 16 targets, not one metric per target; a decider sends its
 * steady series once a minute and its events only when they happen.
 *
 * Alarms: the notifier outside the first control region asks the first
 * region for an alarm's state ({@link MetricsBus.alarmState}) to post only
 * what that region will not; the drill creates the alarms and sets their
 * states, since the emulator never evaluates them.
 */

export interface ProbeCheckResult {
  target: string;
  ok: boolean;
  latencyMs: number;
  status?: number;
  errorKind?: ProbeErrorKind;
}

export interface ProbeRoundReport {
  vantage: string;
  /** Epoch seconds, aligned round start. */
  at: number;
  /** False when the canary failed: ProbeVotes is then not published (no vote). */
  voting: boolean;
  canary?: { ok: boolean; latencyMs: number };
  results: ProbeCheckResult[];
}

export interface DecisionMetrics {
  at: number;
  controlRegion: string;
  weights: Weights;
  health: Record<string, "up" | "down" | "unknown">;
  switchovers: Array<{ target: string; direction: string; mode: "automatic" | "manual" }>;
  allDown: boolean;
  flapHeld: string[];
  overrideAgeSeconds: number;
  heartbeat: boolean;
}

export interface RegionResult {
  region: string;
  ok: boolean;
  error?: FailoverError;
  /** PutMetricData calls (HTTP attempts) made to this region. */
  calls: number;
  /** Request plus response bytes exchanged with this region. */
  bytes: number;
}

/** One series for {@link MetricsBus.readSeries}: a metric of the config's namespace, its exact dimensions, a statistic and a period. */
export interface SeriesQuery {
  id: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: "Sum" | "Maximum" | "Minimum" | "Average" | "SampleCount";
  periodSeconds: number;
}

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

/** PutMetricData limits: 1,000 datums and 1 MB per request (we stay under 900 kB of JSON). */
const MAX_DATUMS_PER_PUT = 1000;
const MAX_PUT_BYTES = 900_000;
/** GetMetricData limits: 500 queries and 100,800 datapoints per call. */
const MAX_QUERIES_PER_GET = 500;
const MAX_DATAPOINTS_PER_GET = 100_800;
const MAX_GET_PAGES = 100;
/** Default bound of {@link MetricsBus.alarmState}, retries included: a dead region must not hold up an alert. */
const ALARM_STATE_TIMEOUT_MS = 2000;
const alarmStates: ReadonlySet<string> = new Set<AlarmStateValue>(["OK", "ALARM", "INSUFFICIENT_DATA"]);

export class MetricsBus {
  /** Calls and bytes per CloudWatch operation, all regions together. */
  readonly stats: CallStats;
  private readonly retry: RetrySettings;
  private readonly clients = new Map<string, CloudWatchClient>();
  private readonly clientFor: (region: string) => CloudWatchClient;
  /** How targets map to ProbeVotes bits (../metrics.ts voteGroups). */
  private readonly voteGroups: VoteGroup[];
  /** Per `deciderRegion>destination`: the minute of the steady series last sent there, and their values. */
  private readonly sentThisMinute = new Map<string, { minute: number; values: Map<string, number | undefined> }>();

  constructor(
    private readonly config: FailoverConfig,
    options: MetricsBusOptions = {},
  ) {
    this.stats = options.stats ?? new CallStats();
    this.voteGroups = voteGroups(config.targets.map((t) => t.id));
    this.retry = retrySettings({ budgetMs: 4000, attemptTimeoutMs: 2000, ...options.retry });
    const make =
      options.clientFor ??
      ((region: string) => {
        const regional = { ...options, endpoint: options.endpointFor?.(region) ?? options.endpoint };
        return new CloudWatchClient({
          ...clientConfig(region, regional),
          // moto answers 500 to a gzip-compressed body (the SDK compresses bodies of 10 KiB and more); AWS accepts either.
          ...(endpointOverride(regional) !== undefined ? { disableRequestCompression: true } : {}),
        });
      });
    this.clientFor = (region) => {
      let client = this.clients.get(region);
      if (!client) {
        client = make(region);
        this.stats.attachTo(client);
        this.clients.set(region, client);
      }
      return client;
    };
  }

  /**
   * Publishes one probe round to every region (default: the control
   * regions), in parallel; one region failing never stops another. A voting
   * round sends one ProbeVotes datum per vote group; ProbeLatency only with
   * `probe.publishLatency`; CanarySuccess when the round tried a canary.
   */
  publishProbeRound(report: ProbeRoundReport, regions: string[] = this.config.controlRegions): Promise<RegionResult[]> {
    const timestamp = new Date(report.at * 1000);
    const vantage = { Name: Dimension.Vantage, Value: report.vantage };
    const datums: MetricDatum[] = [];
    if (report.voting) {
      const results = new Map(report.results.map((result) => [result.target, result.ok]));
      for (const group of this.voteGroups)
        datums.push(
          datum(
            Metric.ProbeVotes,
            encodeVotes(group, results),
            [vantage, { Name: Dimension.TargetGroup, Value: group.dimension }],
            timestamp,
          ),
        );
    }
    if (this.config.probe.publishLatency) {
      for (const result of report.results)
        datums.push(
          datum(
            Metric.ProbeLatency,
            result.latencyMs,
            [{ Name: Dimension.Target, Value: result.target }, vantage],
            timestamp,
            "Milliseconds",
          ),
        );
    }
    if (report.canary) datums.push(datum(Metric.CanarySuccess, report.canary.ok ? 1 : 0, [vantage], timestamp));
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
   * everything again next round.
   */
  publishDecision(metrics: DecisionMetrics, regions: string[] = this.config.controlRegions): Promise<RegionResult[]> {
    const timestamp = new Date(metrics.at * 1000);
    const minute = Math.floor(metrics.at / 60);
    const target = (id: string) => ({ Name: Dimension.Target, Value: id });
    const everywhere: MetricDatum[] = [];
    const ownRegion: MetricDatum[] = [];
    if (metrics.heartbeat)
      everywhere.push(
        datum(Metric.DeciderHeartbeat, 1, [{ Name: Dimension.ControlRegion, Value: metrics.controlRegion }], timestamp),
      );
    for (const [id, weight] of Object.entries(metrics.weights))
      ownRegion.push(datum(Metric.TargetWeight, weight, [target(id)], timestamp));
    // Verdicts only while something is down: an all-up minute is the norm and TargetWeight already shows it.
    if (Object.values(metrics.health).includes("down")) {
      for (const [id, health] of Object.entries(metrics.health)) {
        if (health !== "unknown")
          ownRegion.push(datum(Metric.TargetHealthy, health === "up" ? 1 : 0, [target(id)], timestamp));
      }
    }
    if (metrics.allDown) ownRegion.push(datum(Metric.AllTargetsDown, 1, [], timestamp));
    if (metrics.flapHeld.length > 0) ownRegion.push(datum(Metric.FlapBudgetSpent, 1, [], timestamp));
    for (const id of metrics.flapHeld) ownRegion.push(datum(Metric.FlapBudgetSpent, 1, [target(id)], timestamp));
    if (metrics.overrideAgeSeconds > 0)
      ownRegion.push(datum(Metric.OverrideAgeSeconds, metrics.overrideAgeSeconds, [], timestamp, "Seconds"));
    const events: MetricDatum[] = [];
    if (metrics.switchovers.length > 0)
      events.push(datum(Metric.Switchover, metrics.switchovers.length, [], timestamp));
    for (const s of metrics.switchovers) {
      events.push(
        datum(
          Metric.Switchover,
          1,
          [
            target(s.target),
            { Name: Dimension.Direction, Value: s.direction },
            { Name: Dimension.Mode, Value: s.mode },
          ],
          timestamp,
        ),
      );
    }
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
        const values = previous?.minute === minute ? previous.values : new Map<string, number | undefined>();
        for (const d of sentDatums) if (d.MetricName !== Metric.Switchover) values.set(seriesKey(d), d.Value);
        this.sentThisMinute.set(key, { minute, values });
      },
    );
  }

  /**
   * Reads the votes of every vantage over the rounds in
   * (now - windowSeconds, now], oldest first, one entry per round (a round
   * nobody published has empty votes; a target a vantage has no result for
   * is left out of its votes). One ProbeVotes query per vantage and vote
   * group, statistic Maximum with a period of one round (one datum per round).
   * StartTime is aligned down to the probe interval so each bucket is
   * exactly one round.
   */
  async readWindow(region: string, now: number, windowSeconds: number): Promise<ProbeRound[]> {
    const period = this.config.probe.intervalSeconds;
    if (!Number.isFinite(now) || !(windowSeconds > 0))
      throw new CloudWatchError(
        "CLOUDWATCH_INVALID_INPUT",
        `readWindow needs a time and a positive window, got now=${now}, windowSeconds=${windowSeconds}`,
      );
    const lastRound = Math.floor(now / period) * period;
    const roundCount = Math.max(1, Math.ceil(windowSeconds / period));
    const firstRound = lastRound - (roundCount - 1) * period;
    const series = this.config.vantages.flatMap((vantage) => this.voteGroups.map((group) => ({ vantage, group })));
    const queries: MetricDataQuery[] = series.map(({ vantage, group }, index) => ({
      Id: `q${index}`,
      MetricStat: {
        Metric: {
          Namespace: this.config.metricNamespace,
          MetricName: Metric.ProbeVotes,
          Dimensions: [
            { Name: Dimension.Vantage, Value: vantage },
            { Name: Dimension.TargetGroup, Value: group.dimension },
          ],
        },
        Period: period,
        Stat: "Maximum",
      },
      ReturnData: true,
    }));
    const rounds = new Map<number, ProbeRound>();
    for (let at = firstRound; at <= lastRound; at += period) rounds.set(at, { at, votes: {} });
    const perCall = Math.max(1, Math.min(MAX_QUERIES_PER_GET, Math.floor(MAX_DATAPOINTS_PER_GET / roundCount)));
    for (let offset = 0; offset < queries.length; offset += perCall) {
      for await (const results of this.metricDataPages(
        region,
        queries.slice(offset, offset + perCall),
        firstRound,
        lastRound + period,
      )) {
        for (const result of results) {
          const index = /^q(\d+)$/.exec(result.Id ?? "")?.[1];
          const one = index === undefined ? undefined : series[Number(index)];
          if (!one) throw badAnswer(region, `result Id ${JSON.stringify(result.Id)} matches no query`);
          const timestamps = result.Timestamps ?? [];
          const values = result.Values ?? [];
          if (!Array.isArray(timestamps) || !Array.isArray(values) || timestamps.length !== values.length)
            throw badAnswer(
              region,
              `result ${result.Id} has ${timestamps.length} timestamps but ${values.length} values`,
            );
          timestamps.forEach((time, i) => {
            const value = values[i];
            const seconds = time instanceof Date ? time.getTime() / 1000 : Number.NaN;
            if (
              !Number.isFinite(seconds) ||
              typeof value !== "number" ||
              !Number.isInteger(value) ||
              value < 0 ||
              value >= 2 ** 32
            )
              throw badAnswer(region, `result ${result.Id} has a malformed datapoint at position ${i}`);
            const round = rounds.get(Math.floor(seconds / period) * period);
            if (round) {
              const votes = round.votes[one.vantage] ?? {};
              round.votes[one.vantage] = votes;
              decodeVotes(one.group, value, votes);
            }
          });
        }
      }
    }
    return [...rounds.values()];
  }

  /**
   * Reads any metric series of this namespace over [startSeconds, endSeconds)
   * (align `startSeconds` to the period): values by query id, keyed by
   * period start in epoch seconds. For the drill's alarm evaluator, which
   * stands in for CloudWatch's own alarm evaluation (moto never evaluates).
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
          if (values === undefined) throw badAnswer(region, `result Id ${JSON.stringify(result.Id)} matches no query`);
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
    return alarm.StateValue as AlarmStateValue;
  }

  /**
   * Creates (or updates) `definitions` as metric alarms in `region`, each
   * with alarm and OK actions to `topicArns`, as stacks/alerts.ts deploys
   * them. For the drill and tests: the emulator stores alarms (so
   * {@link alarmState} answers) but never evaluates them.
   */
  async putAlarms(region: string, definitions: readonly AlarmDefinition[], topicArns: string[] = []): Promise<void> {
    for (const definition of definitions) {
      await this.call(region, "PutMetricAlarm", (signal) =>
        this.clientFor(region).send(
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
    await this.call(region, "SetAlarmState", (signal) =>
      this.clientFor(region).send(
        new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: state, StateReason: reason.slice(0, 1023) }),
        { abortSignal: signal },
      ),
    );
  }

  /**
   * GetMetricData for one batch of queries over [startSeconds, endSeconds),
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
    const client = this.clientFor(region);
    let nextToken: string | undefined;
    for (let page = 1; ; page++) {
      if (page > MAX_GET_PAGES)
        throw new CloudWatchError(
          "CLOUDWATCH_BAD_ANSWER",
          `GetMetricData in ${region} did not stop paging after ${MAX_GET_PAGES} pages`,
        );
      const output = await this.call(region, "GetMetricData", (signal) =>
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
      if (!Array.isArray(results)) throw badAnswer(region, "MetricDataResults is not a list");
      yield results;
      nextToken = output.NextToken || undefined;
      if (!nextToken) return;
    }
  }

  /** Sends `datumsFor(region)` to each region (nothing at all when empty); `sent` hears of each region that took all of its datums. */
  private async publishEverywhere(
    datumsFor: (region: string) => MetricDatum[],
    regions: string[],
    sent?: (region: string, datums: MetricDatum[]) => void,
  ): Promise<RegionResult[]> {
    return Promise.all(
      regions.map(async (region): Promise<RegionResult> => {
        const tally = { calls: 0, bytes: 0 };
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
    const counted = async (signal: AbortSignal) => {
      try {
        const output = await send(signal);
        count(tally, output);
        return output;
      } catch (error) {
        count(tally, error);
        throw error;
      }
    };
    return withRetry(counted, retry, (giveUp) => cloudWatchFailure(region, operation, giveUp));
  }
}

function count(tally: { calls: number; bytes: number } | undefined, outputOrError: unknown): void {
  if (!tally) return;
  const bytes = callBytesOf(outputOrError);
  tally.calls += 1;
  tally.bytes += bytes.requestBytes + bytes.responseBytes;
}

function datum(
  name: MetricName,
  value: number,
  dimensions: Array<{ Name: string; Value: string }>,
  timestamp: Date,
  unit: StandardUnit = "None",
): MetricDatum {
  return {
    MetricName: name,
    Value: value,
    Dimensions: dimensions,
    Timestamp: timestamp,
    Unit: unit,
    StorageResolution: 1,
  };
}

/** One series' identity: name and dimensions. */
function seriesKey(d: MetricDatum): string {
  return `${d.MetricName}|${(d.Dimensions ?? []).map((dim) => `${dim.Name}=${dim.Value}`).join(",")}`;
}

/** ProbeVotes value of a group: bit i of the low 16 bits = its i-th target passed; of the high 16 bits = no result for it. */
function encodeVotes(group: VoteGroup, results: Map<string, boolean>): number {
  let passed = 0;
  let silent = 0;
  group.targets.forEach((id, bit) => {
    const ok = results.get(id);
    if (ok === undefined) silent += 2 ** bit;
    else if (ok) passed += 2 ** bit;
  });
  return passed + silent * 2 ** 16;
}

/** Writes a ProbeVotes value's votes into `votes` (target -> passed), leaving silent targets out. */
function decodeVotes(group: VoteGroup, value: number, votes: Record<string, boolean>): void {
  const passed = value % 2 ** 16;
  const silent = Math.floor(value / 2 ** 16);
  group.targets.forEach((id, bit) => {
    if (Math.floor(silent / 2 ** bit) % 2 === 0) votes[id] = Math.floor(passed / 2 ** bit) % 2 === 1;
  });
}

/** Splits datums into PutMetricData calls of at most 1,000 datums and well under 1 MB. */
export function chunkDatums<T>(datums: T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of datums) {
    const size = JSON.stringify(item).length + 16;
    if (current.length > 0 && (current.length >= MAX_DATUMS_PER_PUT || bytes + size > MAX_PUT_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function badAnswer(region: string, why: string, operation = "GetMetricData"): CloudWatchError {
  return new CloudWatchError(
    "CLOUDWATCH_BAD_ANSWER",
    `CloudWatch ${operation} in ${region} answered malformed data: ${why}`,
    { hint: "Check the endpoint (AWS_ENDPOINT_URL) points at CloudWatch or a compatible emulator." },
  );
}

function cloudWatchFailure(region: string, operation: string, giveUp: GiveUp): CloudWatchError {
  const { kind, attempts, elapsedMs, cause } = giveUp;
  const detail = describeAwsError(cause);
  const tries = `${attempts} attempt${attempts === 1 ? "" : "s"} in ${elapsedMs} ms`;
  if (kind === "throttled")
    return new CloudWatchError(
      "CLOUDWATCH_THROTTLED",
      `CloudWatch ${operation} in ${region} was throttled (${tries}): ${detail}`,
      {
        cause,
        hint: "Raise the CloudWatch API quota for the account, or fewer vantages per control region; the next round tries again.",
      },
    );
  if (kind === "unavailable")
    return new CloudWatchError(
      "CLOUDWATCH_UNAVAILABLE",
      `CloudWatch ${operation} in ${region} failed (${tries}): ${detail}`,
      {
        cause,
        hint: "The region's CloudWatch is unreachable; the other control region carries on. The next round tries again.",
      },
    );
  if (kind === "bad-answer")
    return new CloudWatchError(
      "CLOUDWATCH_BAD_ANSWER",
      `CloudWatch ${operation} in ${region} answered something that is not a valid CloudWatch response: ${detail}`,
      { cause, hint: "Check the endpoint (AWS_ENDPOINT_URL) points at CloudWatch or a compatible emulator." },
    );
  return new CloudWatchError("CLOUDWATCH_REJECTED", `CloudWatch ${operation} in ${region} was refused: ${detail}`, {
    cause,
    hint: `Check the IAM permissions (cloudwatch:${operation}) and the request; retrying will not help.`,
  });
}
