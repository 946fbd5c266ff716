import { describe, expect, it } from "vitest";
import { planSignals } from "../../../functions/lib/dataplane/signals.ts";
import { dataPlaneDelaySeconds } from "../../../functions/lib/dataplane/timing.ts";

const ids = ["primary", "failover"];

describe("planSignals", () => {
  it("drains through the health check while the records still give weight", () => {
    // Prepare / Act
    const plan = planSignals({
      ids,
      records: { primary: 90, failover: 10 },
      wanted: { primary: 0, failover: 100 },
      draining: [],
    });
    // Assess
    expect(plan).toMatchObject({
      draining: ["primary"],
      drained: ["primary"],
      undrained: [],
      emergency: false,
      inEffect: true,
    });
    expect(plan.answers).toEqual({ primary: 0, failover: 1 });
  });

  it("keeps a drained target's signal while the records do not carry its ramp step (failing back waits)", () => {
    const plan = planSignals({
      ids,
      records: { primary: 90, failover: 10 },
      wanted: { primary: 9, failover: 91 },
      draining: ["primary"],
    });
    expect(plan).toMatchObject({ draining: ["primary"], undrained: [], inEffect: false });
  });

  it("clears the signal once the records carry the wanted weights", () => {
    const plan = planSignals({
      ids,
      records: { primary: 9, failover: 91 },
      wanted: { primary: 9, failover: 91 },
      draining: ["primary"],
    });
    expect(plan).toMatchObject({ draining: [], undrained: ["primary"], inEffect: true });
  });

  it("undrains at once when the last target in service fails (emergency), draining the failed one", () => {
    const plan = planSignals({
      ids,
      records: { primary: 90, failover: 10 },
      wanted: { primary: 100, failover: 0 },
      draining: ["primary"],
    });
    expect(plan).toMatchObject({
      draining: ["failover"],
      drained: ["failover"],
      undrained: ["primary"],
      emergency: true,
      inEffect: true,
    });
  });

  it("lets a weight-0 standby take the traffic through the answer rules", () => {
    const plan = planSignals({
      ids: ["primary", "standby"],
      records: { primary: 100, standby: 0 },
      wanted: { primary: 0, standby: 100 },
      draining: [],
    });
    expect(plan).toMatchObject({ draining: ["primary"], emergency: false, inEffect: true });
  });

  it("models the signal-to-DNS delay under the 30 s the design promises", () => {
    expect(dataPlaneDelaySeconds()).toBe(18);
    expect(dataPlaneDelaySeconds()).toBeLessThanOrEqual(30);
  });
});
