import { describe, expect, it } from "vitest";
import { canaryAlarmSpec, canaryTopicArn } from "../../../functions/lib/dataplane/canary-alarm.ts";

describe("the canary alarm", () => {
  it("announces to the us-east-1 canary topic of the deployment the alert topics belong to", () => {
    const topics = { "us-east-2": "arn:aws:sns:us-east-2:123456789012:shop-prod-alerts" };

    expect(canaryTopicArn(topics)).toBe("arn:aws:sns:us-east-1:123456789012:shop-prod-signal-canary");
  });

  it("has no topic without alert topics, or with one that is not a deployment's alert topic", () => {
    expect(canaryTopicArn({})).toBeUndefined();
    expect(canaryTopicArn({ "us-east-2": "arn:aws:sns:us-east-2:123456789012:something-else" })).toBeUndefined();
  });

  it("fires when the canary check's status reaches 1 (healthy: the checkers no longer see the drain answer) for 2 minutes", () => {
    const spec = canaryAlarmSpec({ name: "shop" }, "us-west-1", "hc-1", undefined);

    expect(spec).toMatchObject({
      AlarmName: "shop-signal-canary-us-west-1",
      Namespace: "AWS/Route53",
      MetricName: "HealthCheckStatus",
      Dimensions: [{ Name: "HealthCheckId", Value: "hc-1" }],
      Statistic: "Maximum",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      AlarmActions: [],
    });
  });
});
