import { parseScenario, type Scenario } from "../scenario.ts";
import { seededUniform } from "./random.ts";
import { replay, type PolicyName } from "./replay.ts";

/** Seconds in 100 simulated hours. */
const HUNDRED_HOURS = 360_000;

/** What one noise case did over its simulated hours, per policy. */
export interface NoiseResult {
  name: string;
  policy: PolicyName;
  hours: number;
  /** Drains with no outage of that target in the 120 s before (replay/score.ts), per 100 simulated hours. */
  falseSwitchesPer100h: number;
  /** Drains of any kind, per 100 simulated hours. */
  failoversPer100h: number;
}

/** Detection over outages starting at random seconds. */
export interface DetectionResult {
  policy: PolicyName;
  outages: number;
  detected: number;
  medianSeconds: number;
  p90Seconds: number;
  worstSeconds: number;
}

function scenarioOf(name: string, durationSeconds: number, faults: unknown[], seed: number, config = {}): Scenario {
  return parseScenario({ name, durationSeconds, seed, faults, config });
}

/**
 * Noise that must not move traffic, over `hours` simulated hours each:
 * eu-west-1 partitioned from the primary (its checks hang; clients are
 * fine) plus random probe loss everywhere; eu-west-1 silent plus loss; and
 * 15-second blips of the primary every ten minutes (real but short: counted
 * as drains, never as false switches). Realistic timing defaults.
 */
export function noiseCases(losses: readonly number[], hours = 100): Array<{ name: string; scenario: Scenario }> {
  const duration = Math.round(hours * 3600);
  const cases: Array<{ name: string; scenario: Scenario }> = [];
  for (const loss of losses) {
    const lossFault = { start: 0, end: duration, kind: "loss", ratio: loss };
    const pct = `${Math.round(loss * 100)}%`;
    cases.push({
      name: `partitioned vantage + ${pct} loss`,
      scenario: scenarioOf(
        `partition-${Math.round(loss * 100)}`,
        duration,
        [lossFault, { start: 0, end: duration, kind: "partition", target: "primary", vantages: ["eu-west-1"] }],
        101,
      ),
    });
    cases.push({
      name: `silent vantage + ${pct} loss`,
      scenario: scenarioOf(
        `silent-${Math.round(loss * 100)}`,
        duration,
        [lossFault, { start: 0, end: duration, kind: "vantage-down", vantages: ["eu-west-1"] }],
        202,
      ),
    });
  }
  const blips = [];
  for (let start = 300; start + 15 < duration; start += 600)
    blips.push({ start: start + Math.floor(seededUniform(303, start) * 10), kind: "down", target: "primary" });
  cases.push({
    name: "15 s blips every 10 min + 1% loss",
    scenario: scenarioOf(
      "blips-15s",
      duration,
      [{ start: 0, end: duration, kind: "loss", ratio: 0.01 }, ...blips.map((b) => ({ ...b, end: b.start + 15 }))],
      303,
      // Blips are real outages: the flap budget would hold the primary out after the third.
      { policy: { flapBudget: { maxDrains: 100, windowSeconds: 3600 } } },
    ),
  });
  return cases;
}

/** Replays a noise case under `policy`, scaled to 100 simulated hours. */
export function runNoise(name: string, scenario: Scenario, policy: PolicyName): NoiseResult {
  const { summary } = replay(scenario, policy);
  const scale = HUNDRED_HOURS / scenario.durationSeconds;
  return {
    name,
    policy,
    hours: scenario.durationSeconds / 3600,
    falseSwitchesPer100h: summary.falseSwitches * scale,
    failoversPer100h: summary.failovers * scale,
  };
}

/**
 * `count` primary outages (connections refused, two minutes each) starting
 * at random seconds (seeded), 25 minutes apart so each recovers and ramps
 * back, under 1% probe loss and the realistic timing defaults.
 */
export function detectionScenario(count: number, seed = 404): Scenario {
  const spacing = 1500;
  const faults: unknown[] = [{ start: 0, end: count * spacing + 600, kind: "loss", ratio: 0.01 }];
  for (let i = 0; i < count; i++) {
    const start = 300 + i * spacing + Math.floor(seededUniform(seed, i) * 60);
    faults.push({ start, end: start + 120, kind: "down", target: "primary" });
  }
  // Every outage here is real and separate: the flap budget (3 drains an hour) would hold the primary out after the third.
  return scenarioOf("random-phase-outages", count * spacing + 600, faults, seed, {
    policy: { flapBudget: { maxDrains: 100, windowSeconds: 3600 } },
  });
}

/** Detection percentiles of `policy` over {@link detectionScenario}. */
export function runDetection(scenario: Scenario, policy: PolicyName): DetectionResult {
  const { summary } = replay(scenario, policy);
  const sorted = [...summary.detectSeconds].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return {
    policy,
    outages: summary.outageEpisodes,
    detected: sorted.length,
    medianSeconds:
      sorted.length % 2 === 1 ? at(0.5) : ((sorted[sorted.length / 2 - 1] ?? 0) + (sorted[sorted.length / 2] ?? 0)) / 2,
    p90Seconds: at(0.9),
    worstSeconds: sorted.at(-1) ?? Number.NaN,
  };
}

/**
 * The two-decider sweep of issue 18: one 15-minute hard outage (connections
 * refused, or every answer 503) of the primary or the failover target,
 * starting at each second from 600 to 609, seeds 101-114, 1% probe loss,
 * default config (two control regions) and timing: 560 runs. Before
 * decisions only moved forward, about 15% of such runs drained, ramped back
 * a second later on the other decider's older window, and drained again.
 */
export function twoDeciderOutages(): Array<{ name: string; scenario: Scenario }> {
  const cases: Array<{ name: string; scenario: Scenario }> = [];
  for (let seed = 101; seed <= 114; seed++)
    for (const target of ["primary", "failover"])
      for (const kind of ["down", "503"])
        for (let start = 600; start <= 609; start++) {
          const outage =
            kind === "down"
              ? { start, end: start + 900, target, kind: "down" }
              : { start, end: start + 900, target, kind: "status", status: 503, ratio: 1 };
          const faults = [outage, { start: 0, end: 2400, kind: "loss", ratio: 0.01 }];
          cases.push({
            name: `${target} ${kind} at ${start} seed ${seed}`,
            scenario: scenarioOf("two-deciders", 2400, faults, seed),
          });
        }
  return cases;
}
