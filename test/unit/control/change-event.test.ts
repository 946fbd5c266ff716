import { describe, expect, it } from "vitest";
import { type AttributedLease, manualChangeEvent, roundEvent } from "../../../functions/lib/control/change-event.ts";
import type { OverrideLease } from "../../../functions/lib/lease.ts";
import { decide } from "../../../functions/lib/policy/decide.ts";
import type { PolicyMemory } from "../../../functions/lib/policy/memory.ts";
import { exampleConfig, roundOf, T0 } from "../policy/helpers.ts";

const config = exampleConfig({ policy: { rampPercents: [10, 25, 50, 100], rampStepSeconds: 60 } });
const window = (at: number, spec: Record<string, string>, rounds = 25) =>
  Array.from({ length: rounds }, (_, i) => roundOf(config, at - (rounds - 1 - i) * 10, spec));

describe("roundEvent", () => {
  it("announces the drain with its votes when this decider won the compare-and-swap, nothing when it lost", () => {
    // Prepare
    const at = T0 + 300;
    const decision = decide({
      now: at,
      config,
      rounds: window(at, { primary: "ddu" }),
      current: { primary: 90, failover: 10 },
      memory: undefined,
      lease: undefined,
    });
    const round = {
      config,
      decision,
      at,
      controlRegion: "us-east-2",
      from: { primary: 90, failover: 10 },
      priorMemory: undefined,
      lease: undefined,
    };

    // Act
    const won = roundEvent({ ...round, switched: true, applied: true, changeId: "C1" });
    const lost = roundEvent({ ...round, switched: false, applied: false });

    // Assess
    expect(won).toMatchObject({
      kind: "drain",
      target: "primary",
      by: { mode: "automatic", controlRegion: "us-east-2" },
      from: { primary: 90, failover: 10 },
      to: { primary: 0, failover: 100 },
      votes: { primary: { "us-east-1": "down", "us-west-2": "down", "eu-west-1": "up" } },
      changeId: "C1",
    });
    expect(won?.held).toBeUndefined();
    expect(lost).toBeUndefined();
  });

  it("announces failback complete with the time since the drain", () => {
    // Prepare: primary drained at T0, ramping at its last step before 100%
    const at = T0 + 432;
    const memory: PolicyMemory = {
      v: 1,
      targets: { primary: { mode: "ramp", since: at - 60, step: 2 } },
      drains: { primary: [T0] },
    };
    const decision = decide({
      now: at,
      config,
      rounds: window(at, {}),
      current: { primary: 45, failover: 55 },
      memory,
      lease: undefined,
    });

    // Act
    const event = roundEvent({
      config,
      decision,
      at,
      controlRegion: "us-east-2",
      from: { primary: 45, failover: 55 },
      priorMemory: memory,
      lease: undefined,
      switched: true,
      applied: true,
    });

    // Assess
    expect(decision.kind).toBe("restore");
    expect(event).toMatchObject({
      kind: "restored",
      target: "primary",
      outSeconds: 432,
      to: { primary: 90, failover: 10 },
    });
  });

  it("announces a ramp step with its percent and place", () => {
    const at = T0 + 600;
    const memory: PolicyMemory = {
      v: 1,
      targets: { primary: { mode: "ramp", since: at - 60, step: 0 } },
      drains: { primary: [T0] },
    };
    const decision = decide({
      now: at,
      config,
      rounds: window(at, {}),
      current: { primary: 9, failover: 91 },
      memory,
      lease: undefined,
    });
    const event = roundEvent({
      config,
      decision,
      at,
      controlRegion: "us-west-1",
      from: { primary: 9, failover: 91 },
      priorMemory: memory,
      lease: undefined,
      switched: true,
      applied: true,
    });
    expect(event).toMatchObject({ kind: "ramp", target: "primary", ramp: { percent: 25, step: 2, steps: 4 } });
  });

  it("announces an expired lease once, naming it, even when the weights do not move", () => {
    const at = T0 + 4000;
    const lease: OverrideLease = {
      id: "lease-1",
      action: "pin",
      weights: { primary: 90, failover: 10 },
      createdAt: T0,
      expiresAt: T0 + 3600,
    };
    const memory: PolicyMemory = { v: 1, targets: {}, drains: {}, lease: "lease-1" };
    const decision = decide({
      now: at,
      config,
      rounds: window(at, {}),
      current: { primary: 90, failover: 10 },
      memory,
      lease,
    });
    const event = roundEvent({
      config,
      decision,
      at,
      controlRegion: "us-east-2",
      from: { primary: 90, failover: 10 },
      priorMemory: memory,
      lease,
      leaseAttribution: { actor: "alice", reason: "warm" },
      switched: false,
      applied: true,
    });
    expect(event).toMatchObject({ kind: "override-expired", lease: { id: "lease-1", actor: "alice", reason: "warm" } });
  });
});

describe("manualChangeEvent", () => {
  const lease = (id: string, actor: string, reason: string): AttributedLease => ({
    id,
    action: "promote",
    target: "failover",
    actor,
    reason,
    createdAt: T0,
    expiresAt: T0 + 600,
  });
  const change = {
    config,
    actor: "alice",
    reason: "use1 5xx",
    at: T0,
    from: { primary: 90, failover: 10 },
    to: { primary: 0, failover: 100 },
    decisionReason: "override lease lease-2",
    releasedHolds: [],
  };

  it("says override taken, or replaced naming the lease it replaced", () => {
    expect(
      manualChangeEvent({
        ...change,
        action: "promote",
        lease: lease("lease-2", "alice", "use1 5xx"),
        replaced: undefined,
      }),
    ).toMatchObject({
      kind: "override-taken",
      by: { mode: "manual", actor: "alice" },
      lease: { id: "lease-2", expiresAt: T0 + 600 },
    });
    expect(
      manualChangeEvent({
        ...change,
        action: "promote",
        lease: lease("lease-2", "alice", "use1 5xx"),
        replaced: lease("lease-1", "bob", "warm up"),
      }),
    ).toMatchObject({ kind: "override-replaced", replaced: { id: "lease-1", actor: "bob", reason: "warm up" } });
  });

  it("announces a release, and nothing for a release that found nothing to release", () => {
    expect(
      manualChangeEvent({ ...change, action: "release", lease: lease("lease-2", "alice", "x"), replaced: undefined }),
    ).toMatchObject({ kind: "override-released" });
    expect(
      manualChangeEvent({ ...change, action: "release", to: change.from, lease: undefined, replaced: undefined }),
    ).toBeUndefined();
    expect(
      manualChangeEvent({
        ...change,
        action: "release-hold",
        target: "primary",
        lease: undefined,
        replaced: undefined,
      }),
    ).toBeUndefined();
    expect(
      manualChangeEvent({
        ...change,
        action: "release-hold",
        target: "primary",
        lease: undefined,
        replaced: undefined,
        releasedHolds: ["primary"],
      }),
    ).toMatchObject({ kind: "hold-released", target: "primary", releasedHolds: ["primary"] });
  });
});
