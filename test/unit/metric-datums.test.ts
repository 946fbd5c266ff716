import { describe, expect, it } from "vitest";
import { type DecisionMetrics, decisionDatums, probeRoundDatums } from "../../functions/lib/metric-datums.ts";
import { steadyDecisionMetrics } from "../support/decision-metrics.ts";

const steady = steadyDecisionMetrics(1754481600, "us-east-2", { primary: 90, failover: 10 });

describe("decisionDatums", () => {
  it("publishes SuspectChecker per vantage, its worst value over the targets (the alarm's input), and per vantage and target while it is set aside: 1 when it disagrees, 2 when it conflicts", () => {
    // Prepare
    const metrics: DecisionMetrics = {
      ...steady,
      suspects: [
        { vantage: "eu-west-1", target: "primary", reason: "disagrees" },
        { vantage: "us-west-2", target: "failover", reason: "conflicting" },
        { vantage: "us-west-2", target: "primary", reason: "disagrees" },
      ],
    };

    // Act
    const { ownRegion, everywhere, events } = decisionDatums(metrics, { weights: true });

    // Assess
    const suspects = ownRegion.filter((d) => d.MetricName === "SuspectChecker");
    const perVantage = suspects.filter((d) => d.Dimensions?.length === 1);
    expect(perVantage.map((d) => [d.Dimensions?.[0]?.Value, d.Value])).toEqual([
      ["eu-west-1", 1],
      ["us-west-2", 2],
    ]);
    const perTarget = (vantage: string, target: string, value: number) => ({
      MetricName: "SuspectChecker",
      Value: value,
      Dimensions: [
        { Name: "Vantage", Value: vantage },
        { Name: "Target", Value: target },
      ],
      Timestamp: new Date(1754481600 * 1000),
      Unit: "None",
      StorageResolution: 1,
    });
    expect(suspects.filter((d) => d.Dimensions?.length === 2)).toEqual([
      perTarget("eu-west-1", "primary", 1),
      perTarget("us-west-2", "failover", 2),
      perTarget("us-west-2", "primary", 1),
    ]);
    expect([...everywhere, ...events].some((d) => d.MetricName === "SuspectChecker")).toBe(false);
  });

  it("publishes TargetWeight only when the config asks for it", () => {
    const names = (weights: boolean) => decisionDatums(steady, { weights }).ownRegion.map((d) => d.MetricName);

    expect(names(true)).toEqual(["TargetWeight", "TargetWeight"]);
    expect(names(false)).toEqual([]);
  });

  it("publishes no SuspectChecker while every vantage counts", () => {
    const { ownRegion } = decisionDatums(steady, { weights: true });

    expect(ownRegion.map((d) => d.MetricName)).toEqual(["TargetWeight", "TargetWeight"]);
  });

  it("publishes SignalWriteFailed once per control region whose store refused the write, in the decider's own region", () => {
    const { ownRegion, everywhere, events } = decisionDatums(
      { ...steady, signalWriteFailed: ["us-west-1"] },
      { weights: true },
    );

    expect(ownRegion.filter((d) => d.MetricName === "SignalWriteFailed")).toEqual([
      {
        MetricName: "SignalWriteFailed",
        Value: 1,
        Dimensions: [{ Name: "ControlRegion", Value: "us-west-1" }],
        Timestamp: new Date(1754481600 * 1000),
        Unit: "None",
        StorageResolution: 1,
      },
    ]);
    expect([...everywhere, ...events].some((d) => d.MetricName.startsWith("Signal"))).toBe(false);
  });

  it("publishes SignalUnsound 1 when the signals disagree, 2 when a draining document is stale, 3 when both", () => {
    const unsound = (metrics: Partial<DecisionMetrics>) =>
      decisionDatums({ ...steady, ...metrics }, { weights: true })
        .ownRegion.filter((d) => d.MetricName === "SignalUnsound")
        .map((d) => [d.Value, d.Dimensions]);

    expect(unsound({ signalDisagrees: true })).toEqual([[1, []]]);
    expect(unsound({ signalStale: ["us-west-1"] })).toEqual([[2, []]]);
    expect(unsound({ signalDisagrees: true, signalStale: ["us-east-2", "us-west-1"] })).toEqual([[3, []]]);
  });

  it("publishes no signal datum while the signals are sound: a healthy month bills no signal metric", () => {
    const names = decisionDatums(steady, { weights: true }).ownRegion.map((d) => d.MetricName);

    expect(names.filter((name) => name.startsWith("Signal"))).toEqual([]);
  });
});

describe("probeRoundDatums", () => {
  const results = Array.from({ length: 26 }, (_, i) => ({ target: `t${i}`, ok: i !== 25, latencyMs: 1 }));

  it("sends one ProbeVotes datum per voting round whatever the number of targets: the count that passed, by vantage", () => {
    const datums = probeRoundDatums({ vantage: "eu-west-1", at: 1754481600, voting: true, results }, false);

    expect(datums.map((d) => [d.MetricName, d.Value, d.Dimensions])).toEqual([
      ["ProbeVotes", 25, [{ Name: "Vantage", Value: "eu-west-1" }]],
    ]);
  });

  it("sends the canary result as the liveness beside a canary, voting or not, and no ProbeVotes", () => {
    const round = (ok: boolean) =>
      probeRoundDatums(
        { vantage: "eu-west-1", at: 1754481600, voting: ok, canary: { ok, latencyMs: 5 }, results },
        false,
      );

    expect(round(true).map((d) => [d.MetricName, d.Value])).toEqual([["CanarySuccess", 1]]);
    expect(round(false).map((d) => [d.MetricName, d.Value])).toEqual([["CanarySuccess", 0]]);
  });
});
