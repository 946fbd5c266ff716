import fc from "fast-check";
import { SIGNAL_STALE_SECONDS } from "../../../../functions/lib/dataplane/signal-union.ts";
import { describe, expect, it } from "vitest";
import { runTimed } from "../../../../offline/replay/timed.ts";
import type { TimelineEntry } from "../../../../offline/replay/timeline.ts";
import { parseScenario, type Scenario } from "../../../../offline/scenario.ts";

/**
 * Two deciders are one mind, checked on the replay of the deployed round
 * (offline/replay/timed.ts: both control regions' deciders, each invoked on
 * its own second with jitter, each reading the votes after its own sampled
 * CloudWatch delay). Each run is one hard outage of one target (connections
 * refused or every answer 503) at a random second, with probe loss, the
 * Route 53 API down at random times and, in some runs, one control region
 * blind throughout (the other decider alone) or lost for a while (decider,
 * signal store and endpoint), and one region's signal store refusing writes
 * for a while. The oracle is the scenario's
 * own fault schedule and the config's rules, never the decider's outputs.
 */

const RECOVER = 180;
const RAMP_STEPS = 3; // 10% → 25% → 50% → 100%: three held steps of rampStepSeconds after the first
const RAMP_STEP = 60;
/** Detection with either decider alone: from the outage's start to the drain decision (noise-sweep worst is 17.1 s). */
const DETECT_BOUND = 30;
/** From a drain decision to DNS answers (the data-plane path's modelled worst case is 18 s; the records path 0 s). */
const DNS_BOUND = 30;
/** From the decision to serve to DNS answers: a stale document's expiry, a decider's round, and the checks' delay. */
const CLEAR_BOUND = SIGNAL_STALE_SECONDS + 10 + 18;

interface Run {
  seed: number;
  target: "primary" | "failover";
  kind: "down" | "503";
  start: number;
  length: number;
  loss: number;
  /** Route 53 API outage, scenario seconds (start, length), or none. */
  apiDown: [number, number] | undefined;
  /** Index of the control region whose decider is blind throughout, or none. */
  blind: 0 | 1 | undefined;
  /** A control region lost whole (decider, signal store and endpoint, CloudWatch): index, start, length. */
  lost: [0 | 1, number, number] | undefined;
  /** A control region whose signal store refuses writes: index, start, length. */
  storeDown: [0 | 1, number, number] | undefined;
  readableMedianMs: number;
  jitterMs: number;
}

function regionOutageArb(): fc.Arbitrary<[0 | 1, number, number]> {
  return fc.tuple(
    fc.constantFrom(0 as const, 1 as const),
    fc.integer({ min: 0, max: 1000 }),
    fc.integer({ min: 30, max: 900 }),
  );
}

const runArb: fc.Arbitrary<Run> = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  target: fc.constantFrom("primary" as const, "failover" as const),
  kind: fc.constantFrom("down" as const, "503" as const),
  start: fc.integer({ min: 240, max: 420 }),
  length: fc.integer({ min: 60, max: 600 }),
  loss: fc.constantFrom(0, 0.01, 0.02),
  apiDown: fc.option(fc.tuple(fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 30, max: 600 })), {
    nil: undefined,
  }),
  blind: fc.option(fc.constantFrom(0 as const, 1 as const), { nil: undefined, freq: 3 }),
  lost: fc.option(regionOutageArb(), { nil: undefined, freq: 3 }),
  storeDown: fc.option(regionOutageArb(), { nil: undefined, freq: 3 }),
  readableMedianMs: fc.integer({ min: 200, max: 3000 }),
  jitterMs: fc.integer({ min: 0, max: 3000 }),
});

function scenarioOf(run: Run): Scenario {
  const end = run.start + run.length;
  const outage =
    run.kind === "down"
      ? { start: run.start, end, target: run.target, kind: "down" }
      : { start: run.start, end, target: run.target, kind: "status", status: 503, ratio: 1 };
  const faults: unknown[] = [outage];
  if (run.loss > 0) faults.push({ start: 0, end: end + 900, kind: "loss", ratio: run.loss });
  if (run.apiDown)
    faults.push({ start: run.apiDown[0], end: run.apiDown[0] + run.apiDown[1], kind: "route53-api-down" });
  const controlRegions = ["us-east-1", "us-west-2"];
  // One control region at a time is lost or blind: with both, no decider is left (a different property).
  if (run.blind !== undefined)
    faults.push({ start: 0, end: end + 900, kind: "votes-down", region: controlRegions[run.blind] });
  else if (run.lost)
    faults.push({
      start: run.lost[1],
      end: run.lost[1] + run.lost[2],
      kind: "control-region-down",
      region: controlRegions[run.lost[0]],
    });
  if (run.storeDown)
    faults.push({
      start: run.storeDown[1],
      end: run.storeDown[1] + run.storeDown[2],
      kind: "signal-store-down",
      region: controlRegions[run.storeDown[0]],
    });
  const invocation = { jitterMs: run.jitterMs };
  return parseScenario({
    name: "two-deciders",
    // Long enough to fail back after the outage and after the API returns: recovery, the ramp, and slack.
    durationSeconds:
      Math.max(end, (run.apiDown?.[0] ?? 0) + (run.apiDown?.[1] ?? 0)) + RECOVER + RAMP_STEPS * RAMP_STEP + 240,
    seed: run.seed,
    faults,
    config: { controlRegions, policy: { recoverAfterSeconds: RECOVER, rampStepSeconds: RAMP_STEP } },
    timing: {
      readableDelay: { medianMs: run.readableMedianMs, p99Ms: run.readableMedianMs * 4, maxMs: 15000 },
      probeInvocation: invocation,
      deciderInvocation: invocation,
    },
  });
}

/** What happened to one target in a timeline: its drains (weight > 0 → 0) and failbacks (0 → > 0). */
function movesOf(timeline: readonly TimelineEntry[], target: string) {
  const drains: TimelineEntry[] = [];
  const failbacks: TimelineEntry[] = [];
  for (let i = 1; i < timeline.length; i++) {
    const before = timeline[i - 1]?.weights[target] ?? 0;
    const entry = timeline[i];
    if (entry === undefined) continue;
    const after = entry.weights[target] ?? 0;
    if (before > 0 && after === 0) drains.push(entry);
    if (before === 0 && after > 0) failbacks.push(entry);
  }
  return { drains, failbacks };
}

const decided = (entry: TimelineEntry) => entry.decidedAt ?? entry.at;

/** Counts what the runs exercised, so the properties fail when they were never put to the test. */
const seen = { runs: 0, drains: 0, failbacks: 0, apiDownDrains: 0, blindRuns: 0, regionFaults: 0 };

describe("two deciders, one mind (replay, seeded)", () => {
  it("one outage gives one drain, detected with either decider alone, never ramped back within the recovery time, and one failback", () => {
    fc.assert(
      fc.property(runArb, (run) => {
        const scenario = scenarioOf(run);
        const timeline = runTimed(scenario);
        const { drains, failbacks } = movesOf(timeline, run.target);
        seen.runs++;
        if (run.blind !== undefined) seen.blindRuns++;

        // Never all zero: some target always takes traffic.
        for (const entry of timeline) expect(Object.values(entry.weights).some((w) => w > 0)).toBe(true);
        // One outage, one drain.
        expect(drains).toHaveLength(1);
        const drain = drains[0] as TimelineEntry;
        seen.drains++;
        if (drain.path === "data-plane") seen.apiDownDrains++;
        expect(decided(drain) - run.start).toBeGreaterThanOrEqual(0);
        expect(decided(drain) - run.start).toBeLessThanOrEqual(DETECT_BOUND);
        expect(drain.at - decided(drain)).toBeLessThanOrEqual(DNS_BOUND);
        // One failback, after the outage and the full recovery time since the drain.
        expect(failbacks).toHaveLength(1);
        const failback = failbacks[0] as TimelineEntry;
        seen.failbacks++;
        expect(decided(failback)).toBeGreaterThanOrEqual(decided(drain) + RECOVER);
        expect(decided(failback)).toBeGreaterThanOrEqual(run.start + run.length + RECOVER - 10);
        // The drain signal clears within a bound of the decision to serve: a store that cannot be written keeps
        // its document until it is stale; then the checks take their delay.
        expect(failback.at - decided(failback)).toBeLessThanOrEqual(CLEAR_BOUND);
        if (run.storeDown || run.lost) seen.regionFaults++;
        // Back to normal weights by the end.
        const normal = Object.fromEntries(scenario.resolvedConfig.targets.map((t) => [t.id, t.weight]));
        expect(timeline.at(-1)?.weights).toEqual(normal);
      }),
      { seed: 18, numRuns: 600 },
    );
    expect(seen.drains).toBe(seen.runs);
    expect(seen.apiDownDrains).toBeGreaterThan(seen.runs / 20);
    expect(seen.blindRuns).toBeGreaterThan(seen.runs / 10);
    expect(seen.regionFaults).toBeGreaterThan(seen.runs / 4);
  }, 120_000);
});
