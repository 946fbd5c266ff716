import type { FailoverConfig } from "../../functions/lib/config.ts";
import { decide } from "../../functions/lib/policy/decide.ts";
import type { PolicyMemory } from "../../functions/lib/policy/memory.ts";
import { splitWeights, normalWeights, sameWeights } from "../../functions/lib/policy/weights.ts";
import type { Scenario } from "../scenario.ts";
import type { ProbeRound, Weights } from "../../functions/lib/types.ts";
import { windowSeconds } from "../../functions/lib/policy/decide.ts";
import { deciderOffsetMs } from "../../functions/lib/control/schedule.ts";
import { probeVote, type LatencyRule } from "./faults.ts";
import { cloudwatchDownRegions, route53ApiDown } from "../scenario.ts";
import { planSignals } from "../../functions/lib/dataplane/signals.ts";
import { dataPlaneDelaySeconds } from "../../functions/lib/dataplane/timing.ts";

/** The policies the replay can run: ours, and the two baselines. */
export const POLICIES = ["default", "route53-native", "none"] as const;
export type PolicyName = (typeof POLICIES)[number];

/** Epoch seconds of scenario time 0 (2025-08-06T02:30:00Z, the Clerk incident's start); any aligned time would do. */
export const SCENARIO_EPOCH = 1754447400;

/** One change of what DNS answers, in scenario seconds, with why. */
export interface TimelineEntry {
  /** When DNS answers change. */
  at: number;
  /** The weights DNS answers by: record weights, with targets drained through their health checks at 0. */
  weights: Weights;
  /** When the decision behind it was made (detection counts from the outage to here). @default at */
  decidedAt?: number;
  /** How the change reached DNS: a record change (`api`) or drain signals through health checks (`data-plane`). */
  path?: "api" | "data-plane";
  kind?: string;
  reason?: string;
}

/** Route 53's own health checks: failure threshold 3 in both directions, healthy while more than 18% of checkers say so. */
const ROUTE53_FAILURE_THRESHOLD = 3;
const ROUTE53_HEALTHY_SHARE = 0.18;

/**
 * Runs one policy over the scenario on virtual time and returns the weight
 * timeline (first entry: the normal weights at 0). Each probe round at `t`
 * is decided when the deployed decider decides it: {@link deciderOffsetMs}
 * after the round starts (its checks have timed out and been published).
 */
export function runPolicy(scenario: Scenario, policy: PolicyName): TimelineEntry[] {
  const config = scenario.resolvedConfig;
  const normal = normalWeights(config.targets);
  const timeline: TimelineEntry[] = [{ at: 0, weights: normal }];
  if (policy === "none") return timeline;
  if (policy === "default") return runTwoPaths(scenario);
  const step = route53Native(config);
  const interval = config.probe.intervalSeconds;
  const decidedAfter = deciderOffsetMs(config) / 1000;
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

/**
 * Our deciders with both paths. Each round the policy decides on the
 * weights last put in effect; the shell then sends drains (and emergency
 * undrains) as health-check signals, and writes the weights by
 * compare-and-swap when the Route 53 API answers. With the API down a
 * decision the signals cannot carry out (a ramp step, a failback) waits:
 * its memory is not kept, so the policy decides it again next round. A
 * round is lost only when every control region's CloudWatch is down.
 */
function runTwoPaths(scenario: Scenario): TimelineEntry[] {
  const config = scenario.resolvedConfig;
  const ids = config.targets.map((target) => target.id);
  const normal = normalWeights(config.targets);
  const interval = config.probe.intervalSeconds;
  const decidedAfter = deciderOffsetMs(config) / 1000;
  const signalDelay = dataPlaneDelaySeconds();
  const window = windowSeconds(config);
  const timeline: TimelineEntry[] = [{ at: 0, weights: normal }];
  let rounds: ProbeRound[] = [];
  let memory: PolicyMemory | undefined;
  let applied = normal; // the weights the policy last put in effect, by either path
  let records = normal; // the weights in the Route 53 records
  let draining: string[] = []; // targets drained through their health checks
  let answered = normal;
  for (let at = 0; at + decidedAfter <= scenario.durationSeconds; at += interval) {
    const now = at + decidedAfter;
    const blind = config.controlRegions.every((region) => cloudwatchDownRegions(scenario.faults, at).has(region));
    if (blind) continue;
    rounds = [...rounds.filter((r) => r.at > SCENARIO_EPOCH + now - window), probeRound(scenario, at, "limit")];
    const decision = decide({ now: SCENARIO_EPOCH + now, config, rounds, current: applied, memory, lease: undefined });
    const apiUp = !route53ApiDown(scenario.faults, now);
    if (apiUp) records = decision.weights;
    const plan = planSignals({ ids, records, wanted: decision.weights, draining });
    draining = plan.draining;
    if (apiUp || plan.inEffect) {
      applied = decision.weights;
      if (decision.memoryChanged) memory = decision.memory;
    }
    const effective = Object.fromEntries(ids.map((id) => [id, draining.includes(id) ? 0 : (records[id] ?? 0)]));
    if (!sameWeights(answered, effective, ids)) {
      timeline.push({
        at: apiUp ? now : now + signalDelay,
        decidedAt: now,
        path: apiUp ? "api" : "data-plane",
        weights: effective,
        kind: decision.kind,
        reason: decision.reason,
      });
      answered = effective;
    }
  }
  return timeline.sort((a, b) => a.at - b.at);
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
