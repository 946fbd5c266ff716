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
  /** Targets this decider's own document drains now. */
  draining: readonly string[];
  /** Targets other writers' fresh documents drain: this decider cannot take them back. @default none */
  others?: readonly string[];
}

/** The drain signals to publish for a decision, and whether the answers then match it. */
export interface SignalPlan {
  /** Targets this decider's document signals "drain", config order. */
  draining: string[];
  /** Targets drained in DNS with this plan: its own and the other writers', config order. */
  effective: string[];
  /** Newly drained by this plan. */
  drained: string[];
  /** Newly undrained by this plan. */
  undrained: string[];
  /** An undrain before the records match (the last target in service failed): urgent, so it may not wait. */
  emergency: boolean;
  /** Own drains left out because, with the other writers', every record would be unhealthy (Route 53 then fails open). */
  withheld: string[];
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
 *   signals clear now (emergency undrain; failing back beats failing open);
 * - and never a drain that, with the other writers' fresh drains, would
 *   leave every record unhealthy: Route 53 would fail open to the records'
 *   weights, undoing every drain at once (possibly onto the dead target).
 *   Judged on the union, since the endpoint drains on the union.
 */
export function planSignals(input: SignalPlanInput): SignalPlan {
  const { ids, records, wanted } = input;
  const before = new Set(input.draining);
  const others = new Set(input.others ?? []);
  const recordsMatch = ids.every((id) => (records[id] ?? 0) === (wanted[id] ?? 0));
  let draining = ids.filter((id) => (wanted[id] ?? 0) === 0 || (before.has(id) && !recordsMatch));
  const union = (own: readonly string[]) => ids.filter((id) => own.includes(id) || others.has(id));
  const answered = (own: readonly string[]) => answerSharesFor(records, union(own), ids);
  const first = answered(draining);
  const out = new Set(union(draining));
  let emergency = false;
  if (!ids.some((id) => (wanted[id] ?? 0) > 0 && (first[id] ?? 0) > 0 && !out.has(id))) {
    const comeBack = draining.filter((id) => (wanted[id] ?? 0) > 0);
    if (comeBack.length > 0) {
      emergency = true;
      draining = draining.filter((id) => !comeBack.includes(id));
    }
  }
  let withheld: string[] = [];
  if (ids.length > 0 && union(draining).length === ids.length) {
    withheld = draining.filter((id) => !others.has(id));
    draining = draining.filter((id) => others.has(id));
  }
  const answers = answered(draining);
  return {
    draining,
    effective: union(draining),
    drained: draining.filter((id) => !before.has(id)),
    undrained: ids.filter((id) => before.has(id) && !draining.includes(id)),
    emergency,
    withheld,
    answers,
    inEffect: sameShares(answers, weightShares(wanted, ids), ids),
  };
}
