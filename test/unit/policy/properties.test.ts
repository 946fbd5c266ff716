import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FailoverConfig } from "../../../functions/lib/config.ts";
import { decide, leaseWeights, type Decision } from "../../../functions/lib/policy/decide.ts";
import type { PolicyMemory } from "../../../functions/lib/policy/memory.ts";
import type { OverrideLease } from "../../../functions/lib/lease.ts";
import type { ProbeRound, Weights } from "../../../functions/lib/types.ts";
import { propertyRuns } from "../../support/property-runs.ts";
import { generatedConfig, T0 } from "./helpers.ts";

/** A random valid config: 2-4 targets, 1-5 vantages, any quorum and timings. */
const configArb = fc
  .record({
    weights: fc
      .array(fc.integer({ min: 0, max: 255 }), { minLength: 2, maxLength: 4 })
      .filter((w) => w.some((x) => x > 0)),
    vantages: fc.integer({ min: 1, max: 5 }),
    minVantages: fc.integer({ min: 1, max: 5 }),
    quorum: fc.oneof(fc.constant("majority" as const), fc.integer({ min: 1, max: 5 })),
    drainAfterRounds: fc.integer({ min: 1, max: 3 }),
    recoverAfterSeconds: fc.integer({ min: 0, max: 40 }),
    rampStepSeconds: fc.integer({ min: 0, max: 30 }),
    maxDrains: fc.integer({ min: 1, max: 3 }),
  })
  .map((p) =>
    generatedConfig(p, {
      drainAfterRounds: p.drainAfterRounds,
      recoverAfterSeconds: p.recoverAfterSeconds,
      rampStepSeconds: p.rampStepSeconds,
      flapBudget: { maxDrains: p.maxDrains, windowSeconds: 3600 },
    }),
  );

/** A vote: passed, failed, or no vote. */
const voteArb = fc.constantFrom<boolean | undefined>(true, false, undefined, true, false);

/** Each round as a matrix [vantage][target] of votes; `silentRound` makes every vote missing. */
const roundsArb = fc.array(
  fc.record({
    votes: fc.array(fc.array(voteArb, { minLength: 4, maxLength: 4 }), { minLength: 5, maxLength: 5 }),
    silent: fc.boolean(),
  }),
  { minLength: 1, maxLength: 25 },
);

const leaseArb = fc.option(
  fc.record({
    action: fc.constantFrom<"promote" | "drain" | "pin">("promote", "drain", "pin"),
    target: fc.integer({ min: 0, max: 3 }),
    pin: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
    fromRound: fc.integer({ min: 0, max: 24 }),
    rounds: fc.integer({ min: 1, max: 10 }),
  }),
  { nil: undefined },
);

const startArb = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });

interface Step {
  decision: Decision;
  current: Weights;
  prior: PolicyMemory | undefined;
  lease: OverrideLease | undefined;
  now: number;
}

/** Runs the decider like the real one over generated rounds; returns every step. */
function run(
  config: FailoverConfig,
  spec: Array<{ votes: (boolean | undefined)[][]; silent: boolean }>,
  leaseSpec:
    | { action: "promote" | "drain" | "pin"; target: number; pin: number[]; fromRound: number; rounds: number }
    | undefined,
  start: number[],
): Step[] {
  const ids = config.targets.map((t) => t.id);
  const interval = config.probe.intervalSeconds;
  let current: Weights = Object.fromEntries(ids.map((id, i) => [id, start[i] ?? 0]));
  if (Object.values(current).every((w) => w === 0))
    current = Object.fromEntries(config.targets.map((t) => [t.id, t.weight]));
  let memory: PolicyMemory | undefined;
  const rounds: ProbeRound[] = [];
  const steps: Step[] = [];
  spec.forEach((r, k) => {
    const at = T0 + k * interval;
    const votes: ProbeRound["votes"] = {};
    if (!r.silent) {
      config.vantages.forEach((vantage, v) => {
        ids.forEach((id, t) => {
          const vote = r.votes[v]?.[t];
          if (vote === undefined) return;
          votes[vantage] ??= {};
          votes[vantage][id] = vote;
        });
      });
    }
    rounds.push({ at, votes });
    const now = at + interval;
    const lease: OverrideLease | undefined =
      leaseSpec === undefined
        ? undefined
        : {
            id: "l1",
            action: leaseSpec.action,
            target: ids[leaseSpec.target % ids.length],
            weights:
              leaseSpec.action === "pin"
                ? Object.fromEntries(ids.map((id, i) => [id, leaseSpec.pin[i] ?? 0]))
                : undefined,
            createdAt: T0 + leaseSpec.fromRound * interval,
            expiresAt: T0 + (leaseSpec.fromRound + leaseSpec.rounds) * interval,
          };
    const visible = lease !== undefined && now >= lease.createdAt ? lease : undefined;
    const decision = decide({ now, config, rounds, current, memory, lease: visible });
    steps.push({ decision, current, prior: memory, lease: visible, now });
    current = decision.weights;
    if (decision.memoryChanged) memory = decision.memory;
  });
  return steps;
}

const runs = fc.record({ config: configArb, rounds: roundsArb, lease: leaseArb, start: startArb });

describe("policy invariants (property tests)", () => {
  it("never outputs all-zero weights, and every weight is an integer from 0 to 255", () => {
    fc.assert(
      fc.property(runs, ({ config, rounds, lease, start }) => {
        for (const { decision } of run(config, rounds, lease, start)) {
          const values = config.targets.map((t) => decision.weights[t.id]);
          expect(values.every((w) => Number.isInteger(w) && (w ?? -1) >= 0 && (w ?? 256) <= 255)).toBe(true);
          expect(values.some((w) => (w ?? 0) > 0)).toBe(true);
        }
      }),
      { numRuns: propertyRuns(150) },
    );
  });

  it("an unexpired lease always wins", () => {
    let checked = 0;
    fc.assert(
      fc.property(runs, ({ config, rounds, lease, start }) => {
        for (const { decision, lease: visible, now } of run(config, rounds, lease, start)) {
          if (visible === undefined || now >= visible.expiresAt) continue;
          checked++;
          const normal = Object.fromEntries(config.targets.map((t) => [t.id, t.weight]));
          expect(decision.leaseActive).toBe(true);
          expect(decision.kind).toBe("override");
          expect(decision.weights).toEqual(leaseWeights(config, visible) ?? normal);
        }
      }),
      { numRuns: propertyRuns(150) },
    );
    expect(checked, "no generated step had an unexpired lease: the property was never exercised").toBeGreaterThan(0);
  });

  it("unknown never moves traffic: with no verdict for any target, the weights stay", () => {
    let checked = 0;
    fc.assert(
      fc.property(runs, ({ config, rounds, start }) => {
        for (const { decision, current, prior } of run(config, rounds, undefined, start)) {
          if (!Object.values(decision.verdicts).every((v) => v.health === "unknown") || prior?.lease !== undefined)
            continue;
          checked++;
          expect(decision.weights).toEqual(current);
          expect(decision.changed).toBe(false);
        }
      }),
      { numRuns: propertyRuns(150) },
    );
    expect(checked, "no generated step had every verdict unknown: the property was never exercised").toBeGreaterThan(0);
  });
});
