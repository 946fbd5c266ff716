import { describe, expect, it } from "vitest";
import { formatDetection, scoreRun } from "../../../../offline/replay/score.ts";
import type { Fault } from "../../../../offline/scenario.ts";
import { exampleConfig } from "../../policy/helpers.ts";

const config = exampleConfig();
const normal = { primary: 90, failover: 10 };
const drained = { primary: 0, failover: 100 };
const score = (
  faults: Fault[],
  weightTimeline: { at: number; weights: Record<string, number>; onCall?: string }[],
  expect = {},
) =>
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
      { name: "maxMissedOutages", ok: true, detail: "0 missed outage(s) (at most 0: the scenario allows none)" },
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
    expect(result.expectations.find((e) => e.name === "finalWeights")).toMatchObject({ ok: false });
  });

  it("counts on-call's override and its release once each, as intended: no failover, failback or false switch", () => {
    // Prepare: on-call drains primary at 65 s (lease L1) and releases at 185 s (audit R1): the release's records
    // change first, then the health checks bring primary back when the override's signal clears.
    const timeline = [
      { at: 0, weights: normal },
      { at: 65, weights: drained, onCall: "L1" },
      { at: 185, weights: { primary: 0, failover: 10 }, onCall: "R1" },
      { at: 220, weights: normal, onCall: "R1" },
    ];

    // Act
    const result = score([], timeline, { maxFailovers: 0 });

    // Assess
    expect(result).toMatchObject({ failovers: 0, failbacks: 0, falseSwitches: 0, onCallChanges: 2, weightChanges: 3 });
    expect(result.ok).toBe(true);
  });

  it("still counts the policy's own drain during a quiet run as a false switch beside on-call's changes", () => {
    const result = score(
      [],
      [
        { at: 0, weights: normal },
        { at: 65, weights: drained, onCall: "L1" },
        { at: 185, weights: normal, onCall: "R1" },
        { at: 250, weights: drained },
      ],
    );

    expect(result).toMatchObject({ failovers: 1, falseSwitches: 1, onCallChanges: 2, ok: false });
  });

  it("fails a run with a false switch or a missed outage when the scenario sets no limit for them", () => {
    // Prepare: primary down 100-400 s never drained; a drain of failover with no outage of it.
    const result = score(
      [{ start: 100, end: 400, target: "primary", kind: "down" }],
      [
        { at: 0, weights: normal },
        { at: 500, weights: { primary: 100, failover: 0 } },
      ],
      { finalWeights: { primary: 100, failover: 0 } },
    );

    // Assess
    expect(result.expectations.filter((e) => !e.ok)).toEqual([
      { name: "maxFalseSwitches", ok: false, detail: "1 false switch(es) (at most 0: the scenario allows none)" },
      { name: "maxMissedOutages", ok: false, detail: "1 missed outage(s) (at most 0: the scenario allows none)" },
    ]);
    expect(result.ok).toBe(false);
  });

  it("words detection for the verdict line: seconds, none when outages went undetected, none with no outage", () => {
    expect(formatDetection({ detectSeconds: [20, 10], outageEpisodes: 2 })).toBe("20, 10 s");
    expect(formatDetection({ detectSeconds: [], outageEpisodes: 1 })).toBe("none");
    expect(formatDetection({ detectSeconds: [], outageEpisodes: 0 })).toBe("none (no outage)");
  });
});
