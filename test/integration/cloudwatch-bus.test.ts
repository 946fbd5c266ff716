import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import type { ProbeRoundReport } from "../../functions/lib/probe/report.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { fastRetry, testConfig } from "./aws-fixtures.ts";
import { steadyDecisionMetrics } from "../support/decision-metrics.ts";
import { vantageLiveness } from "../../functions/lib/alarms.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";

let emulator: Emulator;
let blackhole: Server;
let blackholeUrl: string;
const held: Socket[] = [];
beforeAll(async () => {
  emulator = await startEmulator();
  // A "region" that accepts connections and never answers.
  blackhole = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
  blackholeUrl = `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}`;
});
beforeEach(async () => {
  await emulator.reset();
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => blackhole?.close(resolve));
  await emulator?.stop();
});

const T0 = 1_800_000_000; // a multiple of the 10 s interval
const config = testConfig("Z0UNUSED");
/** A voting round of `vantage` at `at` in which every target passed (the config has no canary). */
const report = (vantage: string, at: number): ProbeRoundReport => ({
  vantage,
  at,
  voting: true,
  results: [
    { target: "primary", ok: true, latencyMs: 40 },
    { target: "failover", ok: true, latencyMs: 60 },
  ],
});

const client = (region: string) =>
  new CloudWatchClient({
    endpoint: emulator.url,
    region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
const stat = (id: string, name: string, dims: Record<string, string>, statistic = "Sum") => ({
  Id: id,
  MetricStat: {
    Metric: {
      Namespace: config.metricNamespace,
      MetricName: name,
      Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: 60,
    Stat: statistic,
  },
});

/** The SampleCount of `vantage`'s liveness series (the vantage-silent alarm's input) in `region`, the minute of T0. */
async function liveness(region: string, vantage: string, of: FailoverConfig): Promise<number[]> {
  const { metricName, dimensions } = vantageLiveness(of, vantage);
  const out = await client(region).send(
    new GetMetricDataCommand({
      StartTime: new Date(T0 * 1000),
      EndTime: new Date((T0 + 60) * 1000),
      MetricDataQueries: [stat("live", metricName, dimensions, "SampleCount")],
    }),
  );
  return out.MetricDataResults?.[0]?.Values ?? [];
}

describe("MetricsBus", () => {
  it("publishes to every control region independently: an unreachable one returns its error", async () => {
    const bus = new MetricsBus(config, {
      endpoint: emulator.url,
      endpointFor: (r) => (r === "us-west-1" ? blackholeUrl : undefined),
      // An attempt timeout a busy emulator stays well within, so the reachable region takes one call.
      retry: { ...fastRetry, budgetMs: 1500, attemptTimeoutMs: 1000 },
    });

    const results = await bus.publishProbeRound(report("us-east-1", T0));

    expect(results.map((r) => [r.region, r.ok, r.error?.code])).toEqual([
      ["us-east-2", true, undefined],
      ["us-west-1", false, "CLOUDWATCH_UNAVAILABLE"],
    ]);
    expect(results[0]?.calls).toBe(1);
    expect(results[0]?.bytes).toBeGreaterThan(100);
    expect(await liveness("us-east-2", "us-east-1", config)).toEqual([1]);
  });

  it("publishes Switchover and the heartbeat to every control region, the weights (when asked for) to the decider's own only", async () => {
    const bus = new MetricsBus(testConfig("Z0UNUSED", { publishWeights: true }), {
      endpoint: emulator.url,
      retry: fastRetry,
    });
    const results = await bus.publishDecision({
      at: T0,
      controlRegion: "us-east-2",
      weights: { primary: 0, failover: 10 },
      health: { primary: "down", failover: "up" },
      switchovers: [{ target: "primary", direction: "drain", mode: "automatic" }],
      allDown: false,
      flapHeld: [],
      overrideAgeSeconds: 0,
      heartbeat: true,
      suspects: [],
      signalWriteFailed: [],
      signalDisagrees: false,
      signalStale: [],
    });

    const read = async (region: string) => {
      const out = await client(region).send(
        new GetMetricDataCommand({
          StartTime: new Date((T0 - 60) * 1000),
          EndTime: new Date((T0 + 60) * 1000),
          MetricDataQueries: [
            stat("any", "Switchover", {}),
            stat("drain", "Switchover", { Target: "primary", Direction: "drain", Mode: "automatic" }),
            stat("beat", "DeciderHeartbeat", { ControlRegion: "us-east-2" }),
            stat("weight", "TargetWeight", { Target: "failover" }),
            stat("down", "TargetHealthy", { Target: "primary" }),
          ],
        }),
      );
      return Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id, r.Values]));
    };

    expect(results.every((r) => r.ok)).toBe(true);
    expect(await read("us-east-2")).toEqual({ any: [1], drain: [1], beat: [1], weight: [10], down: [0] });
    expect(await read("us-west-1")).toEqual({ any: [1], drain: [1], beat: [1], weight: [], down: [] });
  });

  it("publishes no TargetWeight by default: the heartbeat alone goes to the decider's own region", async () => {
    const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });
    const steady = steadyDecisionMetrics(T0 + 120, "us-east-2", { primary: 90, failover: 10 });

    const results = await bus.publishDecision(steady);
    const changed = await bus.publishDecision({ ...steady, at: T0 + 130, weights: { primary: 0, failover: 100 } });

    expect(results.map((r) => [r.region, r.ok, r.calls])).toEqual([
      ["us-east-2", true, 1],
      ["us-west-1", true, 1],
    ]);
    expect(changed.map((r) => r.calls)).toEqual([0, 0]);
    const out = await client("us-east-2").send(
      new GetMetricDataCommand({
        StartTime: new Date(T0 * 1000),
        EndTime: new Date((T0 + 180) * 1000),
        MetricDataQueries: [stat("weight", "TargetWeight", { Target: "primary" })],
      }),
    );
    expect(out.MetricDataResults?.[0]?.Values).toEqual([]);
  });

  it("sends a steady decision once a minute, then only what changed, and events only when they happen", async () => {
    const bus = new MetricsBus(testConfig("Z0UNUSED", { publishWeights: true }), {
      endpoint: emulator.url,
      retry: fastRetry,
    });
    const steady = steadyDecisionMetrics(T0, "us-east-2", { primary: 90, failover: 10 });

    const first = await bus.publishDecision(steady);
    bus.stats.reset();
    const same = await bus.publishDecision({ ...steady, at: T0 + 10 });
    const changed = await bus.publishDecision({ ...steady, at: T0 + 20, weights: { primary: 0, failover: 100 } });
    const nextMinute = await bus.publishDecision({ ...steady, at: T0 + 60 });

    expect(first.map((r) => [r.region, r.ok, r.calls])).toEqual([
      ["us-east-2", true, 1],
      ["us-west-1", true, 1],
    ]);
    expect(same.map((r) => r.calls)).toEqual([0, 0]);
    expect(changed.map((r) => r.calls)).toEqual([1, 0]);
    expect(nextMinute.map((r) => r.calls)).toEqual([1, 1]);
    // 2 changed weights, then heartbeat + 2 weights in us-east-2 and the heartbeat in us-west-1: no AllTargetsDown, FlapBudgetSpent, OverrideAgeSeconds or Switchover zeros
    expect(bus.stats.byOperation.PutMetricData?.calls).toBe(3);
  });

  it("sends the liveness series for a voting round only, and no latency when publishLatency is off", async () => {
    const quiet = testConfig("Z0UNUSED", { probe: { publishLatency: false } });
    const bus = new MetricsBus(quiet, { endpoint: emulator.url, retry: fastRetry });
    await bus.publishProbeRound({
      vantage: "us-east-1",
      at: T0,
      voting: true,
      results: [{ target: "failover", ok: false, latencyMs: 30 }],
    });
    await bus.publishProbeRound({
      vantage: "eu-west-1",
      at: T0,
      voting: false,
      results: [{ target: "primary", ok: true, latencyMs: 30 }],
    });
    const latency = await client("us-east-2").send(
      new GetMetricDataCommand({
        StartTime: new Date(T0 * 1000),
        EndTime: new Date((T0 + 10) * 1000),
        MetricDataQueries: [stat("latency", "ProbeLatency", { Target: "failover", Vantage: "us-east-1" })],
      }),
    );

    expect(await liveness("us-east-2", "us-east-1", quiet)).toEqual([1]);
    expect(await liveness("us-east-2", "eu-west-1", quiet)).toEqual([]);
    expect(latency.MetricDataResults?.[0]?.Values).toEqual([]);
  });
});
