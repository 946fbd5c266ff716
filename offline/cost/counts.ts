import type { FailoverConfig } from "../../functions/lib/config.ts";
import { Dimension, Metric } from "../../functions/lib/metrics.ts";
import { windowSeconds } from "../../functions/lib/policy/decide.ts";
import { voteItem, type AttrValue } from "../../functions/lib/vote-items.ts";

/**
 * What one probe round and one decider round cost in API calls, datums and
 * DynamoDB request units, derived from the config the same way the adapters
 * build their requests (functions/lib/metric-datums.ts for CloudWatch,
 * functions/lib/vote-items.ts for the votes table). Pure.
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
  /** Per control region, once a minute (the first round of the minute): the CloudWatch liveness, latency and canary series (functions/lib/wiring/votes.ts probePublisher). */
  perRegion: PublishCounts;
  /** Per control region, every voting round: one conditional PutItem of the vote item. */
  voteWrites: VoteWriteCounts;
}

/** One vote item written to one control region's votes table. */
export interface VoteWriteCounts {
  putItemCalls: number;
  /** The item's size by DynamoDB's rules (attribute names and values). */
  itemBytes: number;
  /** Write request units it costs (1 per KB or part). */
  writeUnits: number;
}

export interface DeciderRoundCounts {
  /** Query requests of one decider reading its window (every round): one per vantage, strongly consistent. */
  queryCalls: number;
  /** Read request units they cost: per vantage, the window's items summed and rounded up to 4 KB. */
  readUnits: number;
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

const putCalls = (datums: number) => Math.ceil(datums / maxDatumsPerPut);

/**
 * One voting probe round from one vantage, as published to each control
 * region: the vote item every round; once a minute the vantage-silent
 * alarm's liveness datum (CanarySuccess when a canary is configured, else
 * ProbeVotes) and ProbeLatency per target when `probe.publishLatency` is on.
 */
export function probeRoundCalls(config: FailoverConfig, vantage: string = config.vantages[0] ?? ""): ProbeRoundCounts {
  const metrics: MetricIdentity[] = [
    {
      name: config.probe.canaryUrl === undefined ? Metric.ProbeVotes : Metric.CanarySuccess,
      dimensions: { [Dimension.Vantage]: vantage },
    },
    ...(config.probe.publishLatency
      ? config.targets.map((t) => ({
          name: Metric.ProbeLatency,
          dimensions: { [Dimension.Target]: t.id, [Dimension.Vantage]: vantage },
        }))
      : []),
  ];
  const itemBytes = voteItemBytes(config, vantage);
  return {
    regions: config.controlRegions,
    perRegion: { putMetricDataCalls: putCalls(metrics.length), datums: metrics.length, metrics },
    voteWrites: { putItemCalls: 1, itemBytes, writeUnits: Math.ceil(itemBytes / 1024) },
  };
}

/** Size of a vote item of `vantage` with every target voting, as DynamoDB counts it (functions/lib/vote-items.ts builds it). */
export function voteItemBytes(config: FailoverConfig, vantage: string): number {
  const at = 1_800_000_000;
  const item = voteItem(
    { vantage, at, voting: true, results: config.targets.map((t) => ({ target: t.id, ok: true, latencyMs: 0 })) },
    at + 1,
  );
  return Object.entries(item).reduce((n, [name, value]) => n + utf8(name) + attributeBytes(value), 0);
}

/** DynamoDB's item size rules: strings by UTF-8 length, numbers about one byte per two digits plus one, BOOL 1, a map 3 plus 1 per entry plus its names and values. */
function attributeBytes(value: AttrValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-/, "").length / 2) + 1;
  if (value.BOOL !== undefined) return 1;
  const entries = Object.entries(value.M ?? {});
  return 3 + entries.reduce((n, [name, inner]) => n + 1 + utf8(name) + attributeBytes(inner), 0);
}

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * One steady decider round (every target up, no switchover, no lease) of
 * the decider in `controlRegion`: one strongly consistent Query per
 * vantage over its window (every round of the window voted); in the first round of a minute sends
 * DeciderHeartbeat to every control region and, with `publishWeights`,
 * TargetWeight per target to its own. Events (Switchover, AllTargetsDown, FlapBudgetSpent, SuspectChecker,
 * OverrideAgeSeconds, and TargetHealthy while a target is down) are sent
 * only while they happen (a few hours a month: not standing metrics).
 */
export function deciderRoundCalls(
  config: FailoverConfig,
  controlRegion: string = config.controlRegions[0] ?? "",
): DeciderRoundCounts {
  const roundsRead = Math.max(1, Math.ceil(windowSeconds(config) / config.probe.intervalSeconds));
  // A Query costs its items' sizes summed, rounded up to 4 KB (one unit per 4 KB, strongly consistent).
  const readUnits = config.vantages.reduce(
    (n, vantage) => n + Math.max(1, Math.ceil((roundsRead * voteItemBytes(config, vantage)) / 4096)),
    0,
  );
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
    queryCalls: config.vantages.length,
    readUnits,
    regions: config.controlRegions,
    perMinute: Object.fromEntries(
      config.controlRegions.map((region) => [
        region,
        sent(
          region === controlRegion && config.publishWeights
            ? [heartbeat, ...perTarget(Metric.TargetWeight)]
            : [heartbeat],
        ),
      ]),
    ),
    route53Reads: 1,
  };
}
