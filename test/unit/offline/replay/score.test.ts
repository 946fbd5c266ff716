import { describe, expect, it } from "vitest";
import { scoreRun } from "../../../../offline/replay/score.ts";
import type { Fault } from "../../../../offline/scenario.ts";
import { exampleConfig } from "../../policy/helpers.ts";

const config = exampleConfig();
const normal = { primary: 90, failover: 10 };
const drained = { primary: 0, failover: 100 };
const score = (faults: Fault[], weightTimeline: { at: number; weights: Record<string, number> }[], expect = {}) =>
  scoreRun({
    scenario: { name: "t", faults, expect },
    config,
    policy: "drill",
    weightTimeline,
    clientRequests: { total: 1000, failed: 12 },
  });

describe("scoreRun", () => {
  it("measures detection from the episode start to the drain, and counts failovers and failbacks", () => {
    const result = score(
      [{ start: 100, end: 400, target: "primary", kind: "down" }],
      [
        { at: 0, weights: normal },
        { at: 125, weights: drained },
        { at: 700, weights: normal },
      ],
      { maxDetectSeconds: 30, maxFailovers: 1 },
    );
    expect(result).toMatchObject({
      failovers: 1,
      failbacks: 1,
      weightChanges: 2,
      outageEpisodes: 1,
      detectSeconds: [25],
      missedOutages: 0,
      falseSwitches: 0,
      clientErrorRate: 0.012,
      ok: true,
    });
  });

  it("counts a long undrained outage as missed, but not while every target is down", () => {
    const primaryOnly = score(
      [{ start: 100, end: 200, target: "primary", kind: "blackhole" }],
      [{ at: 0, weights: normal }],
    );
    const everything = score([{ start: 100, end: 200, kind: "down" }], [{ at: 0, weights: normal }]);
    expect(primaryOnly.missedOutages).toBe(1);
    expect(everything.missedOutages).toBe(0);
  });

  it("counts a drain with no outage in the 120 s before as a false switch", () => {
    const result = score(
      [{ start: 100, end: 130, target: "primary", kind: "down" }],
      [
        { at: 0, weights: normal },
        { at: 260, weights: drained },
      ],
      { maxFalseSwitches: 0 },
    );
    expect(result.falseSwitches).toBe(1);
    expect(result.expectations).toEqual([
      { name: "maxFalseSwitches", ok: false, detail: "1 false switch(es) (at most 0)" },
    ]);
    expect(result.ok).toBe(false);
  });

  it("needs a quorum of vantages for an outage episode; a low-ratio status or a slow-but-allowed latency is none", () => {
    const result = score(
      [
        { start: 0, end: 500, target: "primary", kind: "down", vantages: ["eu-west-1"] },
        { start: 0, end: 500, target: "primary", kind: "status", status: 429, ratio: 0.3 },
        { start: 0, end: 500, target: "primary", kind: "latency", ms: 1500 },
      ],
      [{ at: 0, weights: normal }],
    );
    expect(result.outageEpisodes).toBe(0);
  });

  it("checks final weights", () => {
    const result = score(
      [],
      [
        { at: 0, weights: normal },
        { at: 50, weights: drained },
      ],
      { finalWeights: normal },
    );
    expect(result.finalWeights).toEqual(drained);
    expect(result.expectations[0]).toMatchObject({ name: "finalWeights", ok: false });
  });
});
