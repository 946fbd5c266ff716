import type { FailoverConfig } from "../../functions/lib/config.ts";
import { splitWeights, normalWeights, sameWeights } from "../../functions/lib/policy/weights.ts";
import type { Scenario } from "../scenario.ts";
import type { ProbeRound, Weights } from "../../functions/lib/types.ts";
import { probeVote, type LatencyRule } from "./faults.ts";

/** The policies the replay can run: ours, the two baselines, and the oracle (the physical limit). */
export const POLICIES = ["default", "route53-native", "oracle", "none"] as const;
export type PolicyName = (typeof POLICIES)[number];

import { SCENARIO_EPOCH, type TimelineEntry } from "./timeline.ts";
import { runTimed } from "./timed.ts";
import { clientFailure } from "./faults.ts";

export { SCENARIO_EPOCH, type TimelineEntry } from "./timeline.ts";

/** Route 53's own health checks: failure threshold 3 in both directions, healthy while more than 18% of checkers say so. */
const ROUTE53_FAILURE_THRESHOLD = 3;
const ROUTE53_HEALTHY_SHARE = 0.18;

/**
 * Runs one policy over the scenario on virtual time and returns the weight
 * timeline (first entry: the normal weights at 0). `default` is the
 * deployed system on the scenario's AWS timing (./timed.ts). `route53-native`
 * judges each round's first checks at `t` (no re-check) once the checks
 * have timed out. `oracle` knows the faults.
 */
export function runPolicy(scenario: Scenario, policy: PolicyName): TimelineEntry[] {
  const config = scenario.resolvedConfig;
  const normal = normalWeights(config.targets);
  const timeline: TimelineEntry[] = [{ at: 0, weights: normal }];
  if (policy === "none") return timeline;
  if (policy === "default") return runTimed(scenario);
  if (policy === "oracle") return oracle(scenario);
  const step = route53Native(config);
  const interval = config.probe.intervalSeconds;
  // Route 53 acts on a check's result once it has it: by the check timeout, plus the 1.5 s our decider once waited for publishing.
  const decidedAfter = (Math.ceil(config.probe.timeoutMs / 1000) * 1000 + 1500) / 1000;
  let current = normal;
  for (let at = 0; at + decidedAfter <= scenario.durationSeconds; at += interval) {
    const round = probeRound(scenario, at, "timeout-only");
    const outcome = step(round, SCENARIO_EPOCH + at + decidedAfter, current);
    if (!sameWeights(current, outcome.weights, Object.keys(normal)))
      timeline.push({ at: at + decidedAfter, weights: outcome.weights, kind: outcome.kind, reason: outcome.reason });
    current = outcome.weights;
  }
  return timeline;
}

type Step = (round: ProbeRound, now: number, current: Weights) => { weights: Weights; kind?: string; reason?: string };

/** What every vantage voted in the round starting at scenario second `at`. */
function probeRound(scenario: Scenario, at: number, rule: LatencyRule): ProbeRound {
  const config = scenario.resolvedConfig;
  const votes: ProbeRound["votes"] = {};
  for (const vantage of config.vantages) {
    const byTarget: Record<string, boolean> = {};
    for (const target of config.targets) {
      const vote = probeVote(config, scenario.faults, scenario.seed, at, vantage, target.id, rule);
      if (vote !== undefined) byTarget[target.id] = vote;
    }
    if (Object.keys(byTarget).length > 0) votes[vantage] = byTarget;
  }
  return { at: SCENARIO_EPOCH + at, votes };
}

/** Route 53 health checks: each vantage a checker with its own status; unhealthy records get no traffic, binary, fail back at once. */
function route53Native(config: FailoverConfig): Step {
  const checkers = new Map<string, { healthy: boolean; streak: number }>();
  return (round) => {
    const shares = config.targets.map((target) => {
      let healthy = 0;
      for (const vantage of config.vantages) {
        const key = `${vantage}/${target.id}`;
        const checker = checkers.get(key) ?? { healthy: true, streak: 0 };
        const vote = round.votes[vantage]?.[target.id];
        if (vote !== undefined) {
          // `streak` counts consecutive results that disagree with the current status.
          checker.streak = vote === checker.healthy ? 0 : checker.streak + 1;
          if (checker.streak >= ROUTE53_FAILURE_THRESHOLD) checker.healthy = !checker.healthy;
          if (checker.streak >= ROUTE53_FAILURE_THRESHOLD) checker.streak = 0;
        }
        checkers.set(key, checker);
        if (checker.healthy) healthy++;
      }
      const up = healthy / config.vantages.length > ROUTE53_HEALTHY_SHARE;
      return {
        id: target.id,
        normal: target.weight,
        factor: up ? 1 : 0,
        tier: up ? (target.weight > 0 ? 0 : 1) : undefined,
      };
    });
    // Every record unhealthy: Route 53 answers as if all were healthy.
    return { weights: splitWeights(shares) ?? normalWeights(config.targets) };
  };
}

/**
 * The physical limit for client errors at the record's TTL: knows the
 * faults, drains a target at the second a fault that hits clients starts
 * (../scenario.ts clientFaultKinds) and gives it back at the second it ends.
 * Never all zero: when every target is hit, the normal weights stay.
 */
function oracle(scenario: Scenario): TimelineEntry[] {
  const config = scenario.resolvedConfig;
  const normal = normalWeights(config.targets);
  const ids = Object.keys(normal);
  const timeline: TimelineEntry[] = [{ at: 0, weights: normal }];
  let current = normal;
  for (let second = 0; second < scenario.durationSeconds; second++) {
    const hit = new Set(ids.filter((id) => clientFailure(config, scenario.faults, second, id) > 0));
    const weights =
      splitWeights(
        config.targets.map((t) => ({
          id: t.id,
          normal: t.weight,
          factor: hit.has(t.id) ? 0 : 1,
          tier: hit.has(t.id) ? undefined : t.weight > 0 ? 0 : 1,
        })),
      ) ?? normal;
    if (!sameWeights(current, weights, ids)) {
      timeline.push({ at: second, weights, kind: "oracle", reason: `hit: ${[...hit].join(", ") || "none"}` });
      current = weights;
    }
  }
  return timeline;
}
