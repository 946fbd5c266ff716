import { describe, expect, it } from "vitest";
import {
  exampleConfigPath,
  parseConfigWithProfile,
  readJsonFile,
  type FailoverConfig,
} from "../../../../functions/lib/config.ts";
import { ValidationError } from "../../../../functions/lib/errors.ts";
import { deciderRoundCalls, probeRoundCalls } from "../../../../offline/cost/counts.ts";
import { estimateCost, invocationPlan, route53NativeCost, type CostEstimate } from "../../../../offline/cost/model.ts";
import { loadPrices, parsePrices } from "../../../../offline/cost/prices.ts";

const raw = readJsonFile(exampleConfigPath, "config") as Record<string, unknown>;
const prices = loadPrices();
const example = (profile = "default") => parseConfigWithProfile(raw, profile);
const lineOf = (estimate: CostEstimate, item: string) => {
  const found = estimate.lines.find((l) => l.item === item);
  if (!found) throw new Error(`no line "${item}" in ${estimate.lines.map((l) => l.item).join(", ")}`);
  return found;
};
/** The example config with `targets` targets and the first `vantages` of six regions (ids made up). */
const scaled = (targets: number, vantages = 3, profile = "default"): FailoverConfig => {
  const regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1"];
  const template = (raw.targets as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
  const targetList = Array.from({ length: targets }, (_, i) => ({ ...template, id: `t${i}`, weight: 10 }));
  return parseConfigWithProfile({ ...raw, targets: targetList, vantages: regions.slice(0, vantages) }, profile);
};

// 730 hours a month, one invocation a minute.
const MINUTES = 43_800;

describe("cost model, example config, default profile", () => {
  it("bills a probe invocation 49.5 s and a decider invocation 53 s, six rounds each", () => {
    // Act: invoked 1 s after the minute, each round taking 0.5 s
    const probe = invocationPlan(example(), "probe", 0.5, 1);
    const decider = invocationPlan(example(), "decider", 0.5, 1);
    // Assess: probe rounds at :00..:50 (the last ends by the 55 s budget); decider rounds 3.5 s after them (the re-check is over), through :53.5 (the decider covers the whole minute)
    expect(probe).toEqual({ rounds: 6, billedSeconds: 49.5 });
    expect(decider).toEqual({ rounds: 6, billedSeconds: 53 });
  });

  it("prices each line as quantity times the list price", () => {
    // Act
    const estimate = estimateCost(example(), prices);
    // Assess
    expect(lineOf(estimate, "probe requests (3 regions)").quantity).toBe(3 * MINUTES);
    // 128 MB probes and deciders (functionMemoryMb)
    expect(lineOf(estimate, "probe GB-seconds (3 regions)").quantity).toBeCloseTo(3 * MINUTES * 49.5 * 0.125, 6);
    expect(lineOf(estimate, "probe GB-seconds (3 regions)").monthlyUsd).toBeCloseTo(813_037.5 * 0.0000133334, 9);
    expect(lineOf(estimate, "decider GB-seconds (2 regions)").quantity).toBeCloseTo(2 * MINUTES * 53 * 0.125, 6);
    // 5 series per control region: 3 vantages × 1 ProbeVotes + 2 decider heartbeats; events are not standing series; ProbeLatency and TargetWeight only when asked for
    expect(lineOf(estimate, "custom metrics").quantity).toBe(10);
    expect(lineOf(estimate, "custom metrics").monthlyUsd).toBeCloseTo(10 * 0.3, 9);
    // Once a minute (the votes go to DynamoDB every round)
    expect(lineOf(estimate, "PutMetricData (probes)").quantity).toBe(MINUTES * 3 * 2);
    expect(lineOf(estimate, "PutMetricData (probes)").monthlyUsd).toBeCloseTo(2.628, 9);
    // Once a minute, each decider to its own region and to the other one
    expect(lineOf(estimate, "PutMetricData (deciders)").monthlyUsd).toBeCloseTo(MINUTES * 2 * 2 * 0.00001, 9);
    // 6 rounds a minute × 3 vantages × 2 control regions, one write unit each (an item under 1 KB)
    expect(lineOf(estimate, "vote writes (probes)")).toMatchObject({
      service: "DynamoDB",
      quantity: 6 * MINUTES * 3 * 2,
    });
    expect(lineOf(estimate, "vote writes (probes)").monthlyUsd).toBeCloseTo(1.5768 * 0.625, 9);
    // 6 rounds a minute × 2 deciders × 3 Queries (one per vantage), one read unit each (the window's items under 4 KB)
    expect(lineOf(estimate, "vote reads (deciders)")).toMatchObject({ quantity: 6 * MINUTES * 2 * 3 });
    expect(lineOf(estimate, "vote reads (deciders)").monthlyUsd).toBeCloseTo(1.5768 * 0.125, 9);
    // 15 per control region: switchover, 2 decider-blind, 3 silent and 3 suspect (one per vantage), all-down, flap, override, 2 signal-write-failed, signal-unsound
    expect(lineOf(estimate, "alarms (standard resolution)")).toMatchObject({ quantity: 30, monthlyUsd: 30 * 0.1 });
    // Half of the 20 notifications reach the second region's notifier, which asks the first region once each
    expect(lineOf(estimate, "DescribeAlarms (notifiers)")).toMatchObject({ quantity: 10, monthlyUsd: 10 * 0.00001 });
    expect(lineOf(estimate, "hosted zone")).toMatchObject({ quantity: 1, monthlyUsd: 0.5, shared: true });
    expect(lineOf(estimate, "queries (weighted records)").monthlyUsd).toBeCloseTo(4, 9);
  });

  it("prices the data-plane path: 4 fast HTTPS status signal checks and 2 canaries at 30 s, 2 calculated checks, the signal function, 2 canary alarms", () => {
    // Act
    const estimate = estimateCost(example(), prices);
    // Assess: (2 targets + the canary) × 2 control regions, non-AWS rate by default; 15 checkers per check
    expect(lineOf(estimate, "data plane: signal checks (non-AWS endpoint)")).toMatchObject({
      quantity: 6,
      monthlyUsd: 4.5,
    });
    expect(lineOf(estimate, "data plane: option HTTPS (signal checks)")).toMatchObject({ quantity: 6, monthlyUsd: 12 });
    expect(lineOf(estimate, "data plane: option fast interval (10 s) (signal checks)")).toMatchObject({
      quantity: 4,
      monthlyUsd: 8,
    });
    // Status checks: no string-matching option is billed.
    expect(estimate.lines.filter((l) => l.item.includes("string matching"))).toEqual([]);
    expect(lineOf(estimate, "data plane: canary alarms (us-east-1)")).toMatchObject({ quantity: 2, monthlyUsd: 0.2 });
    expect(lineOf(estimate, "data plane: calculated checks")).toMatchObject({ quantity: 2, monthlyUsd: 1 });
    // 4 checks asked every 10 s and 2 canaries every 30 s, by 15 checkers each
    expect(lineOf(estimate, "data plane: signal requests (2 regions)").quantity).toBe(
      15 * (4 * 730 * 360 + 2 * 730 * 120),
    );
    expect(lineOf(estimate, "data plane: signal GB-seconds (2 regions)").quantity).toBeCloseTo(
      18_396_000 * 0.01 * 0.125,
      6,
    );
    expect(lineOf(estimate, "data plane: signal documents (one per decider, and the override)")).toMatchObject({
      quantity: 6,
      monthlyUsd: 0,
    });
    expect(estimate.dataPlaneUsd).toBe(29.69);
    expect(estimateCost(example(), prices, { signalEndpointType: "aws" }).dataPlaneUsd).toBe(18.19);
  });

  it("totals $64.88 a month, $60.38 without the zone and queries, $29.69 of it the data-plane path", () => {
    // Act
    const estimate = estimateCost(example(), prices);
    // Assess
    expect(estimate.monthlyUsd).toBe(64.88);
    expect(estimate.monitoringUsd).toBe(60.38);
    expect(estimate.monthlyUsd - estimate.dataPlaneUsd).toBeCloseTo(35.19, 9);
    // 1 round + 5.5 s decider offset at best; 2 rounds + the offset at worst
    expect(estimate.detection).toMatchObject({ minSeconds: 4, maxSeconds: 14 });
  });

  it("counts a drain out of DNS answers through the signal checks, 8-18 s after the decision, and Route 53's own checks 7 s after they turn unhealthy, with no record change", () => {
    // Act
    const ours = estimateCost(example(), prices).detection;
    const native = route53NativeCost(example(), prices).detection;
    // Assess: signal 1 s + aggregation 2 s + answers 5 s, and at worst one 10 s check interval more (dataplane/timing.ts)
    expect(ours.dns).toEqual({ minSeconds: 4 + 8, maxSeconds: 14 + 18 });
    expect(native.dns).toEqual({ minSeconds: 20 + 7, maxSeconds: 30 + 7 });
    expect(ours.text).toMatch(/out of DNS answers 8-18 s after the decision .*also with the Route 53 API down/);
    expect(native.text).not.toMatch(/sync/);
  });
});

describe("cost model, profiles and Route 53's own health checks", () => {
  it("prices Route 53's checks at $0.50 + $1 HTTPS + $1 fast interval per target for AWS endpoints", () => {
    // Act
    const native = route53NativeCost(example(), prices, { route53EndpointType: "aws" });
    // Assess: 2 × 2.50 + 2 alarms + zone + queries
    expect(native.monthlyUsd).toBe(9.7);
    expect(native.monitoringUsd).toBe(5.2);
    expect(native.options).toEqual(["HTTPS", "fast interval (10 s)"]);
    expect(native.detection).toMatchObject({ minSeconds: 20, maxSeconds: 30 });
  });

  it("prices each target's check by its provider: the Google Cloud primary at the non-AWS rate, the AWS failover at the AWS rate", () => {
    // Act
    const native = route53NativeCost(example(), prices);
    // Assess: (0.50 + 2 × 1.00) + (0.75 + 2 × 2.00) + 2 alarms + zone + queries
    expect(native.endpointType).toBe("mixed");
    expect(native.monitoringUsd).toBe(7.45);
    expect(native.monthlyUsd).toBe(11.95);
    expect(native.lines.find((l) => l.item === "health checks (non-AWS endpoint)")).toMatchObject({
      quantity: 1,
      basis: "one per target (primary)",
    });
    expect(native.lines.find((l) => l.item === "health checks (AWS endpoint)")).toMatchObject({
      quantity: 1,
      basis: "one per target (failover)",
    });
  });

  it("adds string matching and the non-AWS prices when asked", () => {
    // Prepare
    const config = parseConfigWithProfile({ ...raw, probe: { ...(raw.probe as object), bodyMatch: "ok" } }, "default");
    // Act
    const native = route53NativeCost(config, prices, { route53EndpointType: "non-aws" });
    // Assess: 2 × (0.75 + 3 × 2.00) + 0.20 alarms
    expect(native.monitoringUsd).toBe(13.7);
    expect(native.options).toContain("string matching");
  });

  it("makes economy's detection cost less than a seventh of the default and less than Route 53's own checks, trading 10 s rounds for 60 s; its data-plane path (one control region) costs $15.34 more", () => {
    // Act
    const economy = estimateCost(example("economy"), prices);
    const standard = estimateCost(example(), prices);
    // Assess
    expect(economy.profile).toBe("economy");
    expect(economy.monthlyUsd).toBe(23.61);
    expect(economy.dataPlaneUsd).toBe(15.34);
    expect(economy.monthlyUsd - economy.dataPlaneUsd).toBeLessThan(route53NativeCost(example(), prices).monthlyUsd);
    expect((economy.monitoringUsd - economy.dataPlaneUsd) * 7).toBeLessThan(
      standard.monitoringUsd - standard.dataPlaneUsd,
    );
    expect(economy.detection).toMatchObject({ minSeconds: 4, maxSeconds: 64 });
    // 2 ProbeVotes + 1 decider heartbeat
    expect(lineOf(economy, "custom metrics").quantity).toBe(3);
  });

  it("makes economy without the data-plane path cheaper than Route 53's own checks at every target count, and the gap grows with targets", () => {
    // Act
    const costs = [2, 4, 10].map((targets) => {
      const config = scaled(targets, 3, "economy");
      const economy = estimateCost(config, prices);
      return economy.monthlyUsd - economy.dataPlaneUsd - route53NativeCost(config, prices).monthlyUsd;
    });
    // Assess
    for (const difference of costs) expect(difference).toBeLessThan(0);
    expect(costs[2]).toBeLessThan(costs[0] ?? 0);
  });

  it("grows with every added target and every added vantage", () => {
    // Act
    const byTargets = [2, 3, 5, 10].map((t) => estimateCost(scaled(t, 3), prices).monthlyUsd);
    const byVantages = [2, 3, 4, 6].map((v) => estimateCost(scaled(2, v), prices).monthlyUsd);
    // Assess
    for (const series of [byTargets, byVantages]) {
      for (let i = 1; i < series.length; i++) expect(series[i]).toBeGreaterThan(series[i - 1] ?? Infinity);
    }
  });
});

describe("round counts", () => {
  it("writes one vote item per probe round and control region, and once a minute one ProbeVotes datum in one request, with ProbeLatency per target only when asked for", () => {
    // Act
    const counts = probeRoundCalls(example(), "eu-west-1");
    const withLatency = probeRoundCalls(
      parseConfigWithProfile({ ...raw, probe: { ...(raw.probe as object), publishLatency: true } }, "default"),
      "eu-west-1",
    );
    // Assess
    expect(counts.regions).toEqual(["us-east-2", "us-west-1"]);
    expect(counts.perRegion).toMatchObject({ putMetricDataCalls: 1, datums: 1 });
    expect(withLatency.perRegion).toMatchObject({ putMetricDataCalls: 1, datums: 3 });
    expect(counts.voteWrites).toMatchObject({ putItemCalls: 1, writeUnits: 1 });
    expect(counts.voteWrites.itemBytes).toBeGreaterThan(50);
  });

  it("writes a vote item of 50 targets (the most a config takes) in one unit, and reads a window of them in two units per vantage", () => {
    // Act
    const votes = probeRoundCalls(scaled(50, 3)).voteWrites;
    const reads = deciderRoundCalls(scaled(50, 3)).readUnits;
    // Assess: "t49" and a BOOL are about 6 bytes an entry; the 200 s window's 20 items of about 300 B pass 4 KB
    expect(votes.itemBytes).toBeGreaterThan(50 * 5);
    expect(votes).toMatchObject({ putItemCalls: 1, writeUnits: 1 });
    expect(reads).toBe(3 * 2);
  });

  it("queries the votes once per vantage per decider round, and sends its steady series once a minute: the heartbeat, and the weights only when asked for", () => {
    // Act
    const counts = deciderRoundCalls(example(), "us-east-2");
    const withWeights = deciderRoundCalls(
      parseConfigWithProfile({ ...raw, publishWeights: true }, "default"),
      "us-east-2",
    );
    // Assess
    expect(counts).toMatchObject({ queryCalls: 3, readUnits: 3, route53Reads: 1 });
    expect(counts.perMinute["us-east-2"]).toMatchObject({ putMetricDataCalls: 1, datums: 1 });
    expect(withWeights.perMinute["us-east-2"]).toMatchObject({ putMetricDataCalls: 1, datums: 3 });
    expect(counts.perMinute["us-west-1"]).toMatchObject({ putMetricDataCalls: 1, datums: 1 });
  });
});

describe("price list", () => {
  it("refuses a list missing a price the model reads, naming it", () => {
    // Prepare
    const list = readJsonFile(new URL("../../../../offline/cost/prices.json", import.meta.url), "price list") as {
      prices: Record<string, unknown>;
    };
    delete list.prices["dynamodb.readRequest"];
    // Act + Assess
    expect(() => parsePrices(list)).toThrow(ValidationError);
    expect(() => parsePrices(list)).toThrow(/prices\.dynamodb\.readRequest: is required/);
  });

  it("says when each price was read and where to verify it", () => {
    expect(prices.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const price of Object.values(prices.prices)) expect(price.url).toMatch(/^https:\/\/aws\.amazon\.com\//);
  });
});

describe("cost model: practice runs", () => {
  it("counts the deciders' DescribeAlarms calls during practice runs, and nothing without them", () => {
    // Prepare: weekly 30-minute runs, alarms in two regions, two control regions, six decider rounds a minute
    const practice = {
      targets: ["primary"],
      blockingAlarms: [{ name: "deploys", region: "us-east-1" }],
      outcomeAlarms: [{ name: "api-5xx", region: "us-west-2" }],
    };
    const config = parseConfigWithProfile({ ...raw, practice }, "default");
    // Act
    const withRuns = estimateCost(config, prices);
    const without = estimateCost(example(), prices);
    // Assess: 43,800 / 10,080 runs × 31 minutes × 6 rounds × 2 regions × 2 deciders
    expect(lineOf(withRuns, "DescribeAlarms (practice runs)").quantity).toBeCloseTo(
      (MINUTES / 10_080) * 31 * 6 * 2 * 2,
      6,
    );
    expect(without.lines.some((l) => l.item === "DescribeAlarms (practice runs)")).toBe(false);
  });
});
