import type { FailoverConfig } from "../config.ts";
import { Dimension, Metric } from "../metrics.ts";
import { windowSeconds } from "../policy/decide.ts";

/**
 * What one probe round and one decider round cost in CloudWatch API calls
 * and datums, derived from the config the same way the CloudWatch adapter
 * (functions/lib/aws/cloudwatch.ts) builds its requests. Pure.
 *
 * test/integration/cost-drift.test.ts runs a real round of each against the
 * emulator, counts the calls and datums the adapter actually sends, and
 * fails when they differ from these numbers: the cost model cannot drift
 * from the code silently.
 */

/** One billable CloudWatch metric: namespace + name + dimensions. */
export interface MetricIdentity {
  name: string;
  dimensions: Record<string, string>;
}

/** What one publish sends to ONE control region. */
export interface PublishCounts {
  /** PutMetricData requests. */
  putMetricDataCalls: number;
  /** Datums (MetricData entries) in them. */
  datums: number;
  /** Metrics published every round (billed for every hour of the month). */
  metrics: MetricIdentity[];
}

export interface ProbeRoundCounts {
  /** Control regions each probe round is published to. */
  regions: string[];
  /** Per control region. */
  perRegion: PublishCounts;
}

export interface DeciderRoundCounts {
  /** GetMetricData requests of one decider reading its window. */
  getMetricDataCalls: number;
  /** Metrics requested by them (the billed unit). */
  metricsRequested: number;
  /** Control regions each decider publishes its metrics to. */
  regions: string[];
  /** Per control region, per decider. */
  perRegion: PublishCounts;
  /** Route 53 ListResourceRecordSets requests of one read (free; rate-limited per account). */
  route53Reads: number;
}

/** Most datums in one PutMetricData request (CloudWatch's limit, as the adapter's chunkDatums applies it; 1 MB is far off for a round). */
export const maxDatumsPerPut = 1000;
/** Most queries, and datapoints, in one GetMetricData request (CloudWatch's limits). */
export const maxQueriesPerGet = 500;
export const maxDatapointsPerGet = 100_800;

const putCalls = (datums: number) => Math.ceil(datums / maxDatumsPerPut);

/**
 * One voting probe round from one vantage, as published to each control
 * region: ProbeSuccess and (unless `probe.publishLatency` is off)
 * ProbeLatency per target, CanarySuccess when a canary is configured, and
 * VantageHeartbeat.
 */
export function probeRoundCalls(config: FailoverConfig, vantage: string = config.vantages[0] ?? ""): ProbeRoundCounts {
  const perTarget = (name: string) => config.targets.map((t) => ({ name, dimensions: { [Dimension.Target]: t.id, [Dimension.Vantage]: vantage } }));
  const metrics: MetricIdentity[] = [
    ...perTarget(Metric.ProbeSuccess),
    ...(config.probe.publishLatency ? perTarget(Metric.ProbeLatency) : []),
    ...(config.probe.canaryUrl === undefined ? [] : [{ name: Metric.CanarySuccess, dimensions: { [Dimension.Vantage]: vantage } }]),
    { name: Metric.VantageHeartbeat, dimensions: { [Dimension.Vantage]: vantage } },
  ];
  return { regions: config.controlRegions, perRegion: { putMetricDataCalls: putCalls(metrics.length), datums: metrics.length, metrics } };
}

/**
 * One steady decider round (every target up, no switchover) in one control
 * region: reads ProbeSuccess per target × vantage over its window, then
 * publishes DeciderHeartbeat, TargetWeight and TargetHealthy per target,
 * Switchover (0, no dimensions, for the alarm), AllTargetsDown,
 * FlapBudgetSpent (overall and per target) and OverrideAgeSeconds to every
 * control region. Switchover per target/direction/mode is sent only when
 * weights change (a few hours a month: not a standing metric).
 */
export function deciderRoundCalls(config: FailoverConfig, controlRegion: string = config.controlRegions[0] ?? ""): DeciderRoundCounts {
  const metricsRequested = config.targets.length * config.vantages.length;
  // The window's rounds are datapoints per query: a long window fits fewer queries in one call.
  const roundsRead = Math.max(1, Math.ceil(windowSeconds(config) / config.probe.intervalSeconds));
  const queriesPerCall = Math.max(1, Math.min(maxQueriesPerGet, Math.floor(maxDatapointsPerGet / roundsRead)));
  const perTarget = (name: string) => config.targets.map((t) => ({ name, dimensions: { [Dimension.Target]: t.id } }));
  const metrics: MetricIdentity[] = [
    { name: Metric.DeciderHeartbeat, dimensions: { [Dimension.ControlRegion]: controlRegion } },
    ...perTarget(Metric.TargetWeight),
    ...perTarget(Metric.TargetHealthy),
    { name: Metric.Switchover, dimensions: {} },
    { name: Metric.AllTargetsDown, dimensions: {} },
    { name: Metric.FlapBudgetSpent, dimensions: {} },
    ...perTarget(Metric.FlapBudgetSpent),
    { name: Metric.OverrideAgeSeconds, dimensions: {} },
  ];
  return {
    getMetricDataCalls: Math.ceil(metricsRequested / queriesPerCall),
    metricsRequested,
    regions: config.controlRegions,
    perRegion: { putMetricDataCalls: putCalls(metrics.length), datums: metrics.length, metrics },
    route53Reads: 1,
  };
}
