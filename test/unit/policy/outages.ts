import fc from "fast-check";
import type { FailoverConfig } from "../../../functions/lib/config.ts";
import { decide, type Decision } from "../../../functions/lib/policy/decide.ts";
import type { PolicyMemory } from "../../../functions/lib/policy/memory.ts";
import type { ProbeRound, Weights } from "../../../functions/lib/types.ts";
import { generatedConfig, T0 } from "./helpers.ts";

/**
 * Generated runs shaped like outages rather than coin flips: a target down
 * at all or all but one of the vantages for a few rounds (sometimes every
 * target at once), a vantage partitioned from one target, a vantage that
 * loses its votes, rounds that never happen, decisions whose write is lost
 * and a second decider with an older view. With these, drains, ramps, holds and fail-opens happen in most runs.
 */

/** One stretch of failed checks: `target` -1 is every target; `spare` vantages (0 or 1) still see it up. */
interface Outage {
  target: number;
  start: number;
  length: number;
  spare: number;
  /** First vantage of the `spare` ones, in config order (rotates which vantage disagrees). */
  offset: number;
}

/** A target that fails for `down` rounds and comes back for `up` rounds, `times` over: drains, ramps and holds. */
interface Flap {
  target: number;
  start: number;
  down: number;
  up: number;
  times: number;
}

/** A vantage that sees one target down (partition) or votes on nothing (loss), for a stretch of rounds. */
interface Stretch {
  vantage: number;
  target: number;
  start: number;
  length: number;
}

export interface OutageRun {
  config: FailoverConfig;
  rounds: number;
  outages: Outage[];
  flaps: Flap[];
  partitions: Stretch[];
  losses: Stretch[];
  /** Round indexes that never happen (a gap in the window). */
  skipped: number[];
  /** Step indexes whose decision is computed but never written (a lost compare-and-swap). */
  lost: number[];
  /**
   * Step indexes after which the other control region's decider, whose newest
   * round is not readable yet (an older view), decides on what the first wrote.
   */
  lagging: number[];
}

const configArb = fc
  .record({
    weights: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 2, maxLength: 3 }),
    vantages: fc.integer({ min: 3, max: 5 }),
    minVantages: fc.integer({ min: 1, max: 3 }),
    quorum: fc.oneof(
      { weight: 3, arbitrary: fc.constant("majority" as const) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) },
    ),
    drainAfterRounds: fc.integer({ min: 1, max: 3 }),
    recoverAfterSeconds: fc.constantFrom(0, 10, 25, 40, 60),
    rampPercents: fc.constantFrom([100], [50, 100], [20, 60, 100], [10, 25, 50, 100]),
    rampStepSeconds: fc.constantFrom(0, 10, 15, 30),
    maxDrains: fc.integer({ min: 1, max: 4 }),
  })
  .map((p) =>
    generatedConfig(
      p,
      {
        drainAfterRounds: p.drainAfterRounds,
        // Longer than any run: no vantage is ever set aside, so every vote counts (suspects have their own tests).
        suspectAfterRounds: 60,
        recoverAfterSeconds: p.recoverAfterSeconds,
        rampPercents: p.rampPercents,
        rampStepSeconds: p.rampStepSeconds,
        flapBudget: { maxDrains: p.maxDrains, windowSeconds: 3600 },
      },
      { intervalSeconds: 10 },
    ),
  );

const ROUNDS = 40;
const startArb = fc.integer({ min: 0, max: ROUNDS - 2 });
const stretch = (length: number) =>
  fc.record({
    vantage: fc.nat(4),
    target: fc.nat(2),
    start: startArb,
    length: fc.integer({ min: 1, max: length }),
  });

export const outageRunArb: fc.Arbitrary<OutageRun> = fc.record({
  config: configArb,
  rounds: fc.integer({ min: 20, max: ROUNDS }),
  outages: fc.array(
    fc.record({
      target: fc.oneof({ weight: 4, arbitrary: fc.nat(2) }, { weight: 1, arbitrary: fc.constant(-1) }),
      start: startArb,
      length: fc.integer({ min: 1, max: 10 }),
      spare: fc.constantFrom(0, 0, 1),
      offset: fc.nat(4),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  flaps: fc.array(
    fc.record({
      target: fc.nat(2),
      start: startArb,
      down: fc.integer({ min: 1, max: 3 }),
      up: fc.integer({ min: 2, max: 10 }),
      times: fc.integer({ min: 2, max: 4 }),
    }),
    { maxLength: 2 },
  ),
  partitions: fc.array(stretch(12), { maxLength: 2 }),
  losses: fc.array(stretch(4), { maxLength: 3 }),
  skipped: fc.array(fc.nat(ROUNDS - 1), { maxLength: 2 }),
  lost: fc.array(fc.nat(ROUNDS - 1), { maxLength: 2 }),
  lagging: fc.array(fc.nat(ROUNDS - 1), { maxLength: 6 }),
});

const covers = (s: { start: number; length: number }, k: number) => k >= s.start && k < s.start + s.length;

/** The vote of `vantage` (index) on `target` (index) in round `k`: undefined when it has none. */
export function voteOf(run: OutageRun, k: number, vantage: number, target: number): boolean | undefined {
  const vantages = run.config.vantages.length;
  if (run.losses.some((loss) => loss.vantage % vantages === vantage && covers(loss, k))) return undefined;
  const partitioned = run.partitions.some(
    (p) => p.vantage % vantages === vantage && p.target % run.config.targets.length === target && covers(p, k),
  );
  const flapping = run.flaps.some((flap) => {
    const into = k - flap.start;
    const period = flap.down + flap.up;
    return (
      flap.target % run.config.targets.length === target &&
      into >= 0 &&
      into < period * flap.times &&
      into % period < flap.down
    );
  });
  const failing =
    flapping ||
    run.outages.some((outage) => {
      if (!covers(outage, k)) return false;
      if (outage.target !== -1 && outage.target % run.config.targets.length !== target) return false;
      const spared = (((vantage - outage.offset) % vantages) + vantages) % vantages < outage.spare;
      return !spared;
    });
  return !(partitioned || failing);
}

/** Round `k` as the probes publish it. */
export function roundAt(run: OutageRun, k: number): ProbeRound {
  const interval = run.config.probe.intervalSeconds;
  const votes: ProbeRound["votes"] = {};
  run.config.vantages.forEach((vantage, v) => {
    run.config.targets.forEach((target, t) => {
      const vote = voteOf(run, k, v, t);
      if (vote === undefined) return;
      votes[vantage] ??= {};
      votes[vantage][target.id] = vote;
    });
  });
  return { at: T0 + k * interval, votes };
}

/** One decision of a run and what the decider was given. */
export interface RunStep {
  now: number;
  /** Every round published so far, oldest first. */
  rounds: ProbeRound[];
  /** Memory the decider read (undefined: none written yet). */
  prior: PolicyMemory | undefined;
  current: Weights;
  decision: Decision;
  /** False when the write was lost: weights and memory stay as they were. */
  applied: boolean;
}

/**
 * Runs the deciders a round at a time like the real ones (memory written
 * back only when changed); a lagging decider's decision is a step of its own.
 */
export function runOutage(run: OutageRun): RunStep[] {
  const { config } = run;
  const interval = config.probe.intervalSeconds;
  let current: Weights = Object.fromEntries(config.targets.map((t) => [t.id, t.weight]));
  let memory: PolicyMemory | undefined;
  const rounds: ProbeRound[] = [];
  const steps: RunStep[] = [];
  for (let k = 0; k < run.rounds; k++) {
    if (!run.skipped.includes(k)) rounds.push(roundAt(run, k));
    const now = T0 + (k + 1) * interval;
    const views = [rounds];
    if (run.lagging.includes(k) && rounds.at(-1)?.at === T0 + k * interval) views.push(rounds.slice(0, -1));
    views.forEach((view, i) => {
      const decision = decide({ now, config, rounds: [...view], current, memory, lease: undefined });
      const applied = i > 0 || !run.lost.includes(k);
      steps.push({ now, rounds: [...view], prior: memory, current, decision, applied });
      if (!applied) return;
      current = decision.weights;
      if (decision.memoryChanged) memory = decision.memory;
    });
  }
  return steps;
}
