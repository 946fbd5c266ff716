import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { VoteTable } from "../../functions/lib/aws/vote-table.ts";
import { probePublisher } from "../../functions/lib/wiring/votes.ts";
import type { DecisionMetrics } from "../../functions/lib/metric-datums.ts";
import type { ProbeRoundReport } from "../../functions/lib/probe/report.ts";
import { createHostedZone } from "../../emulator/hosted-zone.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import {
  exampleConfigPath,
  parseConfigWithProfile,
  readJsonFile,
  type FailoverConfig,
} from "../../functions/lib/config.ts";
import { deciderRoundCalls, probeRoundCalls } from "../../offline/cost/counts.ts";
import { defaultCostAssumptions, estimateCost } from "../../offline/cost/model.ts";
import { HealthCheckAdmin } from "../../functions/lib/aws/route53-health-checks.ts";
import { linkDataPlane } from "../../functions/lib/dataplane-link/link.ts";
import { controlZone } from "../support/control-fixtures.ts";
import { startSignalEndpoints } from "../support/signal-endpoints.ts";
import { fastRetry } from "./aws-fixtures.ts";
import { loadPrices } from "../../offline/cost/prices.ts";
import { windowSeconds } from "../../functions/lib/policy/decide.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { startCountingProxy, type CountingProxy, type RecordedCall } from "../support/aws-counting-proxy.ts";
import { steadyDecisionMetrics } from "../support/decision-metrics.ts";

/**
 * The cost model's counts (offline/cost/counts.ts) against what the
 * adapters really send to the emulator. If the CloudWatch adapter publishes
 * another datum or splits a request, or the votes table is written or read
 * with another request, this fails, and `failover cost` must be brought
 * back in line.
 */
const raw = readJsonFile(exampleConfigPath, "config") as Record<string, unknown>;
const AT = 1_764_000_000; // a round start (multiple of 60), epoch seconds

let emulator: Emulator;
let proxy: CountingProxy;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  emulator = await startEmulator();
  proxy = await startCountingProxy(emulator.url);
});

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  await proxy?.close();
  await emulator?.stop();
});

const only = (operation: string) => proxy.calls.filter((c) => c.operation === operation);
const byRegion = (calls: RecordedCall[]) => {
  const tally: Record<string, { calls: number; datums: number }> = {};
  for (const call of calls) {
    const entry = tally[call.region] ?? { calls: 0, datums: 0 };
    tally[call.region] = entry;
    entry.calls += 1;
    entry.datums += call.datums;
  }
  return tally;
};

/** A voting round where every target answered, as the probe handler reports it. */
const healthyRound = (config: FailoverConfig, vantage: string, at = AT): ProbeRoundReport => ({
  vantage,
  at,
  voting: true,
  results: config.targets.map((t) => ({ target: t.id, ok: true, latencyMs: 42, status: 200 })),
});

/** A steady decision at the config's normal weights: nothing switched, every target up. */
const steadyDecision = (config: FailoverConfig, controlRegion: string): DecisionMetrics =>
  steadyDecisionMetrics(AT, controlRegion, Object.fromEntries(config.targets.map((t) => [t.id, t.weight])));

for (const profile of ["default", "economy"]) {
  describe(`cost model against the adapters, ${profile} profile`, () => {
    const config = parseConfigWithProfile(raw, profile);

    it("sends the PutItem and PutMetricData requests and datums the model assumes for a probe round, and only the PutItem in a later round of the minute", async () => {
      // Prepare
      const bus = new MetricsBus(config, { endpoint: proxy.url });
      // A minute of its own per profile: the votes table never takes a second vote for a round.
      const minute = AT + (profile === "default" ? 0 : 3600);
      const votes = new VoteTable(config, { endpoint: proxy.url, now: () => (minute + 1) * 1000 });
      await Promise.all(
        config.controlRegions.map((r) => new VoteTable(config, { endpoint: emulator.url }).createTable(r)),
      );
      const publish = probePublisher(votes, bus, config.controlRegions);
      // The minute's last round (economy's 60 s rounds have no other round in the minute).
      const lastInMinute = minute + 60 - config.probe.intervalSeconds;
      proxy.clear();
      // Act
      const results = await publish(healthyRound(config, "eu-west-1", minute));
      const first = [...proxy.calls];
      proxy.clear();
      const later = lastInMinute > minute ? await publish(healthyRound(config, "eu-west-1", lastInMinute)) : [];
      // Assess
      const expected = probeRoundCalls(config, "eu-west-1");
      expect([...results, ...later].filter((r) => !r.ok).map((r) => r.error?.message)).toEqual([]);
      expect(proxy.calls.map((c) => `${c.operation} ${c.region}`)).toEqual(
        lastInMinute > minute ? expected.regions.map((r) => `PutItem ${r}`) : [],
      );
      expect(byRegion(first.filter((c) => c.operation === "PutItem"))).toEqual(
        Object.fromEntries(expected.regions.map((r) => [r, { calls: expected.voteWrites.putItemCalls, datums: 0 }])),
      );
      const puts = first.filter((c) => c.operation !== "PutItem");
      expect(puts.map((c) => c.operation).every((op) => op === "PutMetricData")).toBe(true);
      expect(byRegion(puts)).toEqual(
        Object.fromEntries(
          expected.regions.map((r) => [
            r,
            { calls: expected.perRegion.putMetricDataCalls, datums: expected.perRegion.datums },
          ]),
        ),
      );
      expect(bus.stats.byOperation.PutMetricData?.calls).toBe(
        expected.regions.length * expected.perRegion.putMetricDataCalls,
      );
    });

    it("reads the votes and sends the requests and datums the model assumes for a decider round, and nothing more in a later steady round of the minute", async () => {
      // Prepare
      const bus = new MetricsBus(config, { endpoint: proxy.url });
      const votes = new VoteTable(config, { endpoint: proxy.url });
      const region = config.controlRegions[0] as string;
      proxy.clear();
      // Act
      await votes.readWindow(region, AT + config.probe.intervalSeconds - 1, windowSeconds(config));
      const results = await bus.publishDecision(steadyDecision(config, region));
      const firstRound = [...proxy.calls];
      proxy.clear();
      const later = await bus.publishDecision({ ...steadyDecision(config, region), at: AT + 50 });
      // Assess
      const expected = deciderRoundCalls(config, region);
      expect(results.every((r) => r.ok)).toBe(true);
      const reads = firstRound.filter((c) => c.operation === "Query");
      expect(reads).toHaveLength(expected.queryCalls);
      const puts = byRegion(firstRound.filter((c) => c.operation === "PutMetricData"));
      expect(puts).toEqual(
        Object.fromEntries(
          Object.entries(expected.perMinute).map(([r, counts]) => [
            r,
            { calls: counts.putMetricDataCalls, datums: counts.datums },
          ]),
        ),
      );
      expect(firstRound).toHaveLength(
        reads.length + Object.values(expected.perMinute).reduce((n, counts) => n + counts.putMetricDataCalls, 0),
      );
      expect(later.every((r) => r.ok && r.calls === 0)).toBe(true);
      expect(proxy.calls).toEqual([]);
    });

    it("leaves in each control region as many custom metrics as the model bills, after a round of every probe and decider", async () => {
      // Prepare
      const bus = new MetricsBus(config, { endpoint: proxy.url });
      const minute = AT + (profile === "default" ? 7200 : 10_800);
      const votes = new VoteTable(config, { endpoint: proxy.url, now: () => (minute + 1) * 1000 });
      proxy.clear();
      // Act
      for (const vantage of config.vantages)
        await probePublisher(votes, bus, config.controlRegions)(healthyRound(config, vantage, minute));
      for (const region of config.controlRegions) await bus.publishDecision(steadyDecision(config, region));
      // Assess
      const seen = new Map<string, Set<string>>();
      for (const call of only("PutMetricData"))
        for (const metric of call.metrics)
          (seen.get(call.region) ?? seen.set(call.region, new Set()).get(call.region))?.add(metric);
      const billed = estimateCost(config, loadPrices()).lines.find((l) => l.item === "custom metrics")?.quantity;
      expect([...seen.keys()].sort()).toEqual([...config.controlRegions].sort());
      expect([...seen.values()].reduce((n, metrics) => n + metrics.size, 0)).toBe(billed);
    });
  });
}

describe("cost model against the Route 53 adapter", () => {
  it("reads the zone with the one ListResourceRecordSets per decider round the model assumes", async () => {
    // Prepare
    const zoneName = (raw.hostedZone as { name: string }).name;
    const zoneId = await createHostedZone(zoneName, { endpoint: emulator.url });
    const config = parseConfigWithProfile({ ...raw, hostedZone: { id: zoneId, name: zoneName } }, "default");
    await new Route53Switcher(config, { endpoint: emulator.url }).init();
    const switcher = new Route53Switcher(config, { endpoint: proxy.url });
    proxy.clear();
    // Act
    const snapshot = await switcher.read();
    // Assess
    expect(snapshot.weights).toEqual({ primary: 90, failover: 10 });
    expect(proxy.calls.map((c) => c.operation)).toEqual(
      Array(deciderRoundCalls(config).route53Reads).fill("ListResourceRecordSets"),
    );
  });
});

describe("cost model against the data-plane link", () => {
  it("bills exactly the health checks linkDataPlane creates: status checks (no string matching), the fast interval on the target checks only, the calculated checks, and the signal requests their intervals make", async () => {
    // Prepare: the real signal function behind one local endpoint per control region.
    const { config, switcher } = await controlZone(emulator.url);
    const urls = await startSignalEndpoints(config, emulator.url, closers);
    const admin = new HealthCheckAdmin(config, { endpoint: emulator.url, retry: fastRetry });
    // Act
    await linkDataPlane(config, urls, admin, switcher);
    const checks = await admin.list();
    const estimate = estimateCost(config, loadPrices());
    // Assess
    const quantity = (item: string) => estimate.lines.find((l) => l.item.startsWith(item))?.quantity;
    const endpointChecks = checks.filter((c) => c.spec.Type !== "CALCULATED");
    expect(endpointChecks.map((c) => c.spec.Type).filter((type) => type.endsWith("STR_MATCH"))).toEqual([]);
    expect(estimate.lines.filter((l) => l.item.includes("string matching"))).toEqual([]);
    expect(quantity("data plane: signal checks")).toBe(endpointChecks.length);
    // Function URLs are HTTPS: every endpoint check pays the HTTPS option (the test's loopback endpoints are HTTP).
    expect(quantity("data plane: option HTTPS")).toBe(endpointChecks.length);
    expect(quantity("data plane: option fast interval")).toBe(
      endpointChecks.filter((c) => c.spec.RequestInterval === 10).length,
    );
    expect(quantity("data plane: calculated checks")).toBe(checks.length - endpointChecks.length);
    const month = 730 * 3600;
    const asks = endpointChecks.reduce((n, c) => n + month / (c.spec.RequestInterval ?? 30), 0);
    expect(quantity("data plane: signal requests")).toBeCloseTo(defaultCostAssumptions.route53Checkers * asks, 6);
  }, 60_000);
});
