import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FailoverConfig } from "../../../functions/lib/config.ts";
import type { ProbeRound } from "../../../functions/lib/types.ts";
import { windowSeconds } from "../../../functions/lib/policy/decide.ts";
import { normalWeights } from "../../../functions/lib/policy/weights.ts";
import {
  downRun,
  lastDownRound,
  modeOf,
  oracleRound,
  oracleSeries,
  roundsToDrain,
  upSinceDrain,
  type Mode,
  type OracleRound,
} from "./oracle.ts";
import { propertyRuns } from "../../support/property-runs.ts";
import { outageRunArb, runOutage, type OutageRun, type RunStep } from "./outages.ts";

/** One target at one step: its mode before and after, the oracle's view of its rounds, and what the run did to it. */
interface TargetStep {
  config: FailoverConfig;
  step: RunStep;
  id: string;
  before: { mode: Mode; step?: number };
  after: { mode: Mode; step?: number };
  /** Every round so far, oldest first. */
  series: OracleRound[];
  /** The latest round in the decider's window (undefined: none, no verdict). */
  latest: OracleRound | undefined;
  /** When the target was last drained or held (applied steps only). */
  drainedAt: number;
  /** When its current ramp step began. */
  stepSince: number;
  /** Times of its drains, applied, before this step. */
  drains: number[];
  /** This step's round was published and read (not skipped, not a lagging view): the decider reads every round the rule needs. */
  fresh: boolean;
  /** The oracle's latest health of every other target that is in service before this step. */
  othersInServiceUp: boolean;
}

/** Walks a generated run, handing `check` every target at every step. */
function judge(run: OutageRun, check: (t: TargetStep) => void): void {
  const { config } = run;
  const ids = config.targets.map((target) => target.id);
  const drainedAt: Record<string, number> = {};
  const stepSince: Record<string, number> = {};
  const drains: Record<string, number[]> = {};
  // Each round is recounted once; a lagging decider is judged on the rounds it read.
  const recounted = new Map<ProbeRound, Record<string, OracleRound>>();
  const recount = (round: ProbeRound) => {
    let verdicts = recounted.get(round);
    if (verdicts === undefined) {
      verdicts = Object.fromEntries(ids.map((id) => [id, oracleRound(config, round, id)]));
      recounted.set(round, verdicts);
    }
    return verdicts;
  };
  for (const step of stepsOf(run)) {
    const rounds = step.rounds.map(recount);
    const series = Object.fromEntries(ids.map((id) => [id, rounds.map((round) => round[id] as OracleRound)]));
    const latest = (id: string) => latestIn(series[id] ?? [], config, step.now);
    for (const id of ids) {
      const before = modeOf(step.prior, id);
      const after = modeOf(step.decision.memory, id);
      const othersInServiceUp = ids.some(
        (other) => other !== id && modeOf(step.prior, other).mode === "in-service" && latest(other)?.health === "up",
      );
      check({
        config,
        step,
        id,
        before,
        after,
        series: series[id] ?? [],
        latest: latest(id),
        drainedAt: drainedAt[id] ?? Number.NEGATIVE_INFINITY,
        stepSince: stepSince[id] ?? Number.NEGATIVE_INFINITY,
        drains: drains[id] ?? [],
        fresh: step.rounds.at(-1)?.at === step.now - config.probe.intervalSeconds,
        othersInServiceUp,
      });
      if (!step.applied) continue;
      const drainedNow = isOut(after.mode) && !isOut(before.mode);
      if (drainedNow) {
        drainedAt[id] = step.now;
        drains[id] = [...(drains[id] ?? []), step.now];
      }
      if (after.mode === "ramp" && (before.mode !== "ramp" || before.step !== after.step)) stepSince[id] = step.now;
    }
  }
}

const isOut = (mode: Mode) => mode === "drained" || mode === "held";

/** The latest round the decider can see: rounds older than the window it reads do not count. */
function latestIn(series: readonly OracleRound[], config: FailoverConfig, now: number): OracleRound | undefined {
  const latest = series.at(-1);
  return latest !== undefined && latest.at > now - windowSeconds(config) ? latest : undefined;
}

/** Runs `check` over `numRuns` generated outages; returns how many target-steps it judged (it counts them itself). */
function property(numRuns: number, check: (t: TargetStep) => boolean): number {
  let judged = 0;
  fc.assert(
    fc.property(outageRunArb, (run) => {
      judge(run, (t) => {
        if (check(t)) judged++;
      });
    }),
    { numRuns, seed: SEED },
  );
  return judged;
}

const RUNS = propertyRuns(250);

// Every property walks the same generated runs (one seed per test run, printed by fast-check when a
// property fails), so each run is decided once and judged by every rule.
const SEED = fc.readConfigureGlobal().seed ?? Math.floor(Math.random() * 2 ** 31);
const decided = new Map<string, RunStep[]>();
function stepsOf(run: OutageRun): RunStep[] {
  const key = JSON.stringify(run);
  let steps = decided.get(key);
  if (steps === undefined) {
    steps = runOutage(run);
    decided.set(key, steps);
  }
  return steps;
}

describe("policy against its own oracle (outage-shaped property tests)", { timeout: 60_000 }, () => {
  it("recounts every verdict from the votes: up, down and silent vantages, the quorum, unanimity", () => {
    const judged = property(RUNS, ({ step, id, latest }) => {
      const verdict = step.decision.verdicts[id];
      if (latest === undefined || verdict === undefined || latest.at !== verdict.at) return false;
      expect(verdict.upVotes).toEqual(latest.up);
      expect(verdict.downVotes).toEqual(latest.down);
      expect(verdict.silent).toEqual(latest.silent);
      expect(verdict.health).toBe(latest.health);
      expect(verdict.unanimous).toBe(latest.health === "down" && latest.unanimous);
      return true;
    });
    expect(judged).toBeGreaterThan(RUNS * 4);
  });

  it("drains only after drainAfterRounds down rounds in a row, one more when the latest is not unanimous", () => {
    let confirmed = 0;
    const judged = property(RUNS, ({ config, step, before, after, series, latest }) => {
      if (before.mode !== "in-service" || !isOut(after.mode)) return false;
      expect(latest?.health).toBe("down");
      if (latest === undefined) return true;
      expect(downRun(series, config.probe.intervalSeconds)).toBeGreaterThanOrEqual(roundsToDrain(config, latest));
      if (!latest.unanimous) confirmed++;
      return step.applied;
    });
    expect(judged).toBeGreaterThan(RUNS / 2);
    expect(
      confirmed,
      "no drain on a split or incomplete vote: the confirmation round was never exercised",
    ).toBeGreaterThan(RUNS / 25);
  });

  it("drains a target once its down rounds are confirmed, when another target in service is up", () => {
    const judged = property(RUNS, ({ config, before, after, series, latest, fresh, othersInServiceUp }) => {
      if (before.mode !== "in-service" || latest?.health !== "down" || !othersInServiceUp || !fresh) return false;
      if (downRun(series, config.probe.intervalSeconds) < roundsToDrain(config, latest)) return false;
      expect(isOut(after.mode)).toBe(true);
      return true;
    });
    expect(judged).toBeGreaterThan(RUNS / 2);
  });

  it("holds a target drained exactly when its drains in the flap window reach maxDrains", () => {
    let holds = 0;
    const judged = property(RUNS, ({ config, step, before, after, drains }) => {
      if (isOut(before.mode) || !isOut(after.mode)) return false;
      const { maxDrains, windowSeconds } = config.policy.flapBudget;
      const recent = drains.filter((at) => at > step.now - windowSeconds).length + 1;
      expect(after.mode).toBe(recent >= maxDrains ? "held" : "drained");
      if (after.mode === "held") holds++;
      return true;
    });
    expect(judged).toBeGreaterThan(RUNS / 2);
    expect(holds, "no target was held: the flap budget was never spent").toBeGreaterThan(RUNS / 10);
  });

  it("never ramps back before recoverAfterSeconds of continuous up since the drain", () => {
    const judged = property(RUNS, ({ config, step, before, after, series, drainedAt }) => {
      if (before.mode !== "drained" || after.mode === "drained") return false;
      expect(upSinceDrain(series, drainedAt, step.now)).toBeGreaterThanOrEqual(config.policy.recoverAfterSeconds);
      return true;
    });
    expect(judged, "no target ramped back: recovery was never exercised").toBeGreaterThan(RUNS / 4);
  });

  it("starts the ramp once a drained target has been up for recoverAfterSeconds", () => {
    const judged = property(RUNS, ({ config, step, before, after, series, drainedAt }) => {
      if (before.mode !== "drained" || !wholeStretchUp(series, config, step.now, drainedAt)) return false;
      const percents = config.policy.rampPercents;
      expect(after).toEqual(percents.length === 1 ? { mode: "in-service" } : { mode: "ramp", step: 0 });
      return true;
    });
    expect(judged).toBeGreaterThan(RUNS / 4);
  });

  it("holds each ramp step rampStepSeconds while up, then moves to the next", () => {
    const judged = property(RUNS, ({ config, step, before, after, latest, fresh, stepSince }) => {
      if (before.mode !== "ramp" || latest?.health !== "up" || !fresh) return false;
      const { rampPercents, rampStepSeconds } = config.policy;
      const next = (before.step ?? 0) + 1;
      const due = step.now - stepSince >= rampStepSeconds;
      const moved = next === rampPercents.length - 1 ? { mode: "in-service" } : { mode: "ramp", step: next };
      expect(after).toEqual(due ? moved : before);
      return true;
    });
    expect(judged).toBeGreaterThan(RUNS / 2);
  });

  it("drains again on one down round during the ramp, when another target in service is up", () => {
    const judged = property(RUNS, ({ before, after, latest, fresh, othersInServiceUp }) => {
      if (before.mode !== "ramp" || latest?.health !== "down" || !othersInServiceUp || !fresh) return false;
      expect(isOut(after.mode)).toBe(true);
      return true;
    });
    expect(judged).toBeGreaterThanOrEqual(Math.floor(RUNS / 25));
  });

  it("fails open to the normal weights when every target is down and none can stay in service", () => {
    let judged = 0;
    fc.assert(
      fc.property(outageRunArb, (run) => {
        const { config } = run;
        for (const step of stepsOf(run)) {
          const everyOut = config.targets.every(({ id }) => {
            const series = oracleSeries(config, step.rounds, id);
            const latest = latestIn(series, config, step.now);
            if (latest?.health !== "down") return false;
            const due = downRun(series, config.probe.intervalSeconds) >= roundsToDrain(config, latest);
            return isOut(modeOf(step.prior, id).mode) || due;
          });
          const fresh = step.rounds.at(-1)?.at === step.now - config.probe.intervalSeconds;
          if (!everyOut || !fresh) continue;
          judged++;
          expect(step.decision.weights).toEqual(normalWeights(config.targets));
          expect(step.decision.allDown).toBe(true);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(judged, "no step had every target down: fail-open was never exercised").toBeGreaterThan(RUNS / 10);
  });

  it("moves no traffic when the oracle has no verdict for any target", () => {
    let judged = 0;
    fc.assert(
      fc.property(outageRunArb, (run) => {
        const ids = run.config.targets.map((target) => target.id);
        for (const step of stepsOf(run)) {
          const latest = ids.map((id) => latestIn(oracleSeries(run.config, step.rounds, id), run.config, step.now));
          if (!latest.every((round) => round === undefined || round.health === "unknown")) continue;
          judged++;
          expect(step.decision.weights).toEqual(step.current);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(judged).toBeGreaterThan(RUNS / 10);
  });
});

/**
 * Every round from `recoverAfterSeconds` before `now` on is up (no gap, no
 * unknown), the last down round is before it, and so is the drain.
 */
function wholeStretchUp(series: OracleRound[], config: FailoverConfig, now: number, drainedAt: number): boolean {
  const { recoverAfterSeconds } = config.policy;
  const interval = config.probe.intervalSeconds;
  const start = series.filter((round) => round.at <= now - recoverAfterSeconds).length - 1;
  const from = series[start];
  if (from === undefined || from.at < drainedAt) return false;
  const stretch = series.slice(start);
  const lastDown = lastDownRound(series);
  return (
    stretch.every(
      (round, i) => round.health === "up" && (i === 0 || round.at - (stretch[i - 1]?.at ?? 0) <= interval),
    ) &&
    (lastDown === undefined || lastDown.at < from.at) &&
    now - (stretch.at(-1)?.at ?? 0) <= interval
  );
}
