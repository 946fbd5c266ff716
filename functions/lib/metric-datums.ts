import { Dimension, Metric, type MetricName } from "./metrics.ts";
import type { SuspectReason } from "./policy/suspects.ts";
import type { ProbeRoundReport } from "./probe/report.ts";
import type { Weights } from "./types.ts";

/**
 * The CloudWatch datums a probe round and a decision publish, pure (the
 * adapter ../aws/cloudwatch.ts sends them). Names in ./metrics.ts; cost
 * shapes them (see offline/cost/counts.ts, kept honest by
 * test/integration/cost-drift.test.ts): a probe round is one ProbeVotes
 * datum per vantage, not one metric per target; a decider sends its
 * steady series once a minute and its events only when they happen.
 */

/** One PutMetricData datum (the SDK's MetricDatum, the fields this system sets). */
export interface Datum {
  MetricName: MetricName;
  Value: number;
  Dimensions: Array<{ Name: string; Value: string }>;
  Timestamp: Date;
  Unit: "None" | "Milliseconds" | "Seconds";
  StorageResolution: 1;
}

/** What a decider round publishes. */
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
  /** Vantages whose votes on a target are set aside (Decision.suspects). */
  suspects: Array<{ vantage: string; target: string; reason: SuspectReason }>;
  /** Control regions whose signal store refused this round's write (empty without signal stores). */
  signalWriteFailed: string[];
  /** The signals do not give the answers the decision wants (and that matters: see round.ts's decisionMetrics). */
  signalDisagrees: boolean;
  /** Deciders whose fresh document drains something but was not refreshed for twice SIGNAL_REFRESH_SECONDS. */
  signalStale: string[];
}

/** A decision's datums by destination: steady series for every region, steady series for its own region only, events. */
export interface DecisionDatums {
  everywhere: Datum[];
  ownRegion: Datum[];
  events: Datum[];
}

/** PutMetricData limits: 1,000 datums and 1 MB per request (we stay under 900 kB of JSON). */
const MAX_DATUMS_PER_PUT = 1000;
const MAX_PUT_BYTES = 900_000;

/**
 * A probe round's datums: its liveness series (the vantage-silent alarm's
 * input, ./alarms.ts vantageLiveness), CanarySuccess when the round tried a
 * canary (one is configured), else ProbeVotes when it votes (the number of
 * targets whose check passed; nothing else reads it, so not sent beside a
 * canary); ProbeLatency only with `publishLatency`.
 */
export function probeRoundDatums(report: ProbeRoundReport, publishLatency: boolean): Datum[] {
  const timestamp = new Date(report.at * 1000);
  const vantage = { Name: Dimension.Vantage, Value: report.vantage };
  const datums: Datum[] = [];
  if (report.voting && report.canary === undefined) {
    const passed = report.results.filter((result) => result.ok).length;
    datums.push(datum(Metric.ProbeVotes, passed, [vantage], timestamp));
  }
  if (publishLatency) {
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
  return datums;
}

/** A decision's datums (where each goes: ./metrics.ts). Verdicts only while something is down. */
export function decisionDatums(metrics: DecisionMetrics, options: { weights: boolean }): DecisionDatums {
  const timestamp = new Date(metrics.at * 1000);
  const target = (id: string) => ({ Name: Dimension.Target, Value: id });
  const everywhere: Datum[] = [];
  const ownRegion: Datum[] = [];
  if (metrics.heartbeat)
    everywhere.push(
      datum(Metric.DeciderHeartbeat, 1, [{ Name: Dimension.ControlRegion, Value: metrics.controlRegion }], timestamp),
    );
  if (options.weights)
    for (const [id, weight] of Object.entries(metrics.weights))
      ownRegion.push(datum(Metric.TargetWeight, weight, [target(id)], timestamp));
  // Verdicts only while something is down: an all-up minute is the norm (TargetWeight, when published, shows it).
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
  ownRegion.push(...suspectDatums(metrics.suspects, timestamp));
  ownRegion.push(...signalDatums(metrics, timestamp));
  return { everywhere, ownRegion, events: switchoverDatums(metrics.switchovers, timestamp) };
}

/**
 * While a vantage is set aside: SuspectChecker per vantage (the alarm's
 * input, one alarm per vantage however many targets: alarms cost $0.10 a
 * month each), its value the worst reason over its targets (2 conflicting,
 * 1 disagreeing); and per vantage and target, to say which (events: billed
 * only while they happen).
 */
function suspectDatums(suspects: DecisionMetrics["suspects"], timestamp: Date): Datum[] {
  const value = (reason: SuspectReason) => (reason === "conflicting" ? 2 : 1);
  const worst = new Map<string, number>();
  for (const suspect of suspects)
    worst.set(suspect.vantage, Math.max(worst.get(suspect.vantage) ?? 0, value(suspect.reason)));
  const vantage = (id: string) => ({ Name: Dimension.Vantage, Value: id });
  return [
    ...[...worst].map(([id, worstValue]) => datum(Metric.SuspectChecker, worstValue, [vantage(id)], timestamp)),
    ...suspects.map((suspect) =>
      datum(
        Metric.SuspectChecker,
        value(suspect.reason),
        [vantage(suspect.vantage), { Name: Dimension.Target, Value: suspect.target }],
        timestamp,
      ),
    ),
  ];
}

/** The signal path's fault datums, only while there is a fault (events: no steady series, nothing billed in a healthy month). */
function signalDatums(metrics: DecisionMetrics, timestamp: Date): Datum[] {
  const datums = metrics.signalWriteFailed.map((region) =>
    datum(Metric.SignalWriteFailed, 1, [{ Name: Dimension.ControlRegion, Value: region }], timestamp),
  );
  const unsound = (metrics.signalDisagrees ? 1 : 0) + (metrics.signalStale.length > 0 ? 2 : 0);
  if (unsound > 0) datums.push(datum(Metric.SignalUnsound, unsound, [], timestamp));
  return datums;
}

/**
 * The Switchover datums of one switch (one Route 53 change), whoever made it
 * (a decider round, a manual change): 1 without dimensions, so the
 * switchover alarm and a dashboard's Sum count switches, not the targets
 * each moved; and 1 per moved target with its direction and mode. Empty
 * when nothing moved.
 */
export function switchoverDatums(switchovers: DecisionMetrics["switchovers"], timestamp: Date): Datum[] {
  if (switchovers.length === 0) return [];
  return [
    datum(Metric.Switchover, 1, [], timestamp),
    ...switchovers.map((s) =>
      datum(
        Metric.Switchover,
        1,
        [
          { Name: Dimension.Target, Value: s.target },
          { Name: Dimension.Direction, Value: s.direction },
          { Name: Dimension.Mode, Value: s.mode },
        ],
        timestamp,
      ),
    ),
  ];
}

/** One series' identity: name and dimensions. */
export function seriesKey(d: Datum): string {
  return `${d.MetricName}|${d.Dimensions.map((dim) => `${dim.Name}=${dim.Value}`).join(",")}`;
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

/** The datum of one request the Slack command refused, at epoch second `at`. */
export function slackRefusedDatums(at: number): Datum[] {
  return [datum(Metric.SlackRequestRefused, 1, [], new Date(at * 1000))];
}

function datum(
  name: MetricName,
  value: number,
  dimensions: Array<{ Name: string; Value: string }>,
  timestamp: Date,
  unit: Datum["Unit"] = "None",
): Datum {
  return {
    MetricName: name,
    Value: value,
    Dimensions: dimensions,
    Timestamp: timestamp,
    Unit: unit,
    StorageResolution: 1,
  };
}
