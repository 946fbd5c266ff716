import { describe, expect, it } from "vitest";
import { decide, leaseWeights, type DecisionInput } from "../../../functions/lib/policy/decide.ts";
import { emptyPolicyMemory, type PolicyMemory } from "../../../functions/lib/policy/memory.ts";
import type { OverrideLease } from "../../../functions/lib/lease.ts";
import type { ProbeRound, Weights } from "../../../functions/lib/types.ts";
import { exampleConfig, roundOf, simulate, T0, threeTargets, times, UP } from "./helpers.ts";

// What a decision says besides its weights: kind, changes, attention, the memory it stores, allDown, the lease rules.
const config = exampleConfig();
const I = config.probe.intervalSeconds;
const NORMAL = { primary: 90, failover: 10 };

function decideOn(
  rounds: ProbeRound[],
  now: number,
  current: Weights,
  memory?: PolicyMemory,
  lease?: OverrideLease,
): ReturnType<typeof decide> {
  const input: DecisionInput = { config, rounds, now, current, memory, lease };
  return decide(input);
}

const drainedSince = (since: number) => ({ mode: "drained" as const, since });
const promote = (target: string): OverrideLease => ({
  id: "lease-1",
  action: "promote",
  target,
  createdAt: T0 - 100,
  expiresAt: T0 + 1000,
});

describe("decide: attention", () => {
  const full = (at: number) => roundOf(config, at, UP);

  it("asks for attention on a down vote against a target in service or ramping, not against a drained one", () => {
    const rounds = [roundOf(config, T0, { primary: "duu" })];
    expect(decideOn(rounds, T0 + 5, NORMAL).attention).toBe(true);
    const ramping = { ...emptyPolicyMemory(), targets: { primary: { mode: "ramp" as const, since: T0, step: 0 } } };
    expect(decideOn(rounds, T0 + 5, { primary: 9, failover: 91 }, ramping).attention).toBe(true);
    const drained = { ...emptyPolicyMemory(), targets: { primary: drainedSince(T0 - 50) } };
    expect(decideOn(rounds, T0 + 5, { primary: 0, failover: 100 }, drained)).toMatchObject({
      attention: false,
      allDown: false,
    });
  });

  it("asks for attention while the newest round, begun less than an interval ago, misses a vantage of the round before", () => {
    const partial = { at: T0 + 2 * I, votes: { "us-east-1": { primary: true, failover: true } } };
    // The oldest round has only us-east-1 too: the round compared with is the one just before.
    const rounds = [{ ...partial, at: T0 }, full(T0 + I), { ...partial, at: T0 + 2 * I }];
    expect(decideOn(rounds, T0 + 2 * I, NORMAL).attention).toBe(true);
    expect(decideOn(rounds, T0 + 3 * I - 1, NORMAL).attention).toBe(true);
    expect(decideOn(rounds, T0 + 3 * I, NORMAL).attention).toBe(false);
    expect(decideOn([full(T0), full(T0 + I)], T0 + I + 5, NORMAL).attention).toBe(false);
  });

  it("does not wait for a suspect checker's vote", () => {
    // eu-west-1 alone sees primary down for three rounds: set aside; then it is missing from the newest round.
    const partitioned = [0, 1, 2].map((k) => roundOf(config, T0 + k * I, { primary: "uud" }));
    const newest = roundOf(config, T0 + 3 * I, { primary: "uu-", failover: "uu-" });
    const decision = decideOn([...partitioned, newest], T0 + 3 * I + 2, NORMAL);
    expect(decision.suspects.map((s) => s.vantage)).toEqual(["eu-west-1"]);
    expect(decision.attention).toBe(false);
  });
});

describe("decide: the basis a decision records", () => {
  it("records the newest round any target's verdict is from, not a round still in progress for another", () => {
    // The newest round has all of primary's votes but only one of failover's: failover's verdict is from the round before.
    const rounds = [roundOf(config, T0, UP), roundOf(config, T0 + I, { primary: "uuu", failover: "u--" })];
    expect(decideOn(rounds, T0 + I + 3, NORMAL).memory.basis).toBe(T0 + I);
  });

  it("records no basis when no target has a verdict", () => {
    const decision = decideOn([], T0, NORMAL);
    expect(decision).toMatchObject({ kind: "unknown", allDown: false, weights: NORMAL, memoryChanged: true });
    expect(decision.memory.basis).toBeUndefined();
  });

  it("decides again within the round: a re-checked vote that makes the round unanimous drains", () => {
    const first = decideOn([roundOf(config, T0, UP), roundOf(config, T0 + I, { primary: "ddu" })], T0 + I + 4, NORMAL);
    expect(first).toMatchObject({ weights: NORMAL, memory: { basis: T0 + I } });
    const again = decideOn(
      [roundOf(config, T0, UP), roundOf(config, T0 + I, { primary: "ddd" })],
      T0 + I + 6,
      first.weights,
      first.memory,
    );
    expect(again).toMatchObject({ kind: "drain", weights: { primary: 0, failover: 100 } });
  });
});

describe("decide: which weights of Route 53 it keeps with no verdict", () => {
  it.each([
    { name: "all zero", current: { primary: 0, failover: 0 } },
    { name: "above 255", current: { primary: 256, failover: 10 } },
    { name: "negative", current: { primary: -1, failover: 10 } },
    { name: "not an integer", current: { primary: 9.5, failover: 10 } },
    { name: "missing a target", current: { failover: 10 } },
  ] as Array<{ name: string; current: Weights }>)(
    "replaces weights that are $name with the normal weights",
    ({ current }) => {
      expect(decideOn([], T0, current).weights).toEqual(NORMAL);
    },
  );

  it("keeps valid weights, a drained target's 0 included", () => {
    expect(decideOn([], T0, { primary: 0, failover: 10 })).toMatchObject({
      weights: { primary: 0, failover: 10 },
      changed: false,
    });
  });
});

describe("decide: the memory it stores", () => {
  it("compares memory by content, not by the order of its keys", () => {
    const rounds = [roundOf(config, T0, { primary: "ddd" })];
    const reordered = {
      basis: T0,
      drains: {},
      targets: { primary: { since: T0 - 50, mode: "drained" as const } },
      v: 1,
    };
    const decision = decideOn(rounds, T0 + 5, { primary: 0, failover: 100 }, reordered as PolicyMemory);
    expect(decision).toMatchObject({ changed: false, memoryChanged: false, kind: "steady" });
  });

  it("stores a drain under a lease: it moves no traffic and spends no flap budget", () => {
    const lease = promote("failover");
    const first = decideOn([roundOf(config, T0, UP)], T0 + 5, NORMAL, undefined, lease);
    expect(first).toMatchObject({ kind: "override", allDown: false, weights: { primary: 0, failover: 100 } });
    expect(first.reason).toContain(`override lease lease-1 (promote failover) until`);
    const rounds = [roundOf(config, T0, UP), roundOf(config, T0 + I, { primary: "ddd" })];
    const second = decideOn(rounds, T0 + I + 5, first.weights, first.memory, lease);
    expect(second).toMatchObject({ changed: false, memoryChanged: true });
    expect(second.memory.drains).toEqual({});
    expect(second.memory).toMatchObject({ targets: { primary: drainedSince(T0 + I + 5) }, drains: {}, basis: T0 + I });
  });

  it("stores the first decision's memory, and the basis of a weight change that leaves the rest of memory as it was", () => {
    expect(decideOn([roundOf(config, T0, UP)], T0 + 5, NORMAL).memoryChanged).toBe(true);
    const memory = { ...emptyPolicyMemory(), basis: T0 - I };
    const corrected = decideOn([roundOf(config, T0, UP)], T0 + 5, { primary: 50, failover: 50 }, memory);
    expect(corrected).toMatchObject({ changed: true, memoryChanged: true, memory: { basis: T0 } });
  });

  it("on a fresh start, takes a target at 0 whose normal weight is not as drained, and a weight-0 standby as in service", () => {
    const three = threeTargets([90, 10, 0]);
    const decision = decide({
      config: three,
      rounds: [roundOf(three, T0, UP)],
      now: T0 + 5,
      current: { a: 0, b: 100, c: 0 },
      memory: undefined,
      lease: undefined,
    });
    expect(decision.memory.targets).toEqual({ a: drainedSince(T0 + 5) });
  });

  it("counts a target missing from Route 53's weights as a change", () => {
    const decision = decideOn([roundOf(config, T0, UP)], T0 + 5, { primary: 90 });
    expect(decision).toMatchObject({ changed: true, weights: NORMAL });
    expect(decision.changes).toEqual([{ target: "failover", from: 0, to: 10, direction: "restore" }]);
  });
});

describe("decide: kind and direction of each change", () => {
  const drained = { ...emptyPolicyMemory(), targets: { primary: drainedSince(T0 - 50) } };

  it("corrects weights moved outside the policy: a drain when it takes a target to 0, else a restore", () => {
    const up = [roundOf(config, T0, UP)];
    const restore = decideOn(up, T0 + 5, { primary: 50, failover: 50 }, emptyPolicyMemory());
    expect(restore).toMatchObject({ kind: "restore", allDown: false });
    expect(restore.changes).toEqual([
      { target: "primary", from: 50, to: 90, direction: "restore" },
      { target: "failover", from: 50, to: 10, direction: "ramp" },
    ]);
    expect(decideOn(up, T0 + 5, NORMAL, drained).kind).toBe("drain");
    expect(decideOn(up, T0 + 5, { primary: 0, failover: 50 }, drained).kind).toBe("restore");
  });

  it("calls a ramp step's changes ramp, and the last step's a restore of the ramped target", () => {
    const fast = exampleConfig({ policy: { recoverAfterSeconds: 30, rampStepSeconds: 20, drainAfterRounds: 2 } });
    const decisions = simulate(fast, [...times(2, { primary: "ddd" }), ...times(12, UP)]);
    const withChanges = decisions.filter((d) => d.changes.length > 0).map((d) => [d.kind, d.changes]);
    expect(withChanges).toEqual([
      [
        "drain",
        [
          { target: "primary", from: 90, to: 0, direction: "drain" },
          { target: "failover", from: 10, to: 100, direction: "restore" },
        ],
      ],
      [
        "ramp",
        [
          { target: "primary", from: 0, to: 9, direction: "ramp" },
          { target: "failover", from: 100, to: 91, direction: "ramp" },
        ],
      ],
      [
        "ramp",
        [
          { target: "primary", from: 9, to: 23, direction: "ramp" },
          { target: "failover", from: 91, to: 77, direction: "ramp" },
        ],
      ],
      [
        "ramp",
        [
          { target: "primary", from: 23, to: 45, direction: "ramp" },
          { target: "failover", from: 77, to: 55, direction: "ramp" },
        ],
      ],
      [
        "restore",
        [
          { target: "primary", from: 45, to: 90, direction: "restore" },
          { target: "failover", from: 55, to: 10, direction: "ramp" },
        ],
      ],
    ]);
    expect(decisions.filter((d) => d.reason.includes("carries traffic"))).toEqual([]);
    expect(decisions[1]?.reason).toBe(
      "drained primary: primary down from 3/3 vantages for 2 rounds (us-east-1, us-west-2, eu-west-1 failed): weights 90/10 → 0/100",
    );
  });

  it("calls a weight-0 standby's drain and restore by their names though its weight never moves", () => {
    const base = threeTargets([90, 10, 0]);
    const three = { ...base, policy: { ...base.policy, recoverAfterSeconds: 20, rampStepSeconds: 10 } };
    const decisions = simulate(three, [{ c: "ddd" }, ...times(8, UP)]);
    expect(decisions.every((d) => !d.changed)).toBe(true);
    expect(decisions.map((d) => d.kind)).toEqual([
      "drain",
      "steady",
      "ramp",
      "ramp",
      "ramp",
      "restore",
      "steady",
      "steady",
      "steady",
    ]);
  });

  it("drains a target that is down while another target's verdict is unknown", () => {
    const decision = decideOn([roundOf(config, T0, { primary: "ddd", failover: "---" })], T0 + 5, NORMAL);
    expect(decision).toMatchObject({ kind: "drain", weights: { primary: 0, failover: 100 }, allDown: false });
  });
});

describe("decide: when no target can take the traffic", () => {
  it("keeps a failing target in service when no other target can take its traffic, recording no drain", () => {
    const memory = { ...emptyPolicyMemory(), targets: { failover: drainedSince(T0 - 50) } };
    const rounds = [roundOf(config, T0, { primary: "ddd", failover: "---" })];
    const decision = decideOn(rounds, T0 + 5, { primary: 100, failover: 0 }, memory);
    expect(decision).toMatchObject({ kind: "steady", weights: { primary: 100, failover: 0 }, allDown: false });
    expect(decision.memory).toMatchObject({ targets: { failover: drainedSince(T0 - 50) }, drains: {} });
    expect(decision.memory.targets.primary).toBeUndefined();
    expect(decision.reason).toContain("; primary kept in service: no other target can take its traffic");
  });

  it("leaves memory exactly as it was when the drain it cancels would have spent the flap budget", () => {
    const prior: PolicyMemory = {
      v: 1,
      targets: { primary: { mode: "ramp", since: T0 - 30, step: 0 }, failover: drainedSince(T0 - 50) },
      drains: { primary: [T0 - 300, T0 - 200], failover: [T0 - 50] },
      basis: T0,
    };
    const rounds = [roundOf(config, T0, { primary: "ddd", failover: "---" })];
    const decision = decideOn(rounds, T0 + 5, { primary: 100, failover: 0 }, prior);
    expect(decision).toMatchObject({ kind: "steady", changed: false, memoryChanged: false, flapHeld: [] });
    expect(decision.memory).toEqual(prior);
    expect(decision.reason).toContain("; primary kept in service: no other target can take its traffic");
  });

  it("fails open, without calling every target down, when every target is drained and none is up", () => {
    const memory = {
      ...emptyPolicyMemory(),
      targets: { primary: drainedSince(T0 - 50), failover: drainedSince(T0 - 50) },
    };
    const rounds = [roundOf(config, T0, { primary: "---", failover: "ddd" })];
    const decision = decideOn(rounds, T0 + 5, { primary: 0, failover: 100 }, memory);
    expect(decision).toMatchObject({ kind: "fail-open", weights: NORMAL, allDown: false });
    expect(decision.reason).toContain("no target can take traffic");
  });

  it("says when a drained target carries traffic before its recovery", () => {
    const memory = { ...emptyPolicyMemory(), targets: { primary: drainedSince(T0 - 50) } };
    const rounds = [roundOf(config, T0, { failover: "ddd" })];
    const decision = decideOn(rounds, T0 + 5, { primary: 0, failover: 100 }, memory);
    expect(decision.weights).toEqual({ primary: 100, failover: 0 });
    expect(decision.reason).toContain("; primary carries traffic before its recovery: no target in service can");
    const normal = decideOn([roundOf(config, T0, UP)], T0 + 5, NORMAL);
    expect(normal.reason).not.toContain("carries traffic");
  });
});

describe("decide: leases and flap holds", () => {
  const held = (drains: number[]) => ({
    ...emptyPolicyMemory(),
    targets: { primary: { mode: "held" as const, since: T0 - 50 } },
    drains: { primary: drains },
  });

  it("releases only a held target a lease gives traffic, keeping other targets' modes and drains", () => {
    const memory = {
      ...held([T0 - 300, T0 - 50]),
      targets: { primary: { mode: "held" as const, since: T0 - 50 }, failover: drainedSince(T0 - 40) },
      drains: { primary: [T0 - 300, T0 - 50], failover: [T0 - 40] },
    };
    const pin: OverrideLease = {
      ...promote("primary"),
      action: "pin",
      target: undefined,
      weights: { primary: 50, failover: 50 },
    };
    const decision = decideOn([roundOf(config, T0, UP)], T0 + 5, { primary: 0, failover: 100 }, memory, pin);
    expect(decision.weights).toEqual({ primary: 50, failover: 50 });
    expect(decision.memory.targets).toEqual({ failover: drainedSince(T0 - 40) });
    expect(decision.memory.drains).toEqual({ failover: [T0 - 40] });
    expect(decision.reason).toContain("override lease lease-1 (pin) until");
  });

  it("keeps a target held while a lease gives it no traffic", () => {
    const decision = decideOn(
      [roundOf(config, T0, UP)],
      T0 + 5,
      { primary: 0, failover: 100 },
      held([T0 - 50]),
      promote("failover"),
    );
    expect(decision.flapHeld).toEqual(["primary"]);
  });

  it("pins exactly the lease's weights, a target it leaves out at 0", () => {
    const pin: OverrideLease = { ...promote("primary"), action: "pin", target: undefined, weights: { primary: 100 } };
    expect(leaseWeights(config, pin)).toEqual({ primary: 100, failover: 0 });
  });

  it("has no weights for a lease on a target the config does not have", () => {
    expect(leaseWeights(config, { ...promote("nowhere"), action: "drain" })).toBeUndefined();
    expect(leaseWeights(config, promote("nowhere"))).toBeUndefined();
  });
});
