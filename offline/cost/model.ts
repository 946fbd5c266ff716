import { alarmDefinitions } from "../../functions/lib/alarms.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { CANARY_INTERVAL_SECONDS } from "../../functions/lib/dataplane/health-checks.ts";
import { functionMemoryMb } from "../../functions/lib/deployment.ts";
import { deciderBudgetMs, deciderOffsetMs, planDecisionRounds } from "../../functions/lib/decider/schedule.ts";
import { planRounds } from "../../functions/lib/probe/schedule.ts";
import { DEFAULT_DATA_PLANE_TIMING, dataPlaneDelaySeconds } from "../../functions/lib/dataplane/timing.ts";
import { deciderRoundCalls, probeRoundCalls, type MetricIdentity } from "./counts.ts";
import type { PriceId, PriceTable } from "./prices.ts";

/**
 * The monthly cost of a deployment from its config, line by line, and what
 * Route 53's own health checks would cost for the same targets. Pure: the
 * prices and every assumption are arguments.
 *
 * Quantities come from the code where the code decides them: rounds per
 * invocation from the probe's round planner (probe/schedule.ts), API calls
 * and datums per round from cost/counts.ts (checked against the adapter by
 * the drift test), alarms from alarms.ts. What only traffic decides (DNS
 * queries, log volume, round duration) is an assumption with a stated
 * default. List prices, no free tiers on either side.
 */

/** What the model cannot read from the code. Every field has a default in {@link defaultCostAssumptions}. */
export interface CostAssumptions {
  /** DNS queries a month for the managed records; paid with either health-check system. @default 10_000_000 */
  queriesPerMonth: number;
  /** Memory of each function in MB (arm64). @default functionMemoryMb (../deployment.ts), as the stacks deploy them */
  memoryMb: { probe: number; decider: number; notify: number; manual: number; signal: number };
  /** Seconds after the minute a scheduled invocation starts (EventBridge delivers a little late). @default 1 */
  scheduleDelaySeconds: number;
  /** Seconds one healthy probe round takes: the checks (in parallel) and the publish. @default 0.5 */
  probeRoundSeconds: number;
  /** Seconds one decider round takes: the votes Query, the Route 53 read, the decision, the publish. @default 0.5 */
  deciderRoundSeconds: number;
  /** Invocations a month of the Slack notifiers, all control regions together (alarm and OK transitions reach every region's notifier). @default 20 */
  notifyInvocationsPerMonth: number;
  /** Invocations a month of the manual failover function (drills, incidents). @default 4 */
  manualInvocationsPerMonth: number;
  /** Seconds one notifier or manual invocation takes. @default 2 */
  occasionalInvocationSeconds: number;
  /**
   * Log bytes written per probe round (one JSON line: 226 B for the example's two targets, of which each target's
   * entry in `down` or `latencyMs` is about 20 B), per decider round (one JSON line: 482 B in a steady round of the
   * example, about 100 B more per target with three vantages, more while something happens) and per invocation
   * (Lambda's START/END/REPORT lines). @default 190 + 20 per target, 600, 350
   */
  logBytes: { perProbeRound: number; perProbeTarget: number; perDeciderRound: number; perInvocation: number };
  /** Bytes on the wire per PutMetricData datum, and per request (headers, signature). @default 150, 1200 */
  putBytes: { perDatum: number; perRequest: number };
  /** Bytes a probe sends per check (TLS handshake and request; answers come in free). @default 1500 */
  checkBytesOut: number;
  /** SNS publishes a month (alarm and OK transitions). @default 20 */
  snsPublishesPerMonth: number;
  /** How Route 53 bills the health checks of the comparison: `by-target` (a target's `provider` aws at the AWS-endpoint rate, any other at the non-AWS rate), or every target as an AWS resource of the same account (`aws`) or not (`non-aws`). @default "by-target" */
  route53EndpointType: "by-target" | "aws" | "non-aws";
  /** Route 53 failure threshold (consecutive failed checks) of the comparison. @default 3 */
  route53FailureThreshold: number;
  /** Route 53 health checkers asking each endpoint check, each every 10 s (third-party pages say about 15; AWS does not document the number). @default 15 */
  route53Checkers: number;
  /** How Route 53 bills the data-plane signal checks: a Lambda function URL as an AWS endpoint or not (AWS does not say). @default "non-aws" (the higher rate) */
  signalEndpointType: "aws" | "non-aws";
  /** Billed seconds of one signal endpoint invocation (it answers from a 1 s cache of one SSM parameter). @default 0.01 */
  signalInvocationSeconds: number;
}

export const defaultCostAssumptions: CostAssumptions = {
  queriesPerMonth: 10_000_000,
  memoryMb: { ...functionMemoryMb },
  scheduleDelaySeconds: 1,
  probeRoundSeconds: 0.5,
  deciderRoundSeconds: 0.5,
  notifyInvocationsPerMonth: 20,
  manualInvocationsPerMonth: 4,
  occasionalInvocationSeconds: 2,
  logBytes: { perProbeRound: 190, perProbeTarget: 20, perDeciderRound: 600, perInvocation: 350 },
  putBytes: { perDatum: 150, perRequest: 1200 },
  checkBytesOut: 1500,
  snsPublishesPerMonth: 20,
  route53EndpointType: "by-target",
  route53FailureThreshold: 3,
  route53Checkers: 15,
  signalEndpointType: "non-aws",
  signalInvocationSeconds: 0.01,
};

/** One line of the bill. */
export interface CostLine {
  service: "Lambda" | "CloudWatch" | "DynamoDB" | "SNS" | "Route 53" | "Data transfer" | "SSM";
  item: string;
  /** Units a month. */
  quantity: number;
  unit: string;
  /** USD per `per` units (the list price used). */
  unitPriceUsd: number;
  per: number;
  priceId: PriceId;
  monthlyUsd: number;
  /** How the quantity was computed. */
  basis: string;
  /** Paid the same with Route 53's own health checks (hosted zone, queries). */
  shared: boolean;
}

/** How long from a target failing to its traffic moving (before DNS caches expire). */
export interface DetectionTime {
  /** Seconds from the failure to the drain decided (ours) or the check unhealthy (Route 53's). */
  minSeconds: number;
  maxSeconds: number;
  /** Seconds from the failure until Route 53's DNS answers leave the target out (resolvers' caches then hold it for up to the record TTL). */
  dns: { minSeconds: number; maxSeconds: number };
  text: string;
}

export interface CostEstimate {
  profile: string;
  /** Every line, shared ones included. */
  monthlyUsd: number;
  /** Without the lines paid either way (hosted zone, queries). */
  monitoringUsd: number;
  /** Of the total, what the data-plane path adds (its health checks, signal endpoint and parameters). @default 0 for Route 53's own checks */
  dataPlaneUsd: number;
  lines: CostLine[];
  detection: DetectionTime;
}

export interface Route53NativeEstimate extends CostEstimate {
  /** How the checks were billed: every target at one rate, or `mixed` (AWS and non-AWS endpoints). */
  endpointType: "aws" | "non-aws" | "mixed";
  healthChecks: number;
  /** Paid options per health check: HTTPS, fast (10 s) interval, string match. */
  options: string[];
  featureDifference: string;
}

const SECONDS_PER_MINUTE = 60;
const BYTES_PER_GB = 1024 ** 3;

/** Cents, rounded half up: what a table shows and the totals add. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 100 + Number.EPSILON) / 100;
}

function line(
  prices: PriceTable,
  priceId: PriceId,
  fields: Omit<CostLine, "unitPriceUsd" | "per" | "priceId" | "monthlyUsd" | "unit" | "shared"> & { shared?: boolean },
): CostLine {
  const price = prices.prices[priceId];
  return {
    ...fields,
    unit: price.unit,
    unitPriceUsd: price.usd,
    per: price.per,
    priceId,
    monthlyUsd: (fields.quantity / price.per) * price.usd,
    shared: fields.shared ?? false,
  };
}

function totals(lines: CostLine[]): { monthlyUsd: number; monitoringUsd: number } {
  const sum = (of: CostLine[]) => roundUsd(of.reduce((total, l) => total + l.monthlyUsd, 0));
  return { monthlyUsd: sum(lines), monitoringUsd: sum(lines.filter((l) => !l.shared)) };
}

/**
 * Billed seconds and rounds of one scheduled (once a minute) invocation of
 * the probe or the decider, planned by the handler's own round planner
 * (probe/schedule.ts, decider/schedule.ts): from the invocation to the last
 * round's start, plus that round.
 */
export function invocationPlan(
  config: FailoverConfig,
  fn: "probe" | "decider",
  roundSeconds: number,
  scheduleDelaySeconds: number,
): { rounds: number; billedSeconds: number } {
  const nowMs = scheduleDelaySeconds * 1000;
  const starts =
    fn === "probe"
      ? planRounds({ nowMs, ...config.probe })
      : planDecisionRounds(config, nowMs, deciderBudgetMs(config));
  const last = starts.at(-1) ?? nowMs;
  return { rounds: starts.length, billedSeconds: Math.max(0, last - nowMs) / 1000 + roundSeconds };
}

const text = (what: string, rounds: number, intervalSeconds: number, min: number, max: number) =>
  `${what} after ${rounds} × ${intervalSeconds} s rounds: ${min}-${max} s from the failure`;

/**
 * Seconds from a drain decided to DNS answers without the target: the
 * decider signals the drain through the health checks before it changes
 * the records, whether or not the Route 53 API is up (docs/dataplane.md),
 * so answers follow the signal path's delay (functions/lib/dataplane/timing.ts):
 * at best the signal, the aggregation and the answers, at worst a whole
 * check interval more. The weights follow within about 60 s.
 */
const SIGNAL_TO_DNS = {
  minSeconds:
    DEFAULT_DATA_PLANE_TIMING.signalSeconds +
    DEFAULT_DATA_PLANE_TIMING.aggregateSeconds +
    DEFAULT_DATA_PLANE_TIMING.answerSeconds,
  maxSeconds: dataPlaneDelaySeconds(),
};

/** Route 53's own checks change no record: their status reaches the answers as the signal checks' does (the same assumed aggregation and answer delays). */
const STATUS_TO_DNS = DEFAULT_DATA_PLANE_TIMING.aggregateSeconds + DEFAULT_DATA_PLANE_TIMING.answerSeconds;

/**
 * Seconds from a target failing to the decider draining it, over every
 * moment in the minute the failure can start: the first round at or after
 * it and `drainAfterRounds - 1` more must see it down, then the next
 * decider round (decider/schedule.ts: a fixed offset after the probe round,
 * only as many as fit the invocation's budget) drains it.
 */
export function detectionTime(
  config: FailoverConfig,
  deciderRoundSeconds: number,
  scheduleDelaySeconds: number,
): DetectionTime {
  const interval = config.probe.intervalSeconds;
  const rounds = config.policy.drainAfterRounds;
  const decisions = planDecisionRounds(config, scheduleDelaySeconds * 1000, deciderBudgetMs(config)).map(
    (ms) => ms / 1000,
  );
  const offset = deciderOffsetMs(config) / 1000;
  let minSeconds = Infinity;
  let maxSeconds = 0;
  // Tenths of a second over one minute; decisions repeat every minute.
  for (let tenth = 0; tenth < 600; tenth++) {
    const failedAt = tenth / 10;
    const lastDownRound = Math.ceil(failedAt / interval) * interval + (rounds - 1) * interval;
    const ready = lastDownRound + offset;
    const minute = Math.floor(ready / 60) * 60;
    const decidedAt =
      [...decisions.map((d) => minute + d), ...decisions.map((d) => minute + 60 + d)].find((d) => d >= ready - 1e-9) ??
      ready;
    const seconds = decidedAt + deciderRoundSeconds - failedAt;
    minSeconds = Math.min(minSeconds, seconds);
    maxSeconds = Math.max(maxSeconds, seconds);
  }
  const [min, max] = [Math.round(minSeconds), Math.round(maxSeconds)];
  const dns = { minSeconds: min + SIGNAL_TO_DNS.minSeconds, maxSeconds: max + SIGNAL_TO_DNS.maxSeconds };
  return {
    minSeconds: min,
    maxSeconds: max,
    dns,
    text: `${text("drained", rounds, interval, min, max)}; out of DNS answers ${SIGNAL_TO_DNS.minSeconds}-${SIGNAL_TO_DNS.maxSeconds} s after the decision through the signal health checks, also with the Route 53 API down (the weights follow within about 60 s): ${dns.minSeconds}-${dns.maxSeconds} s from the failure, then resolvers' caches (the record TTL)`,
  };
}

/**
 * Route 53's checkers: `failureThreshold` consecutive failed checks, every
 * 10 s, each checker at its own phase; the check turns unhealthy once fewer
 * than 18% of them still pass. No record changes: the status reaches the answers.
 */
function route53DetectionTime(failureThreshold: number): DetectionTime {
  const [minSeconds, maxSeconds] = [(failureThreshold - 1) * 10, failureThreshold * 10];
  const dns = { minSeconds: minSeconds + STATUS_TO_DNS, maxSeconds: maxSeconds + STATUS_TO_DNS };
  return {
    minSeconds,
    maxSeconds,
    dns,
    text: `${text("unhealthy", failureThreshold, 10, minSeconds, maxSeconds)}; out of DNS answers about ${STATUS_TO_DNS} s later (no record change): ${dns.minSeconds}-${dns.maxSeconds} s from the failure, then resolvers' caches (the record TTL)`,
  };
}

function uniqueMetrics(metrics: MetricIdentity[]): number {
  return new Set(
    metrics.map(
      (m) =>
        `${m.name}|${Object.entries(m.dimensions)
          .sort()
          .map(([k, v]) => `${k}=${v}`)
          .join(",")}`,
    ),
  ).size;
}

/** Lines both systems pay: the hosted zone and the queries. */
function dnsLines(prices: PriceTable, a: CostAssumptions): CostLine[] {
  return [
    line(prices, "route53.hostedZone", {
      service: "Route 53",
      item: "hosted zone",
      quantity: 1,
      basis: "one public zone",
      shared: true,
    }),
    line(prices, "route53.standardQueries", {
      service: "Route 53",
      item: "queries (weighted records)",
      quantity: a.queriesPerMonth,
      basis: `assumed ${a.queriesPerMonth.toLocaleString("en-US")} queries a month`,
      shared: true,
    }),
  ];
}

/** The monthly cost of `config` (already resolved to one profile). */
export function estimateCost(
  config: FailoverConfig,
  prices: PriceTable,
  assumptions: Partial<CostAssumptions> = {},
): CostEstimate {
  const a: CostAssumptions = { ...defaultCostAssumptions, ...assumptions };
  const usage = costUsage(config, prices, a);
  const dataPlane = dataPlaneCosts(config, prices, a);
  const lines: CostLine[] = [
    ...lambdaCosts(prices, a, usage),
    ...cloudWatchCosts(prices, a, usage),
    ...voteTableCosts(prices, usage),
    ...deliveryCosts(prices, a, usage),
    ...dataPlane,
  ];
  return {
    profile: config.profile,
    ...totals(lines),
    dataPlaneUsd: totals(dataPlane).monthlyUsd,
    lines,
    detection: detectionTime(config, a.deciderRoundSeconds, a.scheduleDelaySeconds),
  };
}

/** What a month of `config` uses: invocations, rounds, metric series and requests, bytes logged and sent. */
function costUsage(config: FailoverConfig, prices: PriceTable, a: CostAssumptions) {
  const minutes = prices.hoursPerMonth * SECONDS_PER_MINUTE;
  const vantages = config.vantages.length;
  const controls = config.controlRegions.length;
  const targets = config.targets.length;

  const probePlan = invocationPlan(config, "probe", a.probeRoundSeconds, a.scheduleDelaySeconds);
  const deciderPlan = invocationPlan(config, "decider", a.deciderRoundSeconds, a.scheduleDelaySeconds);
  const probeRounds = minutes * probePlan.rounds; // per vantage
  const deciderRounds = minutes * deciderPlan.rounds; // per control region
  const probe = probeRoundCalls(config);
  const decider = deciderRoundCalls(config);

  // Billed per region: the probe series (every vantage) and what each decider sends there in a steady minute. Events are not standing series.
  const deciders = config.controlRegions.map((r) => deciderRoundCalls(config, r));
  const metricsByRegion = config.controlRegions.map((region) =>
    uniqueMetrics([
      ...config.vantages.flatMap((v) => probeRoundCalls(config, v).perRegion.metrics),
      ...deciders.flatMap((d) => d.perMinute[region]?.metrics ?? []),
    ]),
  );
  const customMetrics = metricsByRegion.reduce((n, m) => n + m, 0);
  const deciderSent = (own: boolean) => {
    const counts = deciders.flatMap((d, i) =>
      Object.entries(d.perMinute)
        .filter(([region]) => (region === config.controlRegions[i]) === own)
        .map(([, c]) => c),
    );
    return {
      calls: counts.reduce((n, c) => n + c.putMetricDataCalls, 0),
      datums: counts.reduce((n, c) => n + c.datums, 0),
    };
  };
  const deciderOwn = deciderSent(true);
  const deciderCross = deciderSent(false);
  const alarms = config.controlRegions.flatMap((region) => alarmDefinitions(config, region));
  const highResolutionAlarms = alarms.filter((alarm) => alarm.periodSeconds < 60).length;

  // CloudWatch once a minute per vantage and region (functions/lib/wiring/votes.ts probePublisher); the votes every round.
  const probePuts = minutes * vantages * controls * probe.perRegion.putMetricDataCalls;
  const voteWriteUnits = probeRounds * vantages * controls * probe.voteWrites.writeUnits;
  const voteReadUnits = deciderRounds * controls * decider.readUnits;
  const deciderPuts = minutes * (deciderOwn.calls + deciderCross.calls); // steady series once a minute; later steady rounds send nothing
  const invocations = minutes * (vantages + controls) + a.notifyInvocationsPerMonth + a.manualInvocationsPerMonth;
  const logBytes =
    probeRounds * vantages * (a.logBytes.perProbeRound + targets * a.logBytes.perProbeTarget) +
    deciderRounds * controls * a.logBytes.perDeciderRound +
    invocations * a.logBytes.perInvocation;
  const putBytes = (calls: number, datums: number) => calls * a.putBytes.perRequest + datums * a.putBytes.perDatum;
  // Probe rounds cross regions unless the vantage is that control region; every decider publishes to the other control region.
  const crossProbe = config.vantages.reduce((n, v) => n + config.controlRegions.filter((r) => r !== v).length, 0);
  const interRegionBytes =
    minutes * crossProbe * putBytes(probe.perRegion.putMetricDataCalls, probe.perRegion.datums) +
    probeRounds * crossProbe * (a.putBytes.perRequest + probe.voteWrites.itemBytes) +
    minutes * putBytes(deciderCross.calls, deciderCross.datums);
  const checkBytes = probeRounds * vantages * targets * a.checkBytesOut;
  return {
    minutes,
    vantages,
    controls,
    probePlan,
    deciderPlan,
    deciderRounds,
    probe,
    decider,
    metricsByRegion,
    customMetrics,
    deciderOwn,
    deciderCross,
    alarms,
    highResolutionAlarms,
    probePuts,
    deciderPuts,
    voteWriteUnits,
    voteReadUnits,
    logBytes,
    interRegionBytes,
    checkBytes,
    practice: config.practice,
  };
}

type CostUsage = ReturnType<typeof costUsage>;

/** Lambda requests and GB-seconds of each function. */
function lambdaCosts(prices: PriceTable, a: CostAssumptions, usage: CostUsage): CostLine[] {
  const { minutes, vantages, controls, probePlan, deciderPlan } = usage;
  return [
    ...lambdaLines(
      prices,
      a,
      "probe",
      vantages,
      minutes * vantages,
      probePlan.billedSeconds,
      `1 invocation a minute × ${vantages} vantages, ${probePlan.rounds} rounds each`,
    ),
    ...lambdaLines(
      prices,
      a,
      "decider",
      controls,
      minutes * controls,
      deciderPlan.billedSeconds,
      `1 invocation a minute × ${controls} control regions, ${deciderPlan.rounds} rounds each`,
    ),
    ...lambdaLines(
      prices,
      a,
      "notify",
      1,
      a.notifyInvocationsPerMonth,
      a.occasionalInvocationSeconds,
      "assumed alarm transitions a month",
    ),
    ...lambdaLines(
      prices,
      a,
      "manual",
      1,
      a.manualInvocationsPerMonth,
      a.occasionalInvocationSeconds,
      "assumed manual failovers and drills a month",
    ),
  ];
}

/**
 * Practice runs (config `practice`): each decider reads the practice alarms, one DescribeAlarms per alarm
 * region, in every round while a run is in progress (functions/lib/policy/practice.ts alarmsNeeded), and in
 * the round that starts it. Their records are standard SSM parameters (no charge at standard throughput).
 */
function practiceCosts(prices: PriceTable, usage: CostUsage): CostLine[] {
  const { practice, minutes, controls, deciderPlan } = usage;
  if (practice === undefined) return [];
  const runs = minutes / (practice.every === "week" ? 7 * 1440 : 1440);
  const regions = new Set([...practice.blockingAlarms, ...practice.outcomeAlarms].map((alarm) => alarm.region)).size;
  const roundsPerRun = (practice.durationMinutes + 1) * deciderPlan.rounds;
  return [
    line(prices, "cloudwatch.putMetricData", {
      service: "CloudWatch",
      item: "DescribeAlarms (practice runs)",
      quantity: runs * roundsPerRun * regions * controls,
      basis: `${runs.toFixed(1)} runs a month × ${roundsPerRun} rounds each (${practice.durationMinutes} min and the start) × ${regions} alarm region${regions > 1 ? "s" : ""} × ${controls} decider${controls > 1 ? "s" : ""}`,
    }),
  ];
}

/** CloudWatch: custom metrics, PutMetricData, DescribeAlarms, alarms and log ingestion. */
function cloudWatchCosts(prices: PriceTable, a: CostAssumptions, usage: CostUsage): CostLine[] {
  const {
    vantages,
    controls,
    probe,
    metricsByRegion,
    customMetrics,
    deciderOwn,
    deciderCross,
    alarms,
    highResolutionAlarms,
    probePuts,
    deciderPuts,
    logBytes,
  } = usage;
  return [
    line(prices, "cloudwatch.metric", {
      service: "CloudWatch",
      item: "custom metrics",
      quantity: customMetrics,
      basis: `${metricsByRegion.join(" + ")} series published every minute, by control region; events only while they happen`,
    }),
    line(prices, "cloudwatch.putMetricData", {
      service: "CloudWatch",
      item: "PutMetricData (probes)",
      quantity: probePuts,
      basis: `${probe.perRegion.putMetricDataCalls} request (${probe.perRegion.datums} datums) a minute (the minute's first round; the votes go to DynamoDB) × ${vantages} vantages × ${controls} control regions`,
    }),
    line(prices, "cloudwatch.putMetricData", {
      service: "CloudWatch",
      item: "PutMetricData (deciders)",
      quantity: deciderPuts,
      basis: `${deciderOwn.calls + deciderCross.calls} requests (${deciderOwn.datums + deciderCross.datums} datums) a minute from ${controls} decider${controls > 1 ? "s" : ""}, to ${controls > 1 ? "their own and the other region" : "their region"}; later steady rounds send nothing`,
    }),
    ...(controls > 1
      ? [
          line(prices, "cloudwatch.putMetricData", {
            service: "CloudWatch",
            item: "DescribeAlarms (notifiers)",
            quantity: (a.notifyInvocationsPerMonth * (controls - 1)) / controls,
            basis: `one per alarm notification reaching a notifier outside the first control region (${controls - 1} of ${controls}), to skip what the first region announces`,
          }),
        ]
      : []),
    ...practiceCosts(prices, usage),
    line(prices, "cloudwatch.alarm.standard", {
      service: "CloudWatch",
      item: "alarms (standard resolution)",
      quantity: alarms.length - highResolutionAlarms,
      basis: `alarms.ts: ${alarms.length / controls} per control region`,
    }),
    ...(highResolutionAlarms > 0
      ? [
          line(prices, "cloudwatch.alarm.highResolution", {
            service: "CloudWatch",
            item: "alarms (high resolution)",
            quantity: highResolutionAlarms,
            basis: "alarms.ts: period under 60 s",
          }),
        ]
      : []),
    line(prices, "cloudwatch.logs.ingestion", {
      service: "CloudWatch",
      item: "log ingestion",
      quantity: logBytes / BYTES_PER_GB,
      basis: `${a.logBytes.perProbeRound} B + ${a.logBytes.perProbeTarget} B per target per probe round, ${a.logBytes.perDeciderRound} B per decider round, ${a.logBytes.perInvocation} B per invocation`,
    }),
  ];
}

/**
 * The votes tables (functions/lib/aws/vote-table.ts): a PutItem per voting
 * round, vantage and control region; a strongly consistent Query per
 * decider round and vantage. Storage is left out: with items expiring
 * after a day a table holds a few MB (cents a year).
 */
function voteTableCosts(prices: PriceTable, usage: CostUsage): CostLine[] {
  const { vantages, controls, deciderPlan, probe, decider, voteWriteUnits, voteReadUnits } = usage;
  return [
    line(prices, "dynamodb.writeRequest", {
      service: "DynamoDB",
      item: "vote writes (probes)",
      quantity: voteWriteUnits,
      basis: `${probe.voteWrites.writeUnits} unit (a ${probe.voteWrites.itemBytes} B item) per round × ${vantages} vantages × ${controls} control regions`,
    }),
    line(prices, "dynamodb.readRequest", {
      service: "DynamoDB",
      item: "vote reads (deciders)",
      quantity: voteReadUnits,
      basis: `${decider.queryCalls} strongly consistent Queries (${decider.readUnits} units) per round × ${deciderPlan.rounds} rounds a minute × ${controls} deciders`,
    }),
  ];
}

/** SNS, data transfer, Route 53 reads and the DNS zone and queries. */
function deliveryCosts(prices: PriceTable, a: CostAssumptions, usage: CostUsage): CostLine[] {
  const { controls, deciderRounds, decider, interRegionBytes, checkBytes } = usage;
  return [
    line(prices, "sns.publish", {
      service: "SNS",
      item: "alarm notifications",
      quantity: a.snsPublishesPerMonth,
      basis: "assumed alarm transitions a month; delivery to Lambda is free",
    }),
    line(prices, "dataTransfer.interRegion", {
      service: "Data transfer",
      item: "metrics sent across regions",
      quantity: interRegionBytes / BYTES_PER_GB,
      basis: `${a.putBytes.perRequest} B per request + ${a.putBytes.perDatum} B per datum`,
    }),
    line(prices, "dataTransfer.internetOut", {
      service: "Data transfer",
      item: "health checks sent",
      quantity: checkBytes / BYTES_PER_GB,
      basis: `${a.checkBytesOut} B out per check`,
    }),
    line(prices, "route53.recordChanges", {
      service: "Route 53",
      item: "record changes and reads",
      quantity: deciderRounds * controls * decider.route53Reads,
      basis: "one ListResourceRecordSets per decider round; Route 53 API calls are free",
    }),
    ...dnsLines(prices, a),
  ];
}

/**
 * The data-plane path (docs/dataplane.md): per target and control region an
 * inverted HTTPS status check at the fast interval against that region's
 * signal endpoint (no string matching: the endpoint answers 2xx only for a
 * drain), per target a calculated check over them; per control region a
 * canary check like a signal check but at the standard 30 s interval (it
 * always reads "drain") and its alarm in us-east-1 (init puts it:
 * functions/lib/dataplane/canary-alarm.ts); the signal function answers
 * every checker of every check; the documents are standard SSM parameters.
 */
export function dataPlaneCosts(config: FailoverConfig, prices: PriceTable, a: CostAssumptions): CostLine[] {
  const targets = config.targets.length;
  const controls = config.controlRegions.length;
  const signalChecks = targets * controls;
  const checks = signalChecks + controls;
  const aws = a.signalEndpointType === "aws";
  const kind = aws ? "AWS endpoint" : "non-AWS endpoint";
  const optionId: PriceId = aws ? "route53.healthCheckOption.aws" : "route53.healthCheckOption.nonAws";
  const per = `${targets} targets and the canary × ${controls} control regions`;
  const seconds = prices.hoursPerMonth * 3600;
  const asks = (interval: number) => a.route53Checkers * (seconds / interval);
  const requests = signalChecks * asks(10) + controls * asks(CANARY_INTERVAL_SECONDS);
  const signal = lambdaLines(
    prices,
    a,
    "signal",
    controls,
    requests,
    a.signalInvocationSeconds,
    `${a.route53Checkers} checkers × (${signalChecks} signal checks every 10 s + ${controls} canaries every ${CANARY_INTERVAL_SECONDS} s) (function URLs cost nothing more)`,
  );
  return [
    line(prices, aws ? "route53.healthCheck.aws" : "route53.healthCheck.nonAws", {
      service: "Route 53",
      item: `data plane: signal checks (${kind})`,
      quantity: checks,
      basis: `one inverted status check per target and control region, and a canary per control region (${per}); a function URL billed as a ${kind} (--signal-endpoint)`,
    }),
    line(prices, optionId, {
      service: "Route 53",
      item: "data plane: option HTTPS (signal checks)",
      quantity: checks,
      basis: `every signal check (${per})`,
    }),
    line(prices, optionId, {
      service: "Route 53",
      item: "data plane: option fast interval (10 s) (signal checks)",
      quantity: signalChecks,
      basis: `the target checks (${targets} × ${controls}); the canaries ask every ${CANARY_INTERVAL_SECONDS} s`,
    }),
    line(prices, "route53.healthCheck.calculated", {
      service: "Route 53",
      item: "data plane: calculated checks",
      quantity: targets,
      basis: "one per target, over its control-region checks",
    }),
    ...signal.map((l) => ({ ...l, item: `data plane: ${l.item}` })),
    line(prices, "cloudwatch.alarm.standard", {
      service: "CloudWatch",
      item: "data plane: canary alarms (us-east-1)",
      quantity: controls,
      basis: "one per control region's canary check, on AWS/Route53 HealthCheckStatus (put by failover init)",
    }),
    line(prices, "ssm.standardParameter", {
      service: "SSM",
      item: "data plane: signal documents (one per decider, and the override)",
      quantity: (controls + 1) * controls,
      basis: `${controls + 1} standard parameters (each decider's document and on-call's override) in each of ${controls} control regions; reads and writes at standard throughput are free`,
    }),
  ];
}

/** Lambda requests and GB-seconds of one function across `regions`. */
function lambdaLines(
  prices: PriceTable,
  a: CostAssumptions,
  fn: "probe" | "decider" | "notify" | "manual" | "signal",
  regions: number,
  invocations: number,
  seconds: number,
  why: string,
): CostLine[] {
  const gbSeconds = invocations * seconds * (a.memoryMb[fn] / 1024);
  return [
    line(prices, "lambda.requests", { service: "Lambda", item: `${fn} requests`, quantity: invocations, basis: why }),
    line(prices, "lambda.arm64.gbSecond", {
      service: "Lambda",
      item: `${fn} GB-seconds`,
      quantity: gbSeconds,
      basis: `${invocations.toLocaleString("en-US")} × ${seconds} s × ${a.memoryMb[fn]} MB`,
    }),
  ].map((l) => ({ ...l, item: regions > 1 ? `${l.item} (${regions} regions)` : l.item }));
}

/**
 * Route 53's own health checks for the same targets: one per target, HTTPS
 * when the health URL is https, the fast 10 s interval (its quickest, to be
 * comparable), string matching when `probe.bodyMatch` is set; one standard
 * alarm per check so someone is told; plus the same zone and queries.
 */
export function route53NativeCost(
  config: FailoverConfig,
  prices: PriceTable,
  assumptions: Partial<CostAssumptions> = {},
): Route53NativeEstimate {
  const a: CostAssumptions = { ...defaultCostAssumptions, ...assumptions };
  const isAws = (target: FailoverConfig["targets"][number]) =>
    a.route53EndpointType === "by-target" ? target.provider === "aws" : a.route53EndpointType === "aws";
  const checks = config.targets.length;
  const stringMatch = config.probe.bodyMatch !== undefined;
  // Route 53 bills a check, and each of its options, by whether its endpoint is an AWS resource.
  const checkLines = (aws: boolean): CostLine[] => {
    const targets = config.targets.filter((target) => isAws(target) === aws);
    if (targets.length === 0) return [];
    const optionId: PriceId = aws ? "route53.healthCheckOption.aws" : "route53.healthCheckOption.nonAws";
    const kind = aws ? "AWS endpoint" : "non-AWS endpoint";
    const which = a.route53EndpointType === "by-target" ? ` (${targets.map((t) => t.id).join(", ")})` : "";
    const https = targets.filter((t) => t.healthUrl.startsWith("https:")).length;
    return [
      line(prices, aws ? "route53.healthCheck.aws" : "route53.healthCheck.nonAws", {
        service: "Route 53",
        item: `health checks (${kind})`,
        quantity: targets.length,
        basis: `one per target${which}`,
      }),
      line(prices, optionId, {
        service: "Route 53",
        item: `option: HTTPS (${kind})`,
        quantity: https,
        basis: "targets with an https health URL",
      }),
      line(prices, optionId, {
        service: "Route 53",
        item: `option: fast interval (10 s, ${kind})`,
        quantity: targets.length,
        basis: "every check, to detect as fast as it can",
      }),
      ...(stringMatch
        ? [
            line(prices, optionId, {
              service: "Route 53",
              item: `option: string matching (${kind})`,
              quantity: targets.length,
              basis: "probe.bodyMatch is set",
            }),
          ]
        : []),
    ];
  };
  const awsChecks = config.targets.filter(isAws).length;
  const lines: CostLine[] = [
    ...checkLines(true),
    ...checkLines(false),
    line(prices, "cloudwatch.alarm.standard", {
      service: "CloudWatch",
      item: "alarms on HealthCheckStatus",
      quantity: checks,
      basis: "one per check, to be told",
    }),
    ...dnsLines(prices, a),
  ];
  return {
    profile: "route53-native",
    endpointType: awsChecks === checks ? "aws" : awsChecks === 0 ? "non-aws" : "mixed",
    dataPlaneUsd: 0,
    healthChecks: checks,
    options: ["HTTPS", "fast interval (10 s)", ...(stringMatch ? ["string matching"] : [])],
    ...totals(lines),
    lines,
    detection: route53DetectionTime(a.route53FailureThreshold),
    featureDifference:
      "Route 53 health checks: ~15 checkers, healthy while more than 18% agree, the same threshold both ways (instant fail-back), no latency failure, no canary, no ramp, flap budget, override leases or Slack; regional-failover adds those, with your own vantages and quorum.",
  };
}
