import { describe, expect, it } from "vitest";
import { type DecisionMetrics, decisionDatums } from "../../functions/lib/metric-datums.ts";
import { steadyDecisionMetrics } from "../support/decision-metrics.ts";

const steady = steadyDecisionMetrics(1754481600, "us-east-2", { primary: 90, failover: 10 });

describe("decisionDatums", () => {
  it("publishes SuspectChecker per vantage and target while it is set aside: 1 when it disagrees, 2 when it conflicts", () => {
    // Prepare
    const metrics: DecisionMetrics = {
      ...steady,
      suspects: [
        { vantage: "eu-west-1", target: "primary", reason: "disagrees" },
        { vantage: "us-west-2", target: "failover", reason: "conflicting" },
      ],
    };

    // Act
    const { ownRegion, everywhere, events } = decisionDatums(metrics);

    // Assess
    const suspects = ownRegion.filter((d) => d.MetricName === "SuspectChecker");
    expect(suspects).toEqual([
      {
        MetricName: "SuspectChecker",
        Value: 1,
        Dimensions: [
          { Name: "Vantage", Value: "eu-west-1" },
          { Name: "Target", Value: "primary" },
        ],
        Timestamp: new Date(1754481600 * 1000),
        Unit: "None",
        StorageResolution: 1,
      },
      {
        MetricName: "SuspectChecker",
        Value: 2,
        Dimensions: [
          { Name: "Vantage", Value: "us-west-2" },
          { Name: "Target", Value: "failover" },
        ],
        Timestamp: new Date(1754481600 * 1000),
        Unit: "None",
        StorageResolution: 1,
      },
    ]);
    expect([...everywhere, ...events].some((d) => d.MetricName === "SuspectChecker")).toBe(false);
  });

  it("publishes no SuspectChecker while every vantage counts", () => {
    const { ownRegion } = decisionDatums(steady);

    expect(ownRegion.map((d) => d.MetricName)).toEqual(["TargetWeight", "TargetWeight"]);
  });
});
