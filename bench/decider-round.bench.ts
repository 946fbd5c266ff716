import { MetricsBus } from "../functions/lib/aws/cloudwatch.ts";
import { VoteTable } from "../functions/lib/aws/vote-table.ts";
import type { DecisionMetrics } from "../functions/lib/metric-datums.ts";
import { createHostedZone } from "../emulator/hosted-zone.ts";
import { Route53Switcher } from "../functions/lib/aws/route53.ts";
import { CallStats, type OperationStats } from "../functions/lib/aws/stats.ts";
import { loadConfig, parseConfig, type FailoverConfig } from "../functions/lib/config.ts";
import { Dimension, Metric } from "../functions/lib/metrics.ts";
import { voteGroups } from "../functions/lib/probe-votes.ts";
import { startEmulator, type Emulator } from "../emulator/harness.ts";
import { seedMetricBacklog, type BacklogDatum } from "../emulator/metric-backlog.ts";

/**
 * AWS calls, bytes and latency of one decider round against the moto emulator
 * (example config: 2 targets, 3 vantages, 2 control regions, 3-minute window):
 * read Route 53 + read the window of votes + publish the decider metrics
 * to both control regions; a switch round also writes weights and state in one
 * batch. The votes are read as deployed, from the votes table (one Query per
 * vantage, in parallel: `steady*`, `switch*`), and as before issue 22, from
 * CloudWatch (`cloudWatch*`). Also GetMetricData latency once ~15k datums have
 * accumulated in the region (as in the drill), with the launcher's fast path
 * and with stock moto, beside the votes table's read of a full window.
 */

const WINDOW_SECONDS = 180;
const ACCUMULATED_DATUMS = 15_000;

interface Setup {
  emulator: Emulator;
  stock: Emulator;
  config: FailoverConfig;
  switcher: Route53Switcher;
  bus: MetricsBus;
  votes: VoteTable;
  stockBus: MetricsBus;
  stats: CallStats;
  now: number;
}

let prepared: Promise<Setup> | undefined;

async function prepare(): Promise<Setup> {
  const [emulator, stock] = await Promise.all([startEmulator(), startEmulator({ patches: false })]);
  const example = loadConfig();
  const zoneId = await createHostedZone(example.hostedZone.name, { endpoint: emulator.url });
  const config = parseConfig({ ...example, hostedZone: { ...example.hostedZone, id: zoneId } });
  const stats = new CallStats();
  const switcher = new Route53Switcher(config, { endpoint: emulator.url, stats });
  const bus = new MetricsBus(config, { endpoint: emulator.url, stats });
  const votes = new VoteTable(config, { endpoint: emulator.url, stats, now: () => Date.now() });
  await votes.createTable("us-east-2");
  const stockBus = new MetricsBus(config, { endpoint: stock.url });
  await switcher.init();
  const now = Math.floor(Date.now() / 1000 / 10) * 10;
  // A full window of probe rounds from every vantage.
  for (let at = now - WINDOW_SECONDS; at <= now; at += config.probe.intervalSeconds) {
    for (const vantage of config.vantages) {
      const report = {
        vantage,
        at,
        voting: true,
        canary: { ok: true, latencyMs: 3 },
        results: config.targets.map((t) => ({ target: t.id, ok: true, latencyMs: 20 })),
      };
      await bus.publishProbeRound(report);
      // Stamped just after its round, as a probe writes it.
      await new VoteTable(config, { endpoint: emulator.url, now: () => (at + 1) * 1000 }).publishProbeRound(report, [
        "us-east-2",
      ]);
    }
  }
  await Promise.all([accumulate(emulator.url, config, now), accumulate(stock.url, config, now)]);
  for (let at = now - WINDOW_SECONDS; at <= now; at += config.probe.intervalSeconds) {
    for (const vantage of config.vantages) {
      await stockBus.publishProbeRound(
        { vantage, at, voting: true, results: config.targets.map((t) => ({ target: t.id, ok: true, latencyMs: 20 })) },
        ["us-east-2"],
      );
    }
  }
  return { emulator, stock, config, switcher, bus, votes, stockBus, stats, now };
}

/** Older datums, as a drill leaves behind, in the region the decider reads. */
async function accumulate(endpoint: string, config: FailoverConfig, now: number): Promise<void> {
  const group = voteGroups(config.targets.map((t) => t.id))[0]!.dimension;
  const datums: BacklogDatum[] = Array.from({ length: ACCUMULATED_DATUMS }, (_, i) => ({
    metricName: Metric.ProbeVotes,
    value: 3,
    at: now - 3600 - (i % 3000) * 10,
    dimensions: { [Dimension.Vantage]: config.vantages[i % config.vantages.length]!, [Dimension.TargetGroup]: group },
  }));
  await seedMetricBacklog(endpoint, "us-east-2", config.metricNamespace, datums);
}

function decisionMetrics(config: FailoverConfig, at: number, switched: boolean): DecisionMetrics {
  return {
    at,
    controlRegion: "us-east-2",
    weights: Object.fromEntries(config.targets.map((t) => [t.id, t.weight])),
    health: Object.fromEntries(config.targets.map((t) => [t.id, "up" as const])),
    switchovers: switched ? [{ target: config.targets[0]!.id, direction: "drain", mode: "automatic" }] : [],
    allDown: false,
    flapHeld: [],
    overrideAgeSeconds: 0,
    heartbeat: true,
    suspects: [],
    signalWriteFailed: [],
    signalDisagrees: false,
    signalStale: [],
  };
}

function totals(stats: Record<string, OperationStats>) {
  const ops = Object.values(stats);
  return {
    calls: ops.reduce((n, o) => n + o.calls, 0),
    bytes: ops.reduce((n, o) => n + o.requestBytes + o.responseBytes, 0),
  };
}

let flip = false;

/**
 * A steady round (read the zone and the votes at once, publish once a
 * minute's metrics) and a switch round (the same reads, one batch of weights
 * and state, the Switchover metric), counted and timed.
 */
async function rounds(
  config: FailoverConfig,
  switcher: Route53Switcher,
  bus: MetricsBus,
  stats: CallStats,
  now: number,
  readVotes: (at: number) => Promise<unknown>,
) {
  stats.reset();
  let started = performance.now();
  await Promise.all([switcher.read(), readVotes(now)]);
  minute += 1;
  await bus.publishDecision(decisionMetrics(config, now + minute * 60, false));
  const steadyMs = performance.now() - started;
  const steady = stats.snapshot();

  stats.reset();
  started = performance.now();
  const [snapshot] = await Promise.all([switcher.read(), readVotes(now)]);
  flip = !flip;
  const primary = config.targets[0]!.id;
  await switcher.apply(snapshot, {
    weights: { [primary]: flip ? 0 : config.targets[0]!.weight },
    state: { v: 1, memory: { drained: flip ? [primary] : [] }, switches: [] },
  });
  await bus.publishDecision(decisionMetrics(config, now + minute * 60 + 10, true));
  return { steady, steadyMs, switching: stats.snapshot(), switchMs: performance.now() - started };
}
// Each run decides in a new minute, so its steady round is a minute's first (the one that publishes).
let minute = 0;

export default {
  name: "decider-round",
  runs: 7,
  async run(): Promise<Record<string, number>> {
    prepared ??= prepare();
    const { config, switcher, bus, votes, stockBus, stats, now } = await prepared;
    const fromTable = (at: number) => votes.readWindow("us-east-2", at, WINDOW_SECONDS);
    const fromCloudWatch = (at: number) => bus.readWindow("us-east-2", at, WINDOW_SECONDS);
    const table = await rounds(config, switcher, bus, stats, now, fromTable);
    const cloudWatch = await rounds(config, switcher, bus, stats, now, fromCloudWatch);

    let started = performance.now();
    await bus.readWindow("us-east-2", now, WINDOW_SECONDS);
    const readWindow15kDatumsPatchedMs = performance.now() - started;
    started = performance.now();
    await stockBus.readWindow("us-east-2", now, WINDOW_SECONDS);
    const readWindow15kDatumsStockMs = performance.now() - started;
    started = performance.now();
    await votes.readWindow("us-east-2", now, WINDOW_SECONDS);
    const readWindowVoteTableMs = performance.now() - started;

    return {
      steadyRoute53Reads: table.steady.ListResourceRecordSets?.calls ?? 0,
      steadyVoteQueries: table.steady.Query?.calls ?? 0,
      steadyCallsTotal: totals(table.steady).calls,
      steadyKB: totals(table.steady).bytes / 1024,
      steadyRoundMs: table.steadyMs,
      switchCallsTotal: totals(table.switching).calls,
      switchKB: totals(table.switching).bytes / 1024,
      switchRoundMs: table.switchMs,
      cloudWatchSteadyCallsTotal: totals(cloudWatch.steady).calls,
      cloudWatchSteadyRoundMs: cloudWatch.steadyMs,
      cloudWatchSwitchCallsTotal: totals(cloudWatch.switching).calls,
      cloudWatchSwitchRoundMs: cloudWatch.switchMs,
      readWindowVoteTableMs,
      readWindow15kDatumsPatchedMs,
      readWindow15kDatumsStockMs,
    };
  },
  /** Stops the emulators this benchmark started (bench/run.ts may call it; otherwise they end with the process). */
  async teardown(): Promise<void> {
    if (!prepared) return;
    const { emulator, stock } = await prepared;
    await Promise.all([emulator.stop(), stock.stop()]);
  },
};
