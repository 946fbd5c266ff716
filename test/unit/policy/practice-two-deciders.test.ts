import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OverrideLease } from "../../../functions/lib/lease.ts";
import { decide, type Decision } from "../../../functions/lib/policy/decide.ts";
import type { PolicyMemory } from "../../../functions/lib/policy/memory.ts";
import type { AlarmState } from "../../../functions/lib/policy/practice.ts";
import type { ProbeRound, Weights } from "../../../functions/lib/types.ts";
import { exampleConfig, roundOf, T0 } from "./helpers.ts";

/**
 * Two deciders are one mind for practice runs: both deciders run the
 * deployed policy every 10 s on their own second, each seeing the alarms
 * and the probe rounds after its own delay, and write by compare-and-swap
 * (a write whose read is stale re-reads and decides again, as the round
 * does). What a decision says about a practice run is announced only by the
 * write that applied it. The oracle: the runs' ids and the alarms' schedule.
 */

const config = exampleConfig({
  policy: { recoverAfterSeconds: 30, rampStepSeconds: 20 },
  practice: {
    every: "day",
    durationMinutes: 5,
    targets: ["failover", "primary"],
    blockingAlarms: [{ name: "deploys", region: "us-east-1" }],
    outcomeAlarms: [{ name: "app-5xx", region: "us-west-2" }],
  },
});
const SECONDS = 20 * 60;

interface World {
  /** Seconds into the run at which each alarm goes to ALARM (and back to OK 60 s later), or never. */
  outcomeAt: number | undefined;
  blockingAt: number | undefined;
  /** The primary down for 60 s from this second, or never. */
  outageAt: number | undefined;
  /** On-call promotes the failover for 120 s from this second, or never. */
  leaseAt: number | undefined;
  /** Per decider: second offset of its rounds, delay seeing alarms and probe rounds, write delay (ms). */
  deciders: Array<{ offset: number; alarmLag: number; roundLag: number; writeMs: number }>;
}

const moment = fc.option(fc.integer({ min: 0, max: SECONDS - 120 }), { nil: undefined });
const worldArb: fc.Arbitrary<World> = fc.record({
  outcomeAt: moment,
  blockingAt: moment,
  outageAt: moment,
  leaseAt: moment,
  deciders: fc.array(
    fc.record({
      offset: fc.integer({ min: 0, max: 9 }),
      alarmLag: fc.integer({ min: 0, max: 30 }),
      roundLag: fc.integer({ min: 0, max: 15 }),
      writeMs: fc.integer({ min: 50, max: 12_000 }),
    }),
    { minLength: 2, maxLength: 2 },
  ),
});

const during = (from: number | undefined, length: number, t: number) =>
  from !== undefined && t >= from && t < from + length;

interface Shared {
  current: Weights;
  memory: PolicyMemory | undefined;
  version: number;
}

/** One decider's decision at second `t` (from the start) on what it can see then. */
function decideAt(world: World, c: number, t: number, shared: Shared): Decision {
  const view = world.deciders[c] ?? { alarmLag: 0, roundLag: 0 };
  const seen = t - view.alarmLag;
  const alarm = (from: number | undefined): AlarmState => (during(from, 60, seen) ? "ALARM" : "OK");
  const rounds: ProbeRound[] = [];
  for (let at = Math.max(0, t - 120 - view.roundLag); at + 10 <= t - view.roundLag; at += 10)
    rounds.push(roundOf(config, T0 + at, during(world.outageAt, 60, at) ? { primary: "ddd" } : {}));
  const lease: OverrideLease | undefined =
    world.leaseAt !== undefined && t >= world.leaseAt
      ? {
          id: "lease-1",
          action: "promote",
          target: "failover",
          createdAt: T0 + world.leaseAt,
          expiresAt: T0 + world.leaseAt + 120,
        }
      : undefined;
  return decide({
    now: T0 + t,
    config,
    rounds,
    current: shared.current,
    memory: shared.memory,
    lease,
    practice: { alarms: { "us-east-1:deploys": alarm(world.blockingAt), "us-west-2:app-5xx": alarm(world.outcomeAt) } },
  });
}

/** Runs both deciders over the scenario; returns every practice change announced, in order. */
function run(world: World): Array<NonNullable<Decision["practice"]>> {
  const shared: Shared = { current: { primary: 90, failover: 10 }, memory: undefined, version: 0 };
  const rounds = world.deciders.flatMap((d, c) =>
    Array.from({ length: SECONDS / 10 }, (_, k) => ({
      c,
      readMs: (k * 10 + d.offset) * 1000,
      writeMs: (k * 10 + d.offset) * 1000 + d.writeMs,
    })),
  );
  // Reads and writes in time order; a write whose read is older than the last write re-reads and decides again.
  const steps = rounds.flatMap((r) => [
    { kind: "read" as const, ms: r.readMs, round: r },
    { kind: "write" as const, ms: r.writeMs, round: r },
  ]);
  steps.sort((a, b) => a.ms - b.ms || (a.kind === "write" ? -1 : 1));
  const pending = new Map<object, { decision: Decision; version: number }>();
  const announced: Array<NonNullable<Decision["practice"]>> = [];
  for (const step of steps) {
    const t = Math.floor(step.round.readMs / 1000);
    if (step.kind === "read") {
      pending.set(step.round, { decision: decideAt(world, step.round.c, t, shared), version: shared.version });
      continue;
    }
    let read = pending.get(step.round);
    if (read === undefined) continue;
    if (read.version !== shared.version)
      read = { decision: decideAt(world, step.round.c, Math.floor(step.ms / 1000), shared), version: shared.version };
    const { decision } = read;
    if (!decision.changed && !decision.memoryChanged) continue;
    shared.current = decision.weights;
    shared.memory = decision.memory;
    shared.version++;
    if (decision.practice !== undefined) announced.push(decision.practice);
  }
  return announced;
}

describe("practice runs with two deciders", () => {
  it("starts each run once, announces each start and end once, and never resumes an ended run", () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        // Act
        const announced = run(world);
        // Assess: starts and ends alternate, one start per run id, one end per start
        const starts = announced.filter((c) => c.kind === "start").map((c) => c.run.id);
        const ends = announced.filter((c) => c.kind === "end").map((c) => c.run.id);
        expect(new Set(starts).size).toBe(starts.length);
        expect(new Set(ends).size).toBe(ends.length);
        let open: string | undefined;
        for (const change of announced) {
          if (change.kind === "start") {
            expect(open).toBeUndefined();
            open = change.run.id;
          } else if (change.kind === "end") {
            expect(change.run.id).toBe(open);
            open = undefined;
          }
        }
        // One scheduled run per day slot; every run ends within the scenario (5 min runs, 20 min scenario)
        expect(announced.filter((c) => c.kind === "start" && c.run.by === "schedule").length).toBeLessThanOrEqual(1);
        expect(open).toBeUndefined();
        // A skip for one reason is told once
        const skips = announced.flatMap((c) => (c.kind === "skip" ? [c.reason] : []));
        expect(new Set(skips).size).toBe(skips.length);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it("ends a run FAILED exactly once when the outcome alarm fires during it, whichever decider sees it first", () => {
    fc.assert(
      fc.property(worldArb, fc.integer({ min: 30, max: 200 }), (world, outcomeAt) => {
        // Act: no other event gets in the way
        const announced = run({ ...world, outcomeAt, blockingAt: undefined, outageAt: undefined, leaseAt: undefined });
        // Assess
        const ends = announced.filter((c) => c.kind === "end");
        expect(ends).toHaveLength(1);
        expect(ends[0]).toMatchObject({ outcome: "FAILED" });
        const lags = world.deciders.map((d) => d.alarmLag + 10 + d.writeMs / 1000);
        expect((ends[0]?.kind === "end" ? ends[0].at : 0) - T0).toBeLessThanOrEqual(outcomeAt + Math.max(...lags));
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
