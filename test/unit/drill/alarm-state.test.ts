import { describe, expect, it } from "vitest";
import { evaluateAlarm, type EvaluatedAlarm } from "../../../drill/alarm-state.ts";

describe("drill alarm evaluation", () => {
  const switchover: EvaluatedAlarm = {
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
  };
  const heartbeat: EvaluatedAlarm = {
    threshold: 1,
    comparisonOperator: "LessThanThreshold",
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "breaching",
  };

  it("alarms when the datapoint crosses the threshold", () => {
    expect(evaluateAlarm(switchover, [0, 1], "OK").state).toBe("ALARM");
    expect(evaluateAlarm(switchover, [1, undefined], "ALARM").state).toBe("OK");
  });

  it("counts periods before the drill started as fine", () => {
    expect(evaluateAlarm(heartbeat, [null, null, undefined], "OK").state).toBe("OK");
  });

  it("counts missing heartbeats as breaching only when all periods are missing", () => {
    expect(evaluateAlarm(heartbeat, [undefined, undefined, undefined], "OK").state).toBe("ALARM");
    expect(evaluateAlarm(heartbeat, [undefined, 6, undefined], "OK").state).toBe("OK");
  });

  it("reports insufficient data when nothing is there and missing data is missing", () => {
    expect(evaluateAlarm({ ...switchover, treatMissingData: "missing" }, [], "OK").state).toBe("INSUFFICIENT_DATA");
    expect(evaluateAlarm({ ...switchover, treatMissingData: "ignore" }, [], "ALARM").state).toBe("ALARM");
  });
});
