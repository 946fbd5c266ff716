import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDataQuery, type MetricDatum, type StandardUnit } from "@aws-sdk/client-cloudwatch";
import type { FailoverConfig } from "../config.ts";
import { FailoverError } from "../errors.ts";
import { Dimension, Metric, type MetricName } from "../metrics.ts";
import type { ProbeErrorKind, ProbeRound, Weights } from "../types.ts";
import { clientConfig, endpointOverride, type AwsClientOptions } from "./client-config.ts";
import { describeAwsError, retrySettings, withRetry, type GiveUp, type RetryOptions, type RetrySettings } from "./retry.ts";
import { callBytesOf, CallStats } from "./stats.ts";

/**
 * CloudWatch adapter: the only module that imports `@aws-sdk/client-cloudwatch`.
 *
 * Probes publish each round to every control region, in parallel and
 * independently; deciders read their window back with as few GetMetricData
 * calls as the limits allow; both publish their own metrics for the alarms.
 * Metric and dimension names come from ../metrics.ts.
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
  /** False when the canary failed: ProbeSuccess is then not published (no vote). */
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

export type CloudWatchErrorCode = "CLOUDWATCH_THROTTLED" | "CLOUDWATCH_UNAVAILABLE" | "CLOUDWATCH_BAD_ANSWER" | "CLOUDWATCH_REJECTED" | "CLOUDWATCH_INVALID_INPUT";

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

export class MetricsBus {
  /** Calls and bytes per CloudWatch operation, all regions together. */
  readonly stats: CallStats;
  private readonly retry: RetrySettings;
  private readonly clients = new Map<string, CloudWatchClient>();
  private readonly clientFor: (region: string) => CloudWatchClient;

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

  /** Publishes one probe round to every region (default: the control regions), in parallel; one region failing never stops another. */
  publishProbeRound(report: ProbeRoundReport, regions: string[] = this.config.controlRegions): Promise<RegionResult[]> {
    const timestamp = new Date(report.at * 1000);
    const vantage = { Name: Dimension.Vantage, Value: report.vantage };
    const datums: MetricDatum[] = [];
    for (const result of report.results) {
      const dims = [{ Name: Dimension.Target, Value: result.target }, vantage];
      if (report.voting) datums.push(datum(Metric.ProbeSuccess, result.ok ? 1 : 0, dims, timestamp));
      datums.push(datum(Metric.ProbeLatency, result.latencyMs, dims, timestamp, "Milliseconds"));
    }
    if (report.canary) datums.push(datum(Metric.CanarySuccess, report.canary.ok ? 1 : 0, [vantage], timestamp));
    datums.push(datum(Metric.VantageHeartbeat, 1, [vantage], timestamp));
    return this.publishEverywhere(datums, regions);
  }

  /** Publishes the decider's metrics (names in ../metrics.ts) to every region (default: the control regions). */
  publishDecision(metrics: DecisionMetrics, regions: string[] = this.config.controlRegions): Promise<RegionResult[]> {
    const timestamp = new Date(metrics.at * 1000);
    const datums: MetricDatum[] = [];
    const target = (id: string) => ({ Name: Dimension.Target, Value: id });
    if (metrics.heartbeat) datums.push(datum(Metric.DeciderHeartbeat, 1, [{ Name: Dimension.ControlRegion, Value: metrics.controlRegion }], timestamp));
    for (const [id, weight] of Object.entries(metrics.weights)) datums.push(datum(Metric.TargetWeight, weight, [target(id)], timestamp));
    for (const [id, health] of Object.entries(metrics.health)) {
      if (health !== "unknown") datums.push(datum(Metric.TargetHealthy, health === "up" ? 1 : 0, [target(id)], timestamp));
    }
    // Switchover without dimensions feeds the alarm; a 0 in quiet rounds keeps its data continuous.
    datums.push(datum(Metric.Switchover, metrics.switchovers.length, [], timestamp));
    for (const s of metrics.switchovers) {
      datums.push(datum(Metric.Switchover, 1, [target(s.target), { Name: Dimension.Direction, Value: s.direction }, { Name: Dimension.Mode, Value: s.mode }], timestamp));
    }
    datums.push(datum(Metric.AllTargetsDown, metrics.allDown ? 1 : 0, [], timestamp));
    datums.push(datum(Metric.FlapBudgetSpent, metrics.flapHeld.length > 0 ? 1 : 0, [], timestamp));
    for (const t of this.config.targets) datums.push(datum(Metric.FlapBudgetSpent, metrics.flapHeld.includes(t.id) ? 1 : 0, [target(t.id)], timestamp));
    datums.push(datum(Metric.OverrideAgeSeconds, metrics.overrideAgeSeconds, [], timestamp, "Seconds"));
    return this.publishEverywhere(datums, regions);
  }

  /**
   * Reads ProbeSuccess for every target × vantage over the rounds in
   * (now - windowSeconds, now], oldest first, one entry per round (a round
   * nobody published has empty votes). StartTime is aligned down to the
   * probe interval so each bucket is exactly one round.
   */
  async readWindow(region: string, now: number, windowSeconds: number): Promise<ProbeRound[]> {
    const period = this.config.probe.intervalSeconds;
    if (!Number.isFinite(now) || !(windowSeconds > 0)) throw new CloudWatchError("CLOUDWATCH_INVALID_INPUT", `readWindow needs a time and a positive window, got now=${now}, windowSeconds=${windowSeconds}`);
    const lastRound = Math.floor(now / period) * period;
    const roundCount = Math.max(1, Math.ceil(windowSeconds / period));
    const firstRound = lastRound - (roundCount - 1) * period;
    const pairs = this.config.targets.flatMap((t) => this.config.vantages.map((v) => ({ target: t.id, vantage: v })));
    const queries: MetricDataQuery[] = pairs.map((pair, index) => ({
      Id: `q${index}`,
      MetricStat: {
        Metric: { Namespace: this.config.metricNamespace, MetricName: Metric.ProbeSuccess, Dimensions: [{ Name: Dimension.Target, Value: pair.target }, { Name: Dimension.Vantage, Value: pair.vantage }] },
        Period: period,
        // Minimum: a duplicated publish of the same round cannot turn a failure into a pass.
        Stat: "Minimum",
      },
      ReturnData: true,
    }));
    const rounds = new Map<number, ProbeRound>();
    for (let at = firstRound; at <= lastRound; at += period) rounds.set(at, { at, votes: {} });
    const perCall = Math.max(1, Math.min(MAX_QUERIES_PER_GET, Math.floor(MAX_DATAPOINTS_PER_GET / roundCount)));
    const client = this.clientFor(region);
    for (let offset = 0; offset < queries.length; offset += perCall) {
      const batch = queries.slice(offset, offset + perCall);
      let nextToken: string | undefined;
      for (let page = 1; ; page++) {
        if (page > MAX_GET_PAGES) throw new CloudWatchError("CLOUDWATCH_BAD_ANSWER", `GetMetricData in ${region} did not stop paging after ${MAX_GET_PAGES} pages`);
        const output = await this.call(region, "GetMetricData", (signal) =>
          client.send(
            new GetMetricDataCommand({
              MetricDataQueries: batch,
              StartTime: new Date(firstRound * 1000),
              EndTime: new Date((lastRound + period) * 1000),
              ScanBy: "TimestampAscending",
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
            { abortSignal: signal },
          ),
        );
        const results = output.MetricDataResults;
        if (!Array.isArray(results)) throw badAnswer(region, "MetricDataResults is not a list");
        for (const result of results) {
          const index = /^q(\d+)$/.exec(result.Id ?? "")?.[1];
          const pair = index === undefined ? undefined : pairs[Number(index)];
          if (!pair) throw badAnswer(region, `result Id ${JSON.stringify(result.Id)} matches no query`);
          const timestamps = result.Timestamps ?? [];
          const values = result.Values ?? [];
          if (!Array.isArray(timestamps) || !Array.isArray(values) || timestamps.length !== values.length) throw badAnswer(region, `result ${result.Id} has ${timestamps.length} timestamps but ${values.length} values`);
          timestamps.forEach((time, i) => {
            const value = values[i];
            const seconds = time instanceof Date ? time.getTime() / 1000 : Number.NaN;
            if (!Number.isFinite(seconds) || typeof value !== "number" || !Number.isFinite(value)) throw badAnswer(region, `result ${result.Id} has a malformed datapoint at position ${i}`);
            const round = rounds.get(Math.floor(seconds / period) * period);
            if (round) (round.votes[pair.vantage] ??= {})[pair.target] = value >= 0.5;
          });
        }
        nextToken = output.NextToken || undefined;
        if (!nextToken) break;
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
  async readSeries(region: string, queries: readonly SeriesQuery[], startSeconds: number, endSeconds: number): Promise<Record<string, Map<number, number>>> {
    const series: Record<string, Map<number, number>> = Object.fromEntries(queries.map((query) => [query.id, new Map<number, number>()]));
    const client = this.clientFor(region);
    for (let offset = 0; offset < queries.length; offset += MAX_QUERIES_PER_GET) {
      const batch: MetricDataQuery[] = queries.slice(offset, offset + MAX_QUERIES_PER_GET).map((query) => ({
        Id: query.id,
        MetricStat: {
          Metric: { Namespace: this.config.metricNamespace, MetricName: query.metricName, Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })) },
          Period: query.periodSeconds,
          Stat: query.statistic,
        },
        ReturnData: true,
      }));
      let nextToken: string | undefined;
      for (let page = 1; page <= MAX_GET_PAGES; page++) {
        const output = await this.call(region, "GetMetricData", (signal) =>
          client.send(new GetMetricDataCommand({ MetricDataQueries: batch, StartTime: new Date(startSeconds * 1000), EndTime: new Date(endSeconds * 1000), ScanBy: "TimestampAscending", ...(nextToken ? { NextToken: nextToken } : {}) }), { abortSignal: signal }),
        );
        for (const result of output.MetricDataResults ?? []) {
          const values = series[result.Id ?? ""];
          if (values === undefined) throw badAnswer(region, `result Id ${JSON.stringify(result.Id)} matches no query`);
          (result.Timestamps ?? []).forEach((time, i) => {
            const value = result.Values?.[i];
            if (time instanceof Date && typeof value === "number") values.set(Math.round(time.getTime() / 1000), value);
          });
        }
        nextToken = output.NextToken || undefined;
        if (!nextToken) break;
      }
    }
    return series;
  }

  private async publishEverywhere(datums: MetricDatum[], regions: string[]): Promise<RegionResult[]> {
    const chunks = chunkDatums(datums);
    return Promise.all(
      regions.map(async (region): Promise<RegionResult> => {
        const tally = { calls: 0, bytes: 0 };
        try {
          for (const chunk of chunks) {
            await this.call(region, "PutMetricData", (signal) => this.clientFor(region).send(new PutMetricDataCommand({ Namespace: this.config.metricNamespace, MetricData: chunk }), { abortSignal: signal }), tally);
          }
          return { region, ok: true, ...tally };
        } catch (error) {
          const failure = error instanceof FailoverError ? error : new CloudWatchError("CLOUDWATCH_UNAVAILABLE", `PutMetricData to ${region} failed: ${describeAwsError(error)}`, { cause: error });
          return { region, ok: false, error: failure, ...tally };
        }
      }),
    );
  }

  /** One SDK call with retries; counts attempts and bytes into `tally`; every failure becomes a CloudWatchError. */
  private call<T>(region: string, operation: string, send: (signal: AbortSignal) => Promise<T>, tally?: { calls: number; bytes: number }): Promise<T> {
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
    return withRetry(counted, this.retry, (giveUp) => cloudWatchFailure(region, operation, giveUp));
  }
}

function count(tally: { calls: number; bytes: number } | undefined, outputOrError: unknown): void {
  if (!tally) return;
  const bytes = callBytesOf(outputOrError);
  tally.calls += 1;
  tally.bytes += bytes.requestBytes + bytes.responseBytes;
}

function datum(name: MetricName, value: number, dimensions: Array<{ Name: string; Value: string }>, timestamp: Date, unit: StandardUnit = "None"): MetricDatum {
  return { MetricName: name, Value: value, Dimensions: dimensions, Timestamp: timestamp, Unit: unit, StorageResolution: 1 };
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

function badAnswer(region: string, why: string): CloudWatchError {
  return new CloudWatchError("CLOUDWATCH_BAD_ANSWER", `CloudWatch GetMetricData in ${region} answered malformed data: ${why}`, { hint: "Check the endpoint (AWS_ENDPOINT_URL) points at CloudWatch or a compatible emulator." });
}

function cloudWatchFailure(region: string, operation: string, giveUp: GiveUp): CloudWatchError {
  const { kind, attempts, elapsedMs, cause } = giveUp;
  const detail = describeAwsError(cause);
  const tries = `${attempts} attempt${attempts === 1 ? "" : "s"} in ${elapsedMs} ms`;
  if (kind === "throttled") return new CloudWatchError("CLOUDWATCH_THROTTLED", `CloudWatch ${operation} in ${region} was throttled (${tries}): ${detail}`, { cause, hint: "Raise the CloudWatch API quota for the account, or fewer vantages per control region; the next round tries again." });
  if (kind === "unavailable") return new CloudWatchError("CLOUDWATCH_UNAVAILABLE", `CloudWatch ${operation} in ${region} failed (${tries}): ${detail}`, { cause, hint: "The region's CloudWatch is unreachable; the other control region carries on. The next round tries again." });
  if (kind === "bad-answer") return new CloudWatchError("CLOUDWATCH_BAD_ANSWER", `CloudWatch ${operation} in ${region} answered something that is not a valid CloudWatch response: ${detail}`, { cause, hint: "Check the endpoint (AWS_ENDPOINT_URL) points at CloudWatch or a compatible emulator." });
  return new CloudWatchError("CLOUDWATCH_REJECTED", `CloudWatch ${operation} in ${region} was refused: ${detail}`, { cause, hint: "Check the IAM permissions (cloudwatch:PutMetricData / GetMetricData) and the request; retrying will not help." });
}
