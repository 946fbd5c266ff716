import { describe, expect, it } from "vitest";
import { decide } from "../../../functions/lib/policy/decide.ts";
import { exampleConfig, roundOf, simulate, T0, times, UP } from "./helpers.ts";

// The shipped rule: one unanimous round of (re-checked) down votes drains; a split or incomplete round needs a second.
const config = exampleConfig({ policy: { drainAfterRounds: 1, suspectAfterRounds: 3 } });
const primary = (decisions: Array<{ weights: Record<string, number> }>) => decisions.map((d) => d.weights.primary);

describe("decide: confirmed votes drain in one round", () => {
  it("drains primary on the first round every vantage saw it down", () => {
    // Prepare / Act
    const decisions = simulate(config, [UP, { primary: "ddd" }]);
    // Assess
    expect(primary(decisions)).toEqual([90, 0]);
    expect(decisions[1]?.kind).toBe("drain");
  });

  it("waits for a second round when one vantage saw primary up or was silent", () => {
    const split = simulate(config, [UP, { primary: "ddu" }, { primary: "ddu" }]);
    const silent = simulate(config, [UP, { primary: "dd-" }, { primary: "dd-" }]);
    expect(primary(split)).toEqual([90, 90, 0]);
    expect(primary(silent)).toEqual([90, 90, 0]);
  });

  it("reads a newest round still missing votes as in progress, not as silence", () => {
    // Round T0+10 is down everywhere; round T0+20 has begun 3 s ago and only one vote is readable yet.
    const rounds = [roundOf(config, T0, UP), roundOf(config, T0 + 10, { primary: "ddd" })];
    rounds.push({ at: T0 + 20, votes: { "us-east-1": { primary: false } } });
    const decision = decide({
      now: T0 + 23,
      config,
      rounds,
      current: { primary: 90, failover: 10 },
      memory: undefined,
      lease: undefined,
    });
    expect(decision.weights).toEqual({ primary: 0, failover: 100 });
    expect(decision.attention).toBe(true);
  });
});

describe("decide: suspect checkers", () => {
  // eu-west-1 (third vantage) is cut off from primary; the others see it up.
  const partitioned = { primary: "uud" };

  it("sets aside a vantage that sees primary down while the others see it up, then ignores its vote with a lost check elsewhere", () => {
    // Prepare: three disagreeing rounds set eu-west-1 aside; then us-east-1 loses a check (its vote is down too).
    const script = [...times(3, partitioned), { primary: "duu" }, { primary: "udd" }, { primary: "udd" }];
    // Act
    const decisions = simulate(config, script);
    // Assess
    expect(primary(decisions)).toEqual(times(6, 90));
    expect(decisions[2]?.suspects).toEqual([
      { vantage: "eu-west-1", target: "primary", reason: "disagrees", since: T0 + 20 },
    ]);
    expect(decisions[5]?.reason).toContain("eu-west-1 set aside");
  });

  it("brings the vantage back as soon as it agrees again, and still drains on a real outage", () => {
    const decisions = simulate(config, [...times(3, partitioned), { primary: "ddd" }]);
    expect(decisions[3]?.suspects).toEqual([]);
    expect(primary(decisions)).toEqual([90, 90, 90, 0]);
  });

  it("without the set-aside, the same partition plus two lost checks in a row would drain", () => {
    const trusting = exampleConfig({ policy: { drainAfterRounds: 1, suspectAfterRounds: 60 } });
    const script = [...times(3, partitioned), { primary: "udd" }, { primary: "udd" }];
    expect(primary(simulate(trusting, script))).toEqual([90, 90, 90, 90, 0]);
    expect(primary(simulate(config, script))).toEqual(times(5, 90));
  });

  it("sets aside, for every target, a vantage that published conflicting values for one round", () => {
    // A forged datum beside the genuine one: the round's two values differ, so the vantage has no vote.
    const rounds = [
      roundOf(config, T0, UP),
      { ...roundOf(config, T0 + 10, { primary: "udd" }), conflicts: ["us-west-2"] },
    ];
    const decision = decide({
      now: T0 + 20,
      config,
      rounds,
      current: { primary: 90, failover: 10 },
      memory: undefined,
      lease: undefined,
    });
    expect(decision.weights).toEqual({ primary: 90, failover: 10 });
    expect(decision.suspects.map((s) => [s.vantage, s.target, s.reason])).toEqual([
      ["us-west-2", "primary", "conflicting"],
      ["us-west-2", "failover", "conflicting"],
    ]);
  });
});
