import { describe, expect, it } from "vitest";
import { alarmDefinitions } from "../../functions/lib/alarms.ts";
import { loadConfig, mergeConfig, parseConfig, readJsonFile, exampleConfigPath } from "../../functions/lib/config.ts";
import { Metric } from "../../functions/lib/metrics.ts";

const config = loadConfig();
const byKey = (region: string) => Object.fromEntries(alarmDefinitions(config, region).map((d) => [d.key, d]));

describe("alarmDefinitions", () => {
  it("lists one alarm per decider, two per vantage (silent, set aside), the four event alarms and the signal path's", () => {
    // Act
    const keys = alarmDefinitions(config, "us-east-2").map((d) => d.key);

    // Assess
    expect(keys).toEqual([
      "switchover",
      "decider-blind-us-east-2",
      "decider-blind-us-west-1",
      "vantage-silent-us-east-1",
      "vantage-silent-us-west-2",
      "vantage-silent-eu-west-1",
      "vantage-suspect-us-east-1",
      "vantage-suspect-us-west-2",
      "vantage-suspect-eu-west-1",
      "all-down",
      "flap-budget",
      "override-long",
      "signal-write-failed-us-east-2",
      "signal-write-failed-us-west-1",
      "signal-stale-or-disagrees",
    ]);
  });

  it("alarms and announces from the first minute a control region's signal store refuses a decider's write", () => {
    const writeFailed = byKey("us-east-2")["signal-write-failed-us-west-1"];

    expect(writeFailed).toMatchObject({
      kind: "signal-write-failed",
      announce: true,
      metricName: Metric.SignalWriteFailed,
      dimensions: { ControlRegion: "us-west-1" },
      statistic: "Sum",
      periodSeconds: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
  });

  it("alarms on stale or disagreeing signals only after two unsound minutes in a row, so one round's catch-up stays quiet", () => {
    const unsound = byKey("us-west-1")["signal-stale-or-disagrees"];

    expect(unsound).toMatchObject({
      kind: "signal-stale-or-disagrees",
      announce: true,
      metricName: Metric.SignalUnsound,
      dimensions: {},
      statistic: "Maximum",
      periodSeconds: 60,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
  });

  it("names every alarm after the deployment and gives the same list in both control regions", () => {
    const east = alarmDefinitions(config, "us-east-2");
    const west = alarmDefinitions(config, "us-west-1");

    expect(east.map((d) => d.name)).toContain("regional-failover-decider-blind-us-west-1");
    expect(west.map((d) => d.key)).toEqual(east.map((d) => d.key));
    expect(new Set(east.map((d) => d.name)).size).toBe(east.length);
  });

  it("treats a missing decider heartbeat as breaching over three one-minute periods", () => {
    const blind = byKey("us-west-1")["decider-blind-us-east-2"];

    expect(blind).toMatchObject({
      metricName: Metric.DeciderHeartbeat,
      dimensions: { ControlRegion: "us-east-2" },
      statistic: "Sum",
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
    });
  });

  it("treats a silent vantage as breaching: no ProbeVotes sample from it", () => {
    const silent = byKey("us-east-2")["vantage-silent-eu-west-1"];

    expect(silent).toMatchObject({
      metricName: Metric.ProbeVotes,
      statistic: "SampleCount",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
    });
    expect(silent!.dimensions).toEqual({ Vantage: "eu-west-1" });
    expect(silent!.evaluationPeriods).toBeGreaterThanOrEqual(3);
  });

  it("watches CanarySuccess for a silent vantage when a canary is configured (a round whose canary failed sends no votes)", () => {
    const withCanary = parseConfig(
      mergeConfig(readJsonFile(exampleConfigPath, "config"), { probe: { canaryUrl: "https://canary.example.net/" } }),
    );

    const silent = alarmDefinitions(withCanary, "us-east-2").find((d) => d.key === "vantage-silent-eu-west-1");

    expect(silent).toMatchObject({
      metricName: Metric.CanarySuccess,
      dimensions: { Vantage: "eu-west-1" },
      statistic: "SampleCount",
      threshold: 1,
      treatMissingData: "breaching",
    });
  });

  it("fires the event alarms on one datapoint and ignores missing data", () => {
    const alarms = byKey("us-east-2");

    expect(alarms.switchover).toMatchObject({
      metricName: Metric.Switchover,
      dimensions: {},
      statistic: "Sum",
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      evaluationPeriods: 1,
    });
    expect(alarms["all-down"]).toMatchObject({
      metricName: Metric.AllTargetsDown,
      statistic: "Maximum",
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
    expect(alarms["flap-budget"]).toMatchObject({
      metricName: Metric.FlapBudgetSpent,
      statistic: "Maximum",
      threshold: 1,
      treatMissingData: "notBreaching",
    });
  });

  it("alarms on a vantage set aside for any target from the first minute it is, one alarm per vantage, and announces it", () => {
    // Act
    const suspect = byKey("us-east-2")["vantage-suspect-eu-west-1"];
    const fifty = alarmDefinitions(
      parseConfig(
        mergeConfig(readJsonFile(exampleConfigPath, "config"), {
          targets: Array.from({ length: 50 }, (_, i) => ({
            ...(config.targets[0] as object),
            id: `t${i}`,
            weight: 2,
          })),
        }),
      ),
      "us-east-2",
    );

    // Assess
    expect(fifty.filter((d) => d.kind === "vantage-suspect")).toHaveLength(config.vantages.length);
    expect(suspect).toMatchObject({
      name: "regional-failover-vantage-suspect-eu-west-1",
      announce: true,
      metricName: Metric.SuspectChecker,
      dimensions: { Vantage: "eu-west-1" },
      statistic: "Maximum",
      periodSeconds: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
    expect(suspect?.description).toContain(
      "saw a target down for 3 rounds in a row while every other vantage saw it up",
    );
    expect(suspect?.description).toContain("field `suspects`, and the SuspectChecker series per target say which");
  });

  it("alarms on an override older than the configured default lease", () => {
    const custom = parseConfig(
      mergeConfig(readJsonFile(exampleConfigPath, "config"), { lease: { defaultTtlSeconds: 900 } }),
    );

    const override = alarmDefinitions(custom, "us-east-2").find((d) => d.kind === "override-long");

    expect(override).toMatchObject({
      metricName: Metric.OverrideAgeSeconds,
      statistic: "Maximum",
      threshold: 900,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
  });

  it("follows the configured vantages", () => {
    const custom = parseConfig(
      mergeConfig(readJsonFile(exampleConfigPath, "config"), { vantages: ["ap-southeast-2", "eu-central-1"] }),
    );

    const silent = alarmDefinitions(custom, "us-east-2")
      .filter((d) => d.kind === "vantage-silent")
      .map((d) => d.dimensions.Vantage);

    expect(silent).toEqual(["ap-southeast-2", "eu-central-1"]);
  });
});
