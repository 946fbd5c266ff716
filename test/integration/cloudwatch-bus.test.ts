import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import type { ProbeRoundReport } from "../../functions/lib/probe/report.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { fastRetry, testConfig } from "./aws-fixtures.ts";
import { steadyDecisionMetrics } from "../support/decision-metrics.ts";

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
const report = (vantage: string, at: number, voting: boolean, primaryOk: boolean): ProbeRoundReport => ({
  vantage,
  at,
  voting,
  canary: { ok: voting, latencyMs: 5 },
  results: [
    { target: "primary", ok: primaryOk, latencyMs: 40 },
    { target: "failover", ok: true, latencyMs: 60 },
  ],
});

const client = (region: string) =>
  new CloudWatchClient({
    endpoint: emulator.url,
    region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
const stat = (id: string, name: string, dims: Record<string, string>) => ({
  Id: id,
  MetricStat: {
    Metric: {
      Namespace: config.metricNamespace,
      MetricName: name,
      Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: 60,
    Stat: "Sum",
  },
});

describe("MetricsBus", () => {
  it("publishes probe rounds and reads them back as votes, oldest first, with one GetMetricData call", async () => {
    const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });
    for (const [i, at] of [T0, T0 + 10, T0 + 20].entries()) {
      await bus.publishProbeRound(report("us-east-1", at, true, i < 2));
      await bus.publishProbeRound(report("eu-west-1", at, i !== 1, i < 1));
    }
    bus.stats.reset();

    const rounds = await bus.readWindow("us-east-2", T0 + 27, 30);

    expect(rounds).toEqual([
      {
        at: T0,
        votes: { "us-east-1": { primary: true, failover: true }, "eu-west-1": { primary: true, failover: true } },
      },
      { at: T0 + 10, votes: { "us-east-1": { primary: true, failover: true } } },
      {
        at: T0 + 20,
        votes: { "us-east-1": { primary: false, failover: true }, "eu-west-1": { primary: false, failover: true } },
      },
    ]);
    expect(bus.stats.byOperation.GetMetricData?.calls).toBe(1);
  });

  it("publishes to every control region independently: an unreachable one returns its error", async () => {
    const bus = new MetricsBus(config, {
      endpoint: emulator.url,
      endpointFor: (r) => (r === "us-west-1" ? blackholeUrl : undefined),
      retry: { ...fastRetry, budgetMs: 600, attemptTimeoutMs: 250 },
    });

    const results = await bus.publishProbeRound(report("us-east-1", T0, true, true));
    const rounds = await bus.readWindow("us-east-2", T0, 10);

    expect(results.map((r) => [r.region, r.ok, r.error?.code])).toEqual([
      ["us-east-2", true, undefined],
      ["us-west-1", false, "CLOUDWATCH_UNAVAILABLE"],
    ]);
    expect(results[0]?.calls).toBe(1);
    expect(results[0]?.bytes).toBeGreaterThan(100);
    expect(rounds[0]?.votes["us-east-1"]).toEqual({ primary: true, failover: true });
  });

  it("reads 520 target x vantage pairs in one GetMetricData call: two ProbeVotes groups per vantage", async () => {
    const letters = "abcdefghijklmnopqrstuvwxyz";
    const vantages = Array.from({ length: 20 }, (_, i) => `a${letters[i]}-east-1`);
    const targets = Array.from({ length: 26 }, (_, i) => ({
      id: `t${letters[i]}`,
      region: "us-east-1",
      healthUrl: `https://t${i}.example.com/h`,
      weight: 1,
      records: { "api.example.com": { values: ["192.0.2.1"] } },
    }));
    const wide = testConfig("Z0UNUSED", { targets, vantages, policy: { minVantages: 1 } });
    const bus = new MetricsBus(wide, { endpoint: emulator.url, retry: fastRetry });
    await bus.publishProbeRound(
      {
        vantage: vantages[19]!,
        at: T0,
        voting: true,
        results: targets.map((t) => ({ target: t.id, ok: t.id !== "tz", latencyMs: 1 })),
      },
      ["us-east-2"],
    );
    bus.stats.reset();

    const [round] = await bus.readWindow("us-east-2", T0, 10);

    expect(bus.stats.byOperation.GetMetricData?.calls).toBe(1);
    expect(Object.keys(round?.votes[vantages[19]!] ?? {})).toHaveLength(26);
    expect(Object.values(round?.votes[vantages[19]!] ?? {}).filter((passed) => passed)).toHaveLength(25);
    expect(round?.votes[vantages[19]!]?.tz).toBe(false);
  });

  it("publishes Switchover and the heartbeat to every control region, the weights to the decider's own only", async () => {
    const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });
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

  it("sends a steady decision once a minute, then only what changed, and events only when they happen", async () => {
    const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });
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

  it("leaves out the targets a voting round has no result for, sends no votes for a non-voting round, and no latency when publishLatency is off", async () => {
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
      canary: { ok: false, latencyMs: 5 },
      results: [{ target: "primary", ok: true, latencyMs: 30 }],
    });
    const latency = await client("us-east-2").send(
      new GetMetricDataCommand({
        StartTime: new Date(T0 * 1000),
        EndTime: new Date((T0 + 10) * 1000),
        MetricDataQueries: [stat("latency", "ProbeLatency", { Target: "failover", Vantage: "us-east-1" })],
      }),
    );

    const [round] = await bus.readWindow("us-east-2", T0, 10);

    expect(round?.votes).toEqual({ "us-east-1": { failover: false } });
    expect(latency.MetricDataResults?.[0]?.Values).toEqual([]);
  });
});
