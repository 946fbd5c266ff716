import { describe, expect, it } from "vitest";
import { emptyPolicyMemory, type PolicyMemory, type TargetMemory } from "../../../functions/lib/policy/memory.ts";
import { stepTargets } from "../../../functions/lib/policy/target-modes.ts";
import type { TargetVerdict } from "../../../functions/lib/policy/verdict.ts";
import type { TargetHealth } from "../../../functions/lib/policy/votes.ts";
import { exampleConfig, T0 } from "./helpers.ts";

// The mode rules one decision at a time, from verdicts written by hand (the decide tests reach them through the window).
const policy = exampleConfig({ policy: { flapBudget: { maxDrains: 3, windowSeconds: 600 } } }).policy;
const now = T0 + 3600;
const ids = ["primary", "failover"];

function verdict(health: TargetHealth, fields: Partial<TargetVerdict> = {}): TargetVerdict {
  return {
    health,
    upVotes: [],
    downVotes: [],
    silent: [],
    setAside: [],
    unanimous: health === "down",
    suspects: [],
    at: now - 10,
    downRounds: health === "down" ? 1 : 0,
    upSeconds: 0,
    ...fields,
  };
}

function memoryOf(targets: Record<string, TargetMemory>, drains: Record<string, number[]> = {}): PolicyMemory {
  return { ...emptyPolicyMemory(), targets, drains };
}

describe("stepTargets: the flap budget", () => {
  const down = { primary: verdict("down"), failover: verdict("up") };

  it("holds a target whose drains within the window reach maxDrains, and records the drain", () => {
    const stepped = stepTargets(policy, ids, memoryOf({}, { primary: [now - 300, now - 200] }), down, now, true);
    expect(stepped.events).toEqual([{ kind: "hold", target: "primary", drains: 3 }]);
    expect(stepped.memory.targets).toEqual({ primary: { mode: "held", since: now } });
    expect(stepped.memory.drains).toEqual({ primary: [now - 300, now - 200, now] });
  });

  it("under a lease drains without spending the budget: no hold, no drain time recorded", () => {
    const prior = memoryOf({}, { primary: [now - 300, now - 200] });
    const stepped = stepTargets(policy, ids, prior, down, now, false);
    expect(stepped.events).toEqual([{ kind: "drain", target: "primary" }]);
    expect(stepped.memory.targets).toEqual({ primary: { mode: "drained", since: now } });
    expect(stepped.memory.drains).toEqual({ primary: [now - 300, now - 200] });
  });

  it("under a lease still drains a ramping target that fails, naming the ramp step", () => {
    const prior = memoryOf({ primary: { mode: "ramp", since: now - 10, step: 1 } });
    const stepped = stepTargets(policy, ids, prior, down, now, false);
    expect(stepped.events).toEqual([{ kind: "drain", target: "primary", fromRamp: 25 }]);
    expect(stepped.memory.targets).toEqual({ primary: { mode: "drained", since: now } });
  });

  it("records a target's first drain as the only one", () => {
    const stepped = stepTargets(policy, ids, emptyPolicyMemory(), down, now, true);
    expect(stepped.events).toEqual([{ kind: "drain", target: "primary" }]);
    expect(stepped.memory.drains).toEqual({ primary: [now] });
  });

  it("forgets drains that are windowSeconds old or older", () => {
    const old = stepTargets(policy, ids, memoryOf({}, { primary: [now - 700, now - 600] }), down, now, true);
    expect(old.events).toEqual([{ kind: "drain", target: "primary" }]);
    expect(old.memory.drains).toEqual({ primary: [now] });
    const recent = stepTargets(policy, ids, memoryOf({}, { primary: [now - 599, now - 598] }), down, now, true);
    expect(recent.events).toEqual([{ kind: "hold", target: "primary", drains: 3 }]);
  });

  it("keeps at most maxDrains drain times (the budget was lowered since they were recorded)", () => {
    const prior = memoryOf({}, { primary: [now - 40, now - 30, now - 20, now - 10] });
    const stepped = stepTargets(policy, ids, prior, down, now, true);
    expect(stepped.events).toEqual([{ kind: "hold", target: "primary", drains: 3 }]);
    expect(stepped.memory.drains).toEqual({ primary: [now - 20, now - 10, now] });
  });
});

describe("stepTargets: recovery and ramp", () => {
  const up = (upSeconds: number) => ({ primary: verdict("up", { upSeconds }), failover: verdict("up") });
  const drained = memoryOf({ primary: { mode: "drained", since: now - 1000 } });

  it("starts the ramp at the first step after recoverAfterSeconds up", () => {
    const early = stepTargets(policy, ids, drained, up(policy.recoverAfterSeconds - 1), now, true);
    expect(early.events).toEqual([]);
    const stepped = stepTargets(policy, ids, drained, up(policy.recoverAfterSeconds), now, true);
    expect(stepped.events).toEqual([{ kind: "ramp-start", target: "primary", percent: 10 }]);
    expect(stepped.memory.targets).toEqual({ primary: { mode: "ramp", since: now, step: 0 } });
  });

  it("with no recovery wait configured, keeps a drained target drained while it is down", () => {
    const noWait = exampleConfig({ policy: { recoverAfterSeconds: 0 } }).policy;
    const stepped = stepTargets(noWait, ids, drained, { primary: verdict("down", { downRounds: 5 }) }, now, true);
    expect(stepped.events).toEqual([]);
    expect(stepped.memory.targets).toEqual(drained.targets);
  });

  it("with a single 100% ramp step, restores a recovered target at once", () => {
    const oneStep = exampleConfig({ policy: { rampPercents: [100] } }).policy;
    const stepped = stepTargets(oneStep, ids, drained, up(oneStep.recoverAfterSeconds), now, true);
    expect(stepped.events).toEqual([{ kind: "restore", target: "primary" }]);
    expect(stepped.memory.targets).toEqual({});
  });

  it("moves a ramp step after rampStepSeconds up, naming both percentages, and restores after the last", () => {
    const at = (step: number, since: number) => memoryOf({ primary: { mode: "ramp", since, step } });
    const held = stepTargets(policy, ids, at(0, now - policy.rampStepSeconds + 1), up(500), now, true);
    expect(held.events).toEqual([]);
    const first = stepTargets(policy, ids, at(0, now - policy.rampStepSeconds), up(500), now, true);
    expect(first.events).toEqual([{ kind: "ramp-step", target: "primary", from: 10, to: 25 }]);
    expect(first.memory.targets).toEqual({ primary: { mode: "ramp", since: now, step: 1 } });
    const last = stepTargets(policy, ids, at(2, now - policy.rampStepSeconds), up(500), now, true);
    expect(last.events).toEqual([{ kind: "restore", target: "primary" }]);
    expect(last.memory.targets).toEqual({});
  });

  it("never advances anything on an unknown verdict or none", () => {
    const noWait = exampleConfig({ policy: { recoverAfterSeconds: 0, rampStepSeconds: 0 } }).policy;
    const prior = memoryOf({
      primary: { mode: "ramp", since: now - 1000, step: 0 },
      failover: { mode: "drained", since: now - 1000 },
    });
    const unknown = { primary: verdict("unknown"), failover: verdict("unknown") };
    for (const verdicts of [unknown, {}]) {
      const stepped = stepTargets(noWait, ids, prior, verdicts, now, true);
      expect(stepped.events).toEqual([]);
      expect(stepped.memory.targets).toEqual(prior.targets);
    }
  });
});
