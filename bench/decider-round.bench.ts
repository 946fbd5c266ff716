import { MetricsBus } from "../functions/lib/aws/cloudwatch.ts";
import { VoteTable } from "../functions/lib/aws/vote-table.ts";
import type { DecisionMetrics } from "../functions/lib/metric-datums.ts";
import { createHostedZone } from "../emulator/hosted-zone.ts";
import { Route53Switcher } from "../functions/lib/aws/route53.ts";
import { CallStats, type OperationStats } from "../functions/lib/aws/stats.ts";
import { loadConfig, parseConfig, type FailoverConfig } from "../functions/lib/config.ts";
import { startEmulator, type Emulator } from "../emulator/harness.ts";

/**
 * AWS calls, bytes and latency of one decider round against the moto emulator
 * (example config: 2 targets, 3 vantages, 2 control regions, 3-minute window):
 * read Route 53 + read the window of votes + publish the decider metrics
 * to both control regions; a switch round also writes weights and state in one
 * batch. The votes are read as deployed, from the votes table (one Query per
 * vantage, in parallel). Also the votes table's read of a full window alone.
 * (Until issue 22 the votes were read from CloudWatch with GetMetricData;
 * docs/performance.md keeps that read's last figures.)
 */

const WINDOW_SECONDS = 180;

interface Setup {
  emulator: Emulator;
  config: FailoverConfig;
  switcher: Route53Switcher;
  bus: MetricsBus;
  votes: VoteTable;
  stats: CallStats;
  now: number;
}

let prepared: Promise<Setup> | undefined;

async function prepare(): Promise<Setup> {
  const emulator = await startEmulator();
  const example = loadConfig();
  const zoneId = await createHostedZone(example.hostedZone.name, { endpoint: emulator.url });
  const config = parseConfig({ ...example, hostedZone: { ...example.hostedZone, id: zoneId } });
  const stats = new CallStats();
  const switcher = new Route53Switcher(config, { endpoint: emulator.url, stats });
  const bus = new MetricsBus(config, { endpoint: emulator.url, stats });
  const votes = new VoteTable(config, { endpoint: emulator.url, stats, now: () => Date.now() });
  await votes.createTable("us-east-2");
  await switcher.init();
  const now = Math.floor(Date.now() / 1000 / 10) * 10;
  // A full window of probe rounds from every vantage, each stamped just after its round, as a probe writes it.
  for (let at = now - WINDOW_SECONDS; at <= now; at += config.probe.intervalSeconds) {
    for (const vantage of config.vantages) {
      const report = {
        vantage,
        at,
        voting: true,
        canary: { ok: true, latencyMs: 3 },
        results: config.targets.map((t) => ({ target: t.id, ok: true, latencyMs: 20 })),
      };
      await new VoteTable(config, { endpoint: emulator.url, now: () => (at + 1) * 1000 }).publishProbeRound(report, [
        "us-east-2",
      ]);
    }
  }
  return { emulator, config, switcher, bus, votes, stats, now };
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
async function rounds({ config, switcher, bus, votes, stats, now }: Setup) {
  const readVotes = (at: number) => votes.readWindow("us-east-2", at, WINDOW_SECONDS);
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
    const setup = await prepared;
    const table = await rounds(setup);

    const started = performance.now();
    await setup.votes.readWindow("us-east-2", setup.now, WINDOW_SECONDS);
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
      readWindowVoteTableMs,
    };
  },
  /** Stops the emulators this benchmark started (bench/run.ts may call it; otherwise they end with the process). */
  async teardown(): Promise<void> {
    if (!prepared) return;
    const { emulator } = await prepared;
    await emulator.stop();
  },
};
