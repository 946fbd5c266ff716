import { planSignals, type SignalPlan } from "../dataplane/signals.ts";
import type { Weights } from "../types.ts";

/** One decision and the two paths it can take to DNS, as a round finds them. */
export interface ApplyInput {
  /** Target ids, config order. */
  ids: readonly string[];
  /** Weights the policy wants. */
  wanted: Weights;
  /** Weights in the records before this decision writes them. */
  records: Weights;
  /** Weights in the records after this decision's write (what name servers move to). @default `records` */
  recordsAfter?: Weights;
  /** Weights in effect before the decision (the view's when one was kept, else the records'). */
  before: Weights;
  /** Did the Route 53 API answer this round (the records carry the decision). */
  apiUp: boolean;
  /** Targets this decider's own fresh document drains now. */
  draining: readonly string[];
  /** Targets DNS drains because of other writers' documents: this decider cannot take them back. */
  others: readonly string[];
}

/** What carrying out one decision does. */
export interface AppliedDecision {
  /** This decider's drain signals for the decision. */
  plan: SignalPlan;
  /** The decision is in effect after this round: by the records (API up) or by the signals alone. */
  inEffect: boolean;
  /** The weights in effect after this round: the wanted ones when in effect, else those before. */
  applied: Weights;
}

/**
 * Carries one decision out on both paths, the step the deployed round
 * (./signal-half.ts nextSignalState) and the replay (offline/replay/timed.ts)
 * share, so the replay scores what is deployed: the drain signals are
 * planned on the drains other writers hold and on the records as they were
 * before the decision wrote them, or after when every target this decider
 * drains had weight 0 before (signalRecords below); the records take the decision while the
 * Route 53 API answers; a decision neither path can carry out (a ramp step,
 * a failback with the API down) is not in effect, so it is decided again.
 * Pure.
 */
export function applyDecision(input: ApplyInput): AppliedDecision {
  const plan = planSignals({
    ids: input.ids,
    records: signalRecords(input),
    wanted: input.wanted,
    draining: input.draining,
    others: input.others,
  });
  const inEffect = input.apiUp || plan.inEffect;
  return { plan, inEffect, applied: inEffect ? input.wanted : input.before };
}

/**
 * The records a decision's drain signals are planned on. A restore whose
 * targets the old records held at weight 0 clears their signals in the
 * round that writes the new records (DNS answers it one health-check delay
 * after the decision, not a round later): a name server still on the old
 * records gives such a target no share either way. A drain made through
 * the health checks alone (the old records still give the target weight)
 * keeps its signal until the records carry the step, so a name server not
 * yet on the new records cannot give it its full old weight instead of a
 * ramp step.
 */
function signalRecords(input: ApplyInput): Weights {
  const { records, recordsAfter, draining } = input;
  if (recordsAfter === undefined) return records;
  return draining.every((id) => (records[id] ?? 0) === 0) ? recordsAfter : records;
}
