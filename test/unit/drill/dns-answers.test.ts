import { describe, expect, it } from "vitest";
import { answeredWeights, dnsTimeline, type HealthAnswerChange } from "../../../drill/dns-answers.ts";
import { practiceRunOf } from "../../../drill/record-watcher.ts";
import { describeDnsChange } from "../../../drill/timeline.ts";

const ids = ["primary", "failover"];
const normal = { primary: 90, failover: 10 };
const start = { at: 0, weights: normal };
const drainedBySignal: HealthAnswerChange = {
  target: "primary",
  healthy: false,
  checkedAt: 24_000,
  calculatedAt: 26_000,
  answersAt: 31_000,
  region: "us-east-2",
  decidedAt: 16_000,
};

describe("drill DNS answers", () => {
  it("answers record weights, 0 for a set whose health check is unhealthy, and fails open when all are", () => {
    expect(answeredWeights(normal, [], ids)).toEqual(normal);
    expect(answeredWeights(normal, ["primary"], ids)).toEqual({ primary: 0, failover: 10 });
    expect(answeredWeights(normal, ["primary", "failover"], ids)).toEqual(normal);
    // A weight-0 set is answered when every non-zero set is unhealthy: it counts 1.
    expect(answeredWeights({ primary: 0, failover: 100 }, ["failover"], ids)).toEqual({ primary: 1, failover: 0 });
  });

  it("dates a drain made through the health checks at its DNS answers and keeps its decision time", () => {
    const timeline = dnsTimeline(ids, [start], [drainedBySignal]);

    expect(timeline).toEqual([
      { at: 0, weights: normal, path: "start" },
      {
        at: 31_000,
        weights: { primary: 0, failover: 10 },
        path: "data-plane",
        decidedAt: 16_000,
        via: { target: "primary", checkedAt: 24_000, calculatedAt: 26_000, region: "us-east-2" },
      },
    ]);
  });

  it("carries on-call's change id on its records change and on the health checks then bringing DNS to those records", () => {
    // Prepare: on-call drains primary (lease L1: records and its override's signal), releases it (audit R1: records
    // back to normal while the signal still drains primary), then the signal clears.
    const records = [
      start,
      { at: 65_000, weights: { primary: 0, failover: 100 }, onCall: "L1" },
      { at: 185_000, weights: normal, onCall: "R1" },
    ];
    const overrideDrain = { ...drainedBySignal, checkedAt: 70_000, calculatedAt: 72_000, answersAt: 77_000 };
    const cleared = { ...overrideDrain, healthy: true, checkedAt: 215_000, calculatedAt: 217_000, answersAt: 222_000 };

    // Act
    const timeline = dnsTimeline(ids, records, [overrideDrain, cleared]);

    // Assess
    expect(timeline.map((change) => [change.at, change.path, change.weights, change.onCall])).toEqual([
      [0, "start", normal, undefined],
      [65_000, "records", { primary: 0, failover: 100 }, "L1"],
      [185_000, "records", { primary: 0, failover: 10 }, "R1"],
      [222_000, "data-plane", normal, "R1"],
    ]);
  });

  it("leaves out changes that change no answers: the records catching up with a drain already made", () => {
    // Prepare: drained through the health check at 31 s; the records catch up at 600 s; the signal clears at 640 s.
    const records = [start, { at: 600_000, weights: { primary: 0, failover: 100 } }];
    const cleared = {
      ...drainedBySignal,
      healthy: true,
      checkedAt: 633_000,
      calculatedAt: 635_000,
      answersAt: 640_000,
    };

    // Act
    const timeline = dnsTimeline(ids, records, [drainedBySignal, cleared]);

    // Assess: the catch-up moves failover 10 → 100 (a records change); clearing the signal changes nothing.
    expect(timeline.map((change) => [change.at, change.path, change.weights])).toEqual([
      [0, "start", normal],
      [31_000, "data-plane", { primary: 0, failover: 10 }],
      [600_000, "records", { primary: 0, failover: 100 }],
    ]);
  });

  it("holds a target coming back by the records until its health check clears", () => {
    // Prepare: drained by records and signal; the records ramp at 100 s while the signal still says drain.
    const records = [
      start,
      { at: 10_000, weights: { primary: 0, failover: 100 } },
      { at: 100_000, weights: { primary: 23, failover: 77 } },
    ];
    const drained = { ...drainedBySignal, checkedAt: 14_000, calculatedAt: 16_000, answersAt: 21_000 };
    const cleared = {
      ...drainedBySignal,
      healthy: true,
      checkedAt: 113_000,
      calculatedAt: 115_000,
      answersAt: 120_000,
    };

    // Act
    const timeline = dnsTimeline(ids, records, [drained, cleared]);

    // Assess: the drain went by the records; primary is answered again only when its check clears.
    expect(timeline.map((change) => [change.at, change.path, change.weights])).toEqual([
      [0, "start", normal],
      [10_000, "records", { primary: 0, failover: 100 }],
      [100_000, "records", { primary: 0, failover: 77 }],
      [120_000, "data-plane", { primary: 23, failover: 77 }],
    ]);
  });

  it("names each change's path and steps for the timeline", () => {
    const [first, drain] = dnsTimeline(
      ids,
      [{ at: 1754447400000, weights: normal }],
      [
        {
          ...drainedBySignal,
          checkedAt: 1754447424000,
          calculatedAt: 1754447426000,
          answersAt: 1754447431000,
          decidedAt: 1754447416000,
        },
      ],
    );

    expect(describeDnsChange(first!, {}, ids)).toBe("DNS answers primary 90, failover 10");
    expect(describeDnsChange(drain!, normal, ids)).toBe(
      "DNS answers: drained primary (90→0) through the data plane: decided 02:30:16 → health check (us-east-2 signal) 02:30:24 → calculated check 02:30:26 → DNS answers 02:30:31",
    );
    expect(
      describeDnsChange({ at: 1754447410000, weights: { primary: 0, failover: 100 }, path: "records" }, normal, ids),
    ).toBe("DNS answers: drained primary (90→0), failover 10→100 through the records: compare-and-swap at 02:30:10");
  });
});

describe("drill DNS answers: practice runs", () => {
  it("tags a practice run's records and the drain signal carrying out its decision, even when that signal lags the restore", () => {
    // Prepare: a run drains primary at 3 s and ends at 123 s; a decider's signal from the start decision turns
    // primary's check unhealthy only after the restore (its last round keeps the drain), then clears.
    const records = [
      start,
      { at: 3_000, weights: { primary: 0, failover: 100 }, practice: "practice-primary-1" },
      { at: 123_000, weights: normal, practice: "practice-primary-1" },
    ];
    const lagging = {
      ...drainedBySignal,
      checkedAt: 138_000,
      calculatedAt: 140_000,
      answersAt: 145_000,
      decidedAt: 3_000,
    };
    const cleared = { ...lagging, healthy: true, checkedAt: 153_000, calculatedAt: 155_000, answersAt: 163_000 };
    // Act
    const timeline = dnsTimeline(ids, records, [lagging, cleared]);
    // Assess
    expect(timeline.map((change) => [change.at, change.path, change.practice])).toEqual([
      [0, "start", undefined],
      [3_000, "records", "practice-primary-1"],
      [123_000, "records", "practice-primary-1"],
      [145_000, "data-plane", "practice-primary-1"],
      [163_000, "data-plane", "practice-primary-1"],
    ]);
  });

  it("reads the practice run from a switch event's reason, and not from a real decision that ended one", () => {
    expect(practiceRunOf("practice run practice-primary-1754447403: drain primary until 02:35:03Z")).toBe(
      "practice-primary-1754447403",
    );
    expect(practiceRunOf("records catch up with the health checks: practice run practice-a-1 (a) FAILED: x")).toBe(
      "practice-a-1",
    );
    expect(
      practiceRunOf("drained failover: failover down; practice run practice-primary-1 (primary) INTERRUPTED"),
    ).toBe(undefined);
  });
});
