import { describe, expect, it } from "vitest";
import { decide, windowSeconds } from "../../../functions/lib/policy/decide.ts";
import { releaseFlapHold, type PolicyMemory } from "../../../functions/lib/policy/memory.ts";
import type { OverrideLease } from "../../../functions/lib/lease.ts";
import {
  BOTH_DOWN,
  exampleConfig,
  FAILOVER_DOWN,
  PRIMARY_DOWN,
  roundOf,
  simulate,
  T0,
  threeTargets,
  times,
  UP,
} from "./helpers.ts";

// Short recovery and ramp so sequences stay readable: up 30 s, then 10% → 25% → 50% → 100%, 20 s each.
// Two down rounds (the rule before votes were re-checked in the round) keep these sequences about the modes, not the confirmation.
const fast = exampleConfig({ policy: { recoverAfterSeconds: 30, rampStepSeconds: 20, drainAfterRounds: 2 } });
const primaryWeights = (decisions: { weights: Record<string, number> }[]) => decisions.map((d) => d.weights.primary);

function lease(fields: Partial<OverrideLease>): OverrideLease {
  return {
    id: "lease-1",
    action: "promote",
    target: "failover",
    createdAt: T0,
    expiresAt: T0 + 60,
    ...fields,
  };
}

describe("decide: drain and fail back", () => {
  it("drains primary after two down rounds and ramps back 10 → 25 → 50 → 100 after 30 s up", () => {
    // Prepare
    const script = [...times(2, UP), ...times(3, PRIMARY_DOWN), ...times(9, UP)];
    // Act
    const decisions = simulate(fast, script);
    // Assess
    expect(primaryWeights(decisions)).toEqual([90, 90, 90, 0, 0, 0, 0, 9, 9, 23, 23, 45, 45, 90]);
    expect(decisions.map((d) => d.weights.failover)).toEqual([
      10, 10, 10, 100, 100, 100, 100, 91, 91, 77, 77, 55, 55, 10,
    ]);
    expect(decisions[3]?.kind).toBe("drain");
    expect(decisions[3]?.changes).toEqual([
      { target: "primary", from: 90, to: 0, direction: "drain" },
      { target: "failover", from: 10, to: 100, direction: "restore" },
    ]);
    expect(decisions[7]?.kind).toBe("ramp");
    expect(decisions[13]?.kind).toBe("restore");
  });

  it("goes back to drained at once when primary fails during the ramp", () => {
    const script = [...times(2, PRIMARY_DOWN), ...times(6, UP), PRIMARY_DOWN, ...times(2, UP)];
    const decisions = simulate(fast, script);
    expect(primaryWeights(decisions)).toEqual([90, 0, 0, 0, 9, 9, 23, 23, 0, 0, 0]);
    expect(decisions[8]?.kind).toBe("drain");
    expect(decisions[8]?.reason).toContain("failed during the ramp at 25%");
  });

  it("does not drain on a single down round (blip) nor on one failed vantage", () => {
    const decisions = simulate(fast, [PRIMARY_DOWN, UP, PRIMARY_DOWN, UP, ...times(5, { primary: "duu" })]);
    expect(primaryWeights(decisions)).toEqual(times(9, {}).map(() => 90));
    expect(decisions.every((d) => !d.changed)).toBe(true);
  });

  it("explains a drain with the votes behind it", () => {
    const decisions = simulate(fast, [{ primary: "d-d" }, { primary: "d-d" }]);
    expect(decisions[1]?.reason).toContain(
      "primary down from 2/3 vantages for 2 rounds (us-east-1, eu-west-1 failed; us-west-2 silent)",
    );
    expect(decisions[1]?.verdicts.primary).toMatchObject({
      health: "down",
      downRounds: 2,
      downVotes: ["us-east-1", "eu-west-1"],
      silent: ["us-west-2"],
    });
  });

  it("restarts the recovery clock when primary fails again before recovering", () => {
    const decisions = simulate(fast, [...times(2, PRIMARY_DOWN), UP, UP, PRIMARY_DOWN, ...times(4, UP)]);
    // Up 20 s, then a down round: recovery needs 30 s from the next up round.
    expect(primaryWeights(decisions)).toEqual([90, 0, 0, 0, 0, 0, 0, 9, 9]);
  });

  it("writes memory only when it changes", () => {
    const decisions = simulate(fast, [...times(3, UP), ...times(2, PRIMARY_DOWN), UP]);
    expect(decisions.map((d) => d.memoryChanged)).toEqual([true, false, false, false, true, false]);
  });
});

describe("decide: both directions, N targets, never all zero", () => {
  it("drains the failover region and sends everything to primary (100/0)", () => {
    const decisions = simulate(fast, times(3, FAILOVER_DOWN));
    expect(decisions.map((d) => [d.weights.primary, d.weights.failover])).toEqual([
      [90, 10],
      [100, 0],
      [100, 0],
    ]);
  });

  it("fails open with the normal weights when every target is down", () => {
    const decisions = simulate(fast, times(3, BOTH_DOWN));
    expect(decisions.map((d) => d.weights)).toEqual(times(3, { primary: 90, failover: 10 }));
    expect(decisions[1]).toMatchObject({ kind: "fail-open", allDown: true });
    expect(decisions[1]?.reason).toContain("every target down");
  });

  it("fails open when the second region fails while primary is drained, and drains it again when only primary stays down", () => {
    const decisions = simulate(fast, [...times(2, PRIMARY_DOWN), ...times(2, BOTH_DOWN), PRIMARY_DOWN]);
    expect(primaryWeights(decisions)).toEqual([90, 0, 0, 90, 0]);
    expect(decisions[3]?.allDown).toBe(true);
  });

  it("sends traffic to a recovering drained target when the last target in service fails", () => {
    const decisions = simulate(fast, [...times(2, PRIMARY_DOWN), ...times(2, FAILOVER_DOWN)]);
    expect(decisions.map((d) => [d.weights.primary, d.weights.failover])).toEqual([
      [90, 10],
      [0, 100],
      [0, 100],
      [100, 0],
    ]);
    expect(decisions[3]?.reason).toContain("primary carries traffic before its recovery");
  });

  it("redistributes a drained target's weight over three targets in proportion to normal weights", () => {
    const config = threeTargets([60, 30, 10]);
    const decisions = simulate(config, times(2, { a: "ddd" }));
    expect(decisions[1]?.weights).toEqual({ a: 0, b: 75, c: 25 });
  });

  it("gives a normal-weight-0 target traffic only when every other target is drained", () => {
    const config = threeTargets([50, 50, 0]);
    const one = simulate(config, times(2, { a: "ddd" }));
    const two = simulate(config, times(2, { a: "ddd", b: "ddd" }));
    expect(one[1]?.weights).toEqual({ a: 0, b: 100, c: 0 });
    expect(two[1]?.weights).toEqual({ a: 0, b: 0, c: 100 });
  });
});

describe("decide: flap budget", () => {
  const budget2 = exampleConfig({
    policy: {
      drainAfterRounds: 2,
      recoverAfterSeconds: 20,
      rampPercents: [50, 100],
      rampStepSeconds: 10,
      flapBudget: { maxDrains: 2, windowSeconds: 3600 },
    },
  });

  it("holds primary drained after two drains within the window, whatever its health", () => {
    const script = [...times(2, PRIMARY_DOWN), ...times(4, UP), ...times(2, PRIMARY_DOWN), ...times(20, UP)];
    const decisions = simulate(budget2, script);
    expect(primaryWeights(decisions).slice(0, 8)).toEqual([90, 0, 0, 45, 90, 90, 90, 0]);
    expect(decisions[7]).toMatchObject({ kind: "flap-hold", flapHeld: ["primary"] });
    expect(decisions[7]?.reason).toContain("a person must release it");
    expect(
      primaryWeights(decisions)
        .slice(8)
        .every((w) => w === 0),
    ).toBe(true);
    expect(decisions.at(-1)?.reason).toContain("held drained by its flap budget");
  });

  it("comes back through recovery and ramp once a person releases the hold", () => {
    const held = simulate(budget2, [...times(2, PRIMARY_DOWN), ...times(4, UP), ...times(2, PRIMARY_DOWN)]).at(-1);
    const released = releaseFlapHold(held?.memory ?? { v: 1, targets: {}, drains: {} }, "primary", T0 + 100);
    const after = simulate(budget2, times(5, UP), { memory: released, start: held?.weights, from: T0 + 90 });
    expect(released.targets.primary).toEqual({ mode: "drained", since: T0 + 100 });
    expect(released.drains.primary).toBeUndefined();
    // Recovery counts from the release (T0+100), not from the up rounds before it: 20 s later, at T0+120.
    expect(primaryWeights(after)).toEqual([0, 0, 45, 90, 90]);
  });

  it("treats a lease that gives a held target traffic as a person's release", () => {
    const held = simulate(budget2, [...times(2, PRIMARY_DOWN), ...times(4, UP), ...times(2, PRIMARY_DOWN)]).at(-1);
    const promote = lease({ target: "primary", expiresAt: T0 + 1000 });
    const during = simulate(budget2, [UP], {
      memory: held?.memory,
      start: held?.weights,
      lease: () => promote,
      from: T0 + 80,
    });
    expect(during[0]?.flapHeld).toEqual([]);
    expect(during[0]?.memory.targets.primary).toBeUndefined();
  });
});

describe("decide: override lease", () => {
  it("promotes the lease's target while the lease holds, then resumes automatic weights", () => {
    const decisions = simulate(fast, times(8, UP), { lease: () => lease({ expiresAt: T0 + 50 }) });
    expect(decisions.map((d) => d.weights.failover)).toEqual([100, 100, 100, 100, 10, 10, 10, 10]);
    expect(decisions[0]).toMatchObject({ kind: "override", leaseActive: true });
    expect(decisions[0]?.changes.every((c) => c.direction === "pin")).toBe(true);
    expect(decisions[4]).toMatchObject({ kind: "override-ended", leaseActive: false });
    expect(decisions[5]?.kind).toBe("steady");
  });

  it("beats a drain: a lease pinning 50/50 holds while primary is down", () => {
    const pin = lease({
      action: "pin",
      target: undefined,
      weights: { primary: 50, failover: 50 },
      expiresAt: T0 + 1000,
    });
    const decisions = simulate(fast, times(4, PRIMARY_DOWN), { lease: () => pin });
    expect(decisions.map((d) => d.weights)).toEqual(times(4, { primary: 50, failover: 50 }));
    // No person's text in the policy's reason: it goes into the public state record.
    expect(decisions[0]?.reason).toBe("override lease lease-1 (pin) until 02:46:40Z: weights 90/10 → 50/50");
  });

  it("drains the lease's target and shares the rest by normal weights", () => {
    const config = threeTargets([60, 30, 10]);
    const decisions = simulate(config, [UP], {
      lease: () => lease({ action: "drain", target: "b", expiresAt: T0 + 1000 }),
    });
    expect(decisions[0]?.weights).toEqual({ a: 86, b: 0, c: 14 });
  });

  it("never outputs all zero, even for a lease pinning zeros", () => {
    const decisions = simulate(fast, [UP], {
      lease: () =>
        lease({ action: "pin", target: undefined, weights: { primary: 0, failover: 0 }, expiresAt: T0 + 1000 }),
    });
    expect(decisions[0]?.weights).toEqual({ primary: 90, failover: 10 });
  });

  it("resumes the automatic state tracked during the lease when it expires", () => {
    const decisions = simulate(fast, times(4, PRIMARY_DOWN), {
      lease: () =>
        lease({ action: "pin", target: undefined, weights: { primary: 50, failover: 50 }, expiresAt: T0 + 30 }),
    });
    expect(primaryWeights(decisions)).toEqual([50, 50, 0, 0]);
    expect(decisions[2]?.kind).toBe("override-ended");
  });
});

describe("decide: unknown never moves traffic", () => {
  it("keeps drained weights while no vantage votes", () => {
    const decisions = simulate(fast, [...times(2, PRIMARY_DOWN), ...times(30, { primary: "---", failover: "---" })]);
    expect(decisions.slice(1).every((d) => d.weights.primary === 0)).toBe(true);
    expect(decisions.at(-1)?.kind).toBe("unknown");
    expect(decisions.at(-1)?.reason).toContain("fewer than the minimum 2");
  });

  it("starts fresh from Route 53's weights: a target found at 0 waits for its recovery", () => {
    // Found drained at the first decision (T0+10): 30 s of recovery from then, whatever came before.
    const decisions = simulate(fast, times(5, UP), { start: { primary: 0, failover: 100 } });
    expect(primaryWeights(decisions)).toEqual([0, 0, 0, 9, 9]);
    expect(decisions[0]?.memoryChanged).toBe(true);
  });
});

describe("windowSeconds", () => {
  it("covers the recovery time, or the down rounds and the round confirming a split vote, plus slack", () => {
    expect(windowSeconds(exampleConfig())).toBe(200);
    expect(windowSeconds(exampleConfig({ policy: { recoverAfterSeconds: 0, drainAfterRounds: 5 } }))).toBe(70);
  });

  it("ignores rounds outside the window", () => {
    const config = exampleConfig();
    const old = roundOf(config, T0 - 1000, PRIMARY_DOWN);
    const decision = decide({
      now: T0,
      config,
      rounds: [old, roundOf(config, T0 - 990, PRIMARY_DOWN)],
      current: { primary: 90, failover: 10 },
      memory: undefined,
      lease: undefined,
    });
    expect(decision.weights.primary).toBe(90);
    expect(decision.verdicts.primary?.health).toBe("unknown");
  });
});

describe("decide: two deciders, one mind", () => {
  const config = exampleConfig({ policy: { recoverAfterSeconds: 180 } });
  const interval = config.probe.intervalSeconds;
  // 25 up rounds, then primary down in the newest one: the round one decider reads and the other does not yet.
  const upRounds = Array.from({ length: 25 }, (_, k) => roundOf(config, T0 + k * interval, UP));
  const downAt = T0 + 25 * interval;
  const withDown = [...upRounds, roundOf(config, downAt, PRIMARY_DOWN)];

  it("never ramps a drain back on a window that does not hold the drain's down round yet", () => {
    const first = decide({ ...inputs(undefined, { primary: 90, failover: 10 }), rounds: withDown, now: downAt + 4 });
    expect(first.weights).toEqual({ primary: 0, failover: 100 });
    // The other control region, a second later, reads only the up rounds (the down round not readable there yet).
    const other = decide({ ...inputs(first.memory, first.weights), rounds: upRounds, now: downAt + 5 });
    expect(other).toMatchObject({ weights: { primary: 0, failover: 100 }, changed: false, memoryChanged: false });
  });

  it("keeps the decision in force when its own newest round is older than the one it was made on", () => {
    const first = decide({
      now: downAt + 4,
      config,
      rounds: withDown,
      current: { primary: 90, failover: 10 },
      memory: undefined,
      lease: undefined,
    });
    expect(first.memory.basis).toBe(downAt);
    // Recovery counted from the drain alone would not stop this one: the drain is old, the view is older still.
    const later = { ...first.memory, targets: { primary: { mode: "drained" as const, since: downAt - 400 } } };
    const behind = decide({
      config,
      rounds: upRounds,
      now: downAt + 5,
      current: first.weights,
      memory: later,
      lease: undefined,
    });
    expect(behind).toMatchObject({ kind: "steady", changed: false, memoryChanged: false });
    expect(behind.weights).toEqual(first.weights);
    expect(behind.reason).toContain("older than");
  });

  function inputs(memory: PolicyMemory | undefined, current: Record<string, number>) {
    return { config, current, memory, lease: undefined };
  }
});
