import type { Weights } from "../types.ts";
import { answerSharesFor, sameShares, weightShares } from "./answers.ts";

/** What the data-plane path needs to turn one decision into drain signals. */
export interface SignalPlanInput {
  /** Target ids, config order. */
  ids: readonly string[];
  /** Weights in the Route 53 records (last read, or last written by compare-and-swap). */
  records: Weights;
  /** Weights the policy wants. */
  wanted: Weights;
  /** Targets whose health checks are drained now (their signal says "drain"). */
  draining: readonly string[];
}

/** The drain signals to publish for a decision, and whether the answers then match it. */
export interface SignalPlan {
  /** Targets to signal "drain", config order. */
  draining: string[];
  /** Newly drained by this plan. */
  drained: string[];
  /** Newly undrained by this plan. */
  undrained: string[];
  /** An undrain before the records match (the last target in service failed): urgent, so it may not wait. */
  emergency: boolean;
  /** What DNS answers with these signals and the current records (shares by target). */
  answers: Weights;
  /** The answers split traffic as the wanted weights do: the decision is in effect without a record change. */
  inEffect: boolean;
}

/**
 * Drain signals for a decision, the data-plane half of the two paths:
 *
 * - a target the policy wants at weight 0 is signalled "drain" at once (the
 *   records may still give it weight: the health check drains it);
 * - a drained target the policy wants back keeps its signal until the
 *   records carry the wanted weights (failing back waits for the control
 *   plane: clearing the signal early would give it its full old weight
 *   instead of a ramp step);
 * - unless no target the policy wants serving would be answered: then those
 *   signals clear now (emergency undrain; failing back beats failing open).
 */
export function planSignals(input: SignalPlanInput): SignalPlan {
  const { ids, records, wanted } = input;
  const before = new Set(input.draining);
  const recordsMatch = ids.every((id) => (records[id] ?? 0) === (wanted[id] ?? 0));
  let draining = ids.filter((id) => (wanted[id] ?? 0) === 0 || (before.has(id) && !recordsMatch));
  const answered = (out: readonly string[]) => answerSharesFor(records, out, ids);
  const first = answered(draining);
  let emergency = false;
  if (!ids.some((id) => (wanted[id] ?? 0) > 0 && (first[id] ?? 0) > 0 && !draining.includes(id))) {
    const comeBack = draining.filter((id) => (wanted[id] ?? 0) > 0);
    if (comeBack.length > 0) {
      emergency = true;
      draining = draining.filter((id) => !comeBack.includes(id));
    }
  }
  const answers = answered(draining);
  return {
    draining,
    drained: draining.filter((id) => !before.has(id)),
    undrained: ids.filter((id) => before.has(id) && !draining.includes(id)),
    emergency,
    answers,
    inEffect: sameShares(answers, weightShares(wanted, ids), ids),
  };
}
