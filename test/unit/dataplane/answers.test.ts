import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  answerShares,
  answerSharesFor,
  dnsWeights,
  sameShares,
  weightShares,
  type AnswerSet,
} from "../../../functions/lib/dataplane/answers.ts";

const setsArb = fc
  .uniqueArray(fc.constantFrom("a", "b", "c", "d", "e"), { minLength: 1, maxLength: 5 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({ id: fc.constant(id), weight: fc.integer({ min: 0, max: 255 }), healthy: fc.boolean() }),
      ),
    ),
  );

const answered = (shares: Record<string, number>) =>
  Object.entries(shares)
    .filter(([, share]) => share > 0)
    .map(([id]) => id)
    .sort();

describe("answerShares: Route 53's answer rules", () => {
  it("answers some set, with shares that sum to 1", () => {
    fc.assert(
      fc.property(setsArb, (sets: AnswerSet[]) => {
        const shares = answerShares(sets);
        expect(answered(shares).length).toBeGreaterThan(0);
        expect(Object.values(shares).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      }),
    );
  });

  it("leaves out every unhealthy set while any set is healthy", () => {
    fc.assert(
      fc.property(setsArb, (sets: AnswerSet[]) => {
        fc.pre(sets.some((set) => set.healthy));
        const shares = answerShares(sets);
        for (const set of sets.filter((s) => !s.healthy)) expect(shares[set.id]).toBe(0);
      }),
    );
  });

  it("answers weight-0 sets only when every non-zero set is unhealthy", () => {
    fc.assert(
      fc.property(setsArb, (sets: AnswerSet[]) => {
        const shares = answerShares(sets);
        const healthyNonZero = sets.some((set) => set.healthy && set.weight > 0);
        for (const set of sets.filter((s) => s.weight === 0)) if (healthyNonZero) expect(shares[set.id]).toBe(0);
      }),
    );
    // Every non-zero set unhealthy, a weight-0 set healthy: the healthy weight-0 sets share the answers equally.
    const standbyArb = setsArb.map((sets) => [
      ...sets.map((set) => (set.weight > 0 ? { ...set, healthy: false } : set)),
      { id: "standby", weight: 0, healthy: true },
    ]);
    fc.assert(
      fc.property(standbyArb, (sets: AnswerSet[]) => {
        const shares = answerShares(sets);
        const zeros = sets.filter((s) => s.healthy && s.weight === 0);
        for (const set of zeros) expect(shares[set.id]).toBeCloseTo(1 / zeros.length, 9);
      }),
    );
  });

  it("treats every set as healthy when every set is unhealthy", () => {
    fc.assert(
      fc.property(setsArb, (sets: AnswerSet[]) => {
        const allDown = sets.map((set) => ({ ...set, healthy: false }));
        const allUp = sets.map((set) => ({ ...set, healthy: true }));
        expect(answerShares(allDown)).toEqual(answerShares(allUp));
      }),
    );
  });

  it("splits healthy non-zero sets by weight", () => {
    fc.assert(
      fc.property(setsArb, (sets: AnswerSet[]) => {
        const live = sets.filter((s) => s.healthy && s.weight > 0);
        fc.pre(live.length > 0);
        const total = live.reduce((sum, s) => sum + s.weight, 0);
        const shares = answerShares(sets);
        for (const set of live) expect(shares[set.id]).toBeCloseTo(set.weight / total, 9);
      }),
    );
  });

  it("sends a drained 90/10 primary's traffic to the failover, and a weight-0 standby's too", () => {
    expect(
      answerShares([
        { id: "primary", weight: 90, healthy: false },
        { id: "failover", weight: 10, healthy: true },
      ]),
    ).toEqual({ primary: 0, failover: 1 });
    expect(
      answerShares([
        { id: "primary", weight: 100, healthy: false },
        { id: "standby", weight: 0, healthy: true },
      ]),
    ).toEqual({ primary: 0, standby: 1 });
    expect(
      answerShares([
        { id: "primary", weight: 90, healthy: false },
        { id: "failover", weight: 10, healthy: false },
      ]),
    ).toEqual({ primary: 0.9, failover: 0.1 });
  });
});

describe("answerSharesFor, weightShares and sameShares", () => {
  it("marks the named targets unhealthy, a target missing from the weights at 0", () => {
    // Act
    const drained = answerSharesFor({ a: 60, b: 30 }, ["a"], ["a", "b", "c"]);
    const everyCheckDown = answerSharesFor({ a: 60, b: 30 }, ["a", "b", "c"], ["a", "b", "c"]);
    // Assess
    expect(drained).toEqual({ a: 0, b: 1, c: 0 });
    expect(everyCheckDown).toEqual({ a: 2 / 3, b: 1 / 3, c: 0 });
  });

  it("splits by weight with every set healthy, equally when every weight is 0", () => {
    expect(weightShares({ a: 30, b: 10 }, ["a", "b"])).toEqual({ a: 0.75, b: 0.25 });
    expect(weightShares({}, ["a", "b"])).toEqual({ a: 0.5, b: 0.5 });
  });

  it("calls shares the same within half a percentage point of every target, a missing one 0", () => {
    expect(sameShares({ a: 0.75, b: 0.25 }, { a: 0.754, b: 0.246 }, ["a", "b"])).toBe(true);
    expect(sameShares({ a: 0.75, b: 0.25 }, { a: 0.756, b: 0.244 }, ["a", "b"])).toBe(false);
    expect(sameShares({ a: 1 }, { a: 1, b: 0.004 }, ["a", "b"])).toBe(true);
    expect(sameShares({ a: 1, b: 0.006 }, { a: 1 }, ["a", "b"])).toBe(false);
    expect(sameShares({ a: 1, b: 0.005 }, { a: 1 }, ["a", "b"])).toBe(false);
  });
});

describe("dnsWeights", () => {
  const ids = ["primary", "failover", "standby"];

  it("is the record weights when the signals drain nothing, a missing record 0", () => {
    expect(dnsWeights({ primary: 90, failover: 10 }, new Set(["elsewhere"]), ids)).toEqual({
      primary: 90,
      failover: 10,
      standby: 0,
    });
  });

  it("rescales what DNS answers to the records' total when a drained target comes back in the records", () => {
    // The records say primary 90 again, but its health check still drains it: DNS answers failover only.
    expect(dnsWeights({ primary: 90, failover: 10 }, new Set(["primary"]), ids)).toEqual({
      primary: 0,
      failover: 100,
      standby: 0,
    });
    expect(dnsWeights({ primary: 60, failover: 30, standby: 10 }, new Set(["primary"]), ids)).toEqual({
      primary: 0,
      failover: 75,
      standby: 25,
    });
  });
});
