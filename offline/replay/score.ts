import type { FailoverConfig } from "../../functions/lib/config.ts";
import type { Fault, ScenarioExpect } from "../scenario.ts";
import type { Weights } from "../../functions/lib/types.ts";
import type { PracticeRecord } from "../../functions/lib/policy/practice-record.ts";
import { outageEpisodes, type Interval } from "./faults.ts";

/** Drains more than this long after an outage began are not blamed on it. @see ReplaySummary.falseSwitches */
export const FALSE_SWITCH_LOOKBACK_SECONDS = 120;
/** Undrained outage episodes this long or longer are missed. */
export const MISSED_OUTAGE_SECONDS = 60;

/** One expectation of the scenario, checked. */
export interface ExpectationResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** The `--json` object of `failover replay`, also the score of a drill run. */
export interface ReplaySummary {
  scenario: string;
  policy: string;
  /** Times the policy took a target's weight from above 0 to 0 (on-call's changes are {@link onCallChanges}). */
  failovers: number;
  /** Times the policy took a target's weight from 0 to above 0. */
  failbacks: number;
  /**
   * Changes on-call made by hand (an override lease taken or released), each counted once however many DNS
   * changes it took. Intended, so never a failover, failback, detection or false switch. The replay does not
   * model people: 0 there.
   */
  onCallChanges: number;
  /** Times the weights changed at all. */
  weightChanges: number;
  /** Outage episodes of any target. */
  outageEpisodes: number;
  /** Per episode that began while its target had weight and ended in a drain: seconds from its start to the drain. */
  detectSeconds: number[];
  /** Episodes of 60 s or more (not counting time every target was down) that began while their target had weight and saw no drain. */
  missedOutages: number;
  /** The policy's drains of a target with no outage episode of it overlapping the 120 s before. */
  falseSwitches: number;
  /** Failed / total client requests. */
  clientErrorRate: number;
  /**
   * Practice runs (and skipped tries) with their outcomes and measured times: exercises, so their drains and
   * restores are never failovers, failbacks or false switches. @default [] (a policy that runs none)
   */
  practiceRuns: PracticeRecord[];
  finalWeights: Weights;
  expectations: ExpectationResult[];
  ok: boolean;
}

/** Everything needed to score one run, replayed or real (the drill). */
export interface ScoreInput {
  /** Scenario name, its faults and expectations. */
  scenario: { name: string; faults: readonly Fault[]; expect: ScenarioExpect };
  /** The resolved config the run used (targets, vantages, quorum, probe limits). */
  config: FailoverConfig;
  /** Policy name, as reported. */
  policy: string;
  /**
   * Weights over time in scenario seconds, oldest first; the first entry is
   * the starting weights (at 0). An entry only when the weights changed is
   * enough; repeats are harmless. `onCall`: the id of on-call's change (its
   * lease or audit entry) that made this one, when on-call made it.
   */
  weightTimeline: ReadonlyArray<{
    at: number;
    weights: Weights;
    decidedAt?: number;
    onCall?: string | undefined;
    practice?: string | undefined;
  }>;
  /** The practice runs' records. @default [] */
  practice?: PracticeRecord[];
  /** Client requests of the run (counts, or expected counts). */
  clientRequests: { total: number; failed: number };
  /** Seconds after an episode's end a drain still counts as ending it (the decision after its last round). @default config.probe.intervalSeconds */
  drainGraceSeconds?: number;
}

/**
 * Scores a run against its scenario: switches and detection from the weight
 * timeline, outage episodes from the faults, client errors from the counts,
 * and each expectation of the scenario.
 */
export function scoreRun(input: ScoreInput): ReplaySummary {
  const { config, scenario } = input;
  const ids = config.targets.map((target) => target.id);
  const grace = input.drainGraceSeconds ?? config.probe.intervalSeconds;
  const timeline = [...input.weightTimeline].sort((a, b) => a.at - b.at);

  const drains: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, []]));
  const onCall = new Set<string>();
  let failbacks = 0;
  let weightChanges = 0;
  for (let i = 1; i < timeline.length; i++) {
    const before = timeline[i - 1]?.weights ?? {};
    const entry = timeline[i];
    if (entry === undefined) continue;
    if (ids.some((id) => (before[id] ?? 0) !== (entry.weights[id] ?? 0))) weightChanges++;
    // On-call meant it: neither the policy's failover nor a false switch.
    if (entry.onCall !== undefined) {
      onCall.add(entry.onCall);
      continue;
    }
    // A practice run's drain or restore is an exercise, counted in practiceRuns.
    if (entry.practice !== undefined) continue;
    for (const id of ids) {
      // Detection counts to the decision; the change reaches DNS at `at` (later on the data-plane path).
      if ((before[id] ?? 0) > 0 && (entry.weights[id] ?? 0) === 0) drains[id]?.push(entry.decidedAt ?? entry.at);
      if ((before[id] ?? 0) === 0 && (entry.weights[id] ?? 0) > 0) failbacks++;
    }
  }
  const weightAt = (id: string, at: number) =>
    timeline.filter((entry) => entry.at <= at).at(-1)?.weights[id] ?? timeline[0]?.weights[id] ?? 0;

  const episodes = Object.fromEntries(ids.map((id) => [id, outageEpisodes(config, scenario.faults, id)]));
  const allDown = intersectAll(ids.map((id) => episodes[id] ?? []));
  const detectSeconds: number[] = [];
  let missedOutages = 0;
  for (const id of ids) {
    for (const episode of episodes[id] ?? []) {
      if (weightAt(id, episode.start) === 0) continue;
      const drain = (drains[id] ?? []).find((at) => at >= episode.start && at <= episode.end + grace);
      if (drain !== undefined) detectSeconds.push(Math.round((drain - episode.start) * 10) / 10);
      else if (episode.end - episode.start - overlap(episode, allDown) >= MISSED_OUTAGE_SECONDS) missedOutages++;
    }
  }
  const falseSwitches = ids.reduce(
    (count, id) =>
      count +
      (drains[id] ?? []).filter(
        (at) => !(episodes[id] ?? []).some((e) => e.start <= at && e.end >= at - FALSE_SWITCH_LOOKBACK_SECONDS),
      ).length,
    0,
  );
  const failovers = Object.values(drains).reduce((sum, list) => sum + list.length, 0);
  const clientErrorRate = input.clientRequests.total > 0 ? input.clientRequests.failed / input.clientRequests.total : 0;
  const last = timeline.at(-1)?.weights ?? {};
  const finalWeights = Object.fromEntries(ids.map((id) => [id, last[id] ?? 0]));

  const practiceRuns = input.practice ?? [];
  const summary = {
    failovers,
    detectSeconds,
    missedOutages,
    falseSwitches,
    clientErrorRate,
    finalWeights,
    practiceRuns,
  };
  const expectations = checkExpectations(scenario.expect, summary);
  return {
    scenario: scenario.name,
    policy: input.policy,
    failovers,
    failbacks,
    onCallChanges: onCall.size,
    weightChanges,
    outageEpisodes: Object.values(episodes).reduce((sum, list) => sum + list.length, 0),
    detectSeconds,
    missedOutages,
    falseSwitches,
    clientErrorRate,
    practiceRuns,
    finalWeights,
    expectations,
    ok: expectations.every((e) => e.ok),
  };
}

/**
 * Checks each expectation the scenario lists, in a fixed order. A false
 * switch or a missed outage fails the run unless the scenario allows some
 * (`maxFalseSwitches`, `maxMissedOutages` default to 0), so a verdict never
 * passes beside a figure that contradicts it.
 */
export function checkExpectations(
  expect: ScenarioExpect,
  run: Pick<
    ReplaySummary,
    "failovers" | "detectSeconds" | "missedOutages" | "falseSwitches" | "clientErrorRate" | "finalWeights"
  > &
    Partial<Pick<ReplaySummary, "practiceRuns">>,
): ExpectationResult[] {
  const results: ExpectationResult[] = [];
  const atMost = (name: string, value: number, max: number | undefined, what: string) => {
    if (max !== undefined) results.push({ name, ok: value <= max, detail: `${what} (at most ${max})` });
  };
  atMost("maxFailovers", run.failovers, expect.maxFailovers, `${run.failovers} failover(s)`);
  if (expect.maxDetectSeconds !== undefined) {
    const worst = Math.max(0, ...run.detectSeconds);
    const detail =
      run.detectSeconds.length === 0
        ? "no outage was detected by a drain"
        : `slowest detection ${worst} s of [${run.detectSeconds.join(", ")}]`;
    results.push({
      name: "maxDetectSeconds",
      ok: worst <= expect.maxDetectSeconds,
      detail: `${detail} (at most ${expect.maxDetectSeconds} s)`,
    });
  }
  const unlessAllowed = (name: string, value: number, max: number | undefined, what: string) => {
    if (max !== undefined) atMost(name, value, max, what);
    else results.push({ name, ok: value === 0, detail: `${what} (at most 0: the scenario allows none)` });
  };
  unlessAllowed(
    "maxFalseSwitches",
    run.falseSwitches,
    expect.maxFalseSwitches,
    `${run.falseSwitches} false switch(es)`,
  );
  unlessAllowed(
    "maxMissedOutages",
    run.missedOutages,
    expect.maxMissedOutages,
    `${run.missedOutages} missed outage(s)`,
  );
  if (expect.finalWeights !== undefined) {
    const wanted = expect.finalWeights;
    const ok = Object.entries(wanted).every(([id, weight]) => run.finalWeights[id] === weight);
    results.push({
      name: "finalWeights",
      ok,
      detail: `final ${JSON.stringify(run.finalWeights)} (expected ${JSON.stringify(wanted)})`,
    });
  }
  if (expect.maxClientErrorRate !== undefined) {
    results.push({
      name: "maxClientErrorRate",
      ok: run.clientErrorRate <= expect.maxClientErrorRate,
      detail: `client error rate ${formatRate(run.clientErrorRate)} (at most ${formatRate(expect.maxClientErrorRate)})`,
    });
  }
  if (expect.practiceOutcomes !== undefined) {
    const outcomes = (run.practiceRuns ?? []).filter((r) => r.outcome !== "SKIPPED").map((r) => r.outcome);
    results.push({
      name: "practiceOutcomes",
      ok: outcomes.join() === expect.practiceOutcomes.join(),
      detail: `practice runs ${outcomes.join(", ") || "none"} (expected ${expect.practiceOutcomes.join(", ") || "none"})`,
    });
  }
  return results;
}

/** Detection for a verdict line: `20, 10 s`; `none` when outages went undetected; `none (no outage)`. */
export function formatDetection(summary: Pick<ReplaySummary, "detectSeconds" | "outageEpisodes">): string {
  if (summary.detectSeconds.length > 0) return `${summary.detectSeconds.join(", ")} s`;
  return summary.outageEpisodes > 0 ? "none" : "none (no outage)";
}

/** `1.23%` */
export function formatRate(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

function intersectAll(lists: Interval[][]): Interval[] {
  return lists.reduce((acc, list) =>
    acc.flatMap((a) =>
      list
        .map((b) => ({ start: Math.max(a.start, b.start), end: Math.min(a.end, b.end) }))
        .filter((i) => i.end > i.start),
    ),
  );
}

function overlap(episode: Interval, intervals: Interval[]): number {
  return intervals.reduce(
    (sum, i) => sum + Math.max(0, Math.min(episode.end, i.end) - Math.max(episode.start, i.start)),
    0,
  );
}
