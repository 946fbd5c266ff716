import type { FailoverConfig } from "../../functions/lib/config.ts";
import { Dimension, Metric } from "../../functions/lib/metrics.ts";
import { voteGroups } from "../../functions/lib/probe-votes.ts";
import { windowSeconds } from "../../functions/lib/policy/decide.ts";

/**
 * What one probe round and one decider round cost in CloudWatch API calls
 * and datums, derived from the config the same way the CloudWatch adapter
 * (functions/lib/metric-datums.ts) builds its requests. Pure.
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
  /** GetMetricData requests of one decider reading its window (every round). */
  getMetricDataCalls: number;
  /** Metrics requested by them (the billed unit). */
  metricsRequested: number;
  /** Control regions the decider publishes to. */
  regions: string[];
  /**
   * What one decider sends to each control region in the first round of a
   * minute, when nothing happens: its steady series. Later steady rounds of
   * the same minute send nothing (the adapter sends a steady series again
   * within a minute only when its value changes).
   */
  perMinute: Record<string, PublishCounts>;
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
 * region: ProbeVotes per group of 16 targets, ProbeLatency per target when
 * `probe.publishLatency` is on, CanarySuccess when a canary is configured.
 */
export function probeRoundCalls(config: FailoverConfig, vantage: string = config.vantages[0] ?? ""): ProbeRoundCounts {
  const metrics: MetricIdentity[] = [
    ...voteGroups(config.targets.map((t) => t.id)).map((group) => ({
      name: Metric.ProbeVotes,
      dimensions: { [Dimension.Vantage]: vantage, [Dimension.TargetGroup]: group.dimension },
    })),
    ...(config.probe.publishLatency
      ? config.targets.map((t) => ({
          name: Metric.ProbeLatency,
          dimensions: { [Dimension.Target]: t.id, [Dimension.Vantage]: vantage },
        }))
      : []),
    ...(config.probe.canaryUrl === undefined
      ? []
      : [{ name: Metric.CanarySuccess, dimensions: { [Dimension.Vantage]: vantage } }]),
  ];
  return {
    regions: config.controlRegions,
    perRegion: { putMetricDataCalls: putCalls(metrics.length), datums: metrics.length, metrics },
  };
}

/**
 * One steady decider round (every target up, no switchover, no lease) of
 * the decider in `controlRegion`: reads ProbeVotes per vantage and vote
 * group over its window; in the first round of a minute sends
 * DeciderHeartbeat to every control region and TargetWeight per target to
 * its own. Events (Switchover, AllTargetsDown, FlapBudgetSpent, SuspectChecker,
 * OverrideAgeSeconds, and TargetHealthy while a target is down) are sent
 * only while they happen (a few hours a month: not standing metrics).
 */
export function deciderRoundCalls(
  config: FailoverConfig,
  controlRegion: string = config.controlRegions[0] ?? "",
): DeciderRoundCounts {
  const metricsRequested = voteGroups(config.targets.map((t) => t.id)).length * config.vantages.length;
  // The window's rounds are datapoints per query: a long window fits fewer queries in one call.
  const roundsRead = Math.max(1, Math.ceil(windowSeconds(config) / config.probe.intervalSeconds));
  const queriesPerCall = Math.max(1, Math.min(maxQueriesPerGet, Math.floor(maxDatapointsPerGet / roundsRead)));
  const perTarget = (name: string) => config.targets.map((t) => ({ name, dimensions: { [Dimension.Target]: t.id } }));
  const heartbeat: MetricIdentity = {
    name: Metric.DeciderHeartbeat,
    dimensions: { [Dimension.ControlRegion]: controlRegion },
  };
  const sent = (metrics: MetricIdentity[]): PublishCounts => ({
    putMetricDataCalls: putCalls(metrics.length),
    datums: metrics.length,
    metrics,
  });
  return {
    getMetricDataCalls: Math.ceil(metricsRequested / queriesPerCall),
    metricsRequested,
    regions: config.controlRegions,
    perMinute: Object.fromEntries(
      config.controlRegions.map((region) => [
        region,
        sent(region === controlRegion ? [heartbeat, ...perTarget(Metric.TargetWeight)] : [heartbeat]),
      ]),
    ),
    route53Reads: 1,
  };
}
