import type { Scenario } from "../scenario.ts";
import { modelClients } from "./clients.ts";
import { runPolicy, type PolicyName, type TimelineEntry } from "./run.ts";
import { scoreRun, type ReplaySummary } from "./score.ts";
import { runTimedWithPractice } from "./timed.ts";

export { POLICIES, SCENARIO_EPOCH, type PolicyName, type TimelineEntry } from "./run.ts";
export {
  scoreRun,
  checkExpectations,
  formatRate,
  type ReplaySummary,
  type ScoreInput,
  type ExpectationResult,
} from "./score.ts";

/** A replayed run: its score and the weight changes behind it. */
export interface ReplayResult {
  summary: ReplaySummary;
  timeline: TimelineEntry[];
}

/**
 * Replays `policy` over the scenario on virtual time: probe outcomes from the
 * faults (seeded), the policy's weights round by round, clients following
 * the weights after the record TTL, then the score. Pure and deterministic.
 */
export function replay(scenario: Scenario, policy: PolicyName = "default"): ReplayResult {
  const config = scenario.resolvedConfig;
  // Only the deployed policy runs practice runs.
  const { timeline, practice } =
    policy === "default" ? runTimedWithPractice(scenario) : { timeline: runPolicy(scenario, policy), practice: [] };
  const clientRequests = modelClients(config, scenario.faults, scenario.durationSeconds, timeline);
  const summary = scoreRun({ scenario, config, policy, weightTimeline: timeline, clientRequests, practice });
  return { summary, timeline };
}
