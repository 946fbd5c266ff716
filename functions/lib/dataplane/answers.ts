import type { Weights } from "../types.ts";

/** One weighted record set of a name, as Route 53 sees it when it answers a query. */
export interface AnswerSet {
  /** Target id (the record's SetIdentifier). */
  id: string;
  /** Record weight, 0-255. */
  weight: number;
  /** Status of the record's health check; a set without a check, or with a disabled one, is healthy. */
  healthy: boolean;
}

/**
 * Route 53's answer rules for weighted records with health checks (developer
 * guide, "How Amazon Route 53 chooses records when health checking is
 * configured" and "Weighted routing"), modelled once for the replay, the
 * drill's clients and `failover status`:
 *
 * 1. a set whose health check is unhealthy is left out;
 * 2. weight-0 sets are answered only when every set of non-zero weight is
 *    unhealthy, and then with equal probability;
 * 3. when every set is unhealthy, all are treated as healthy (fail open),
 *    and rule 2 applies to them.
 *
 * Returns each set's share of the answers (0-1, summing to 1), by target id;
 * with no sets at all, an empty object.
 */
export function answerShares(sets: readonly AnswerSet[]): Weights {
  const healthy = sets.filter((set) => set.healthy);
  const candidates = healthy.length > 0 ? healthy : sets;
  const weighted = candidates.filter((set) => set.weight > 0);
  const shares: Weights = Object.fromEntries(sets.map((set) => [set.id, 0]));
  if (weighted.length > 0) {
    const total = weighted.reduce((sum, set) => sum + set.weight, 0);
    for (const set of weighted) shares[set.id] = set.weight / total;
  } else {
    for (const set of candidates) shares[set.id] = 1 / candidates.length;
  }
  return shares;
}

/** The answer shares of record weights `weights` when the targets in `unhealthy` have unhealthy health checks. */
export function answerSharesFor(weights: Weights, unhealthy: Iterable<string>, ids: readonly string[]): Weights {
  const out = new Set(unhealthy);
  return answerShares(ids.map((id) => ({ id, weight: weights[id] ?? 0, healthy: !out.has(id) })));
}

/** Each target's share of `weights` (equal shares when all are 0), the answers with every set healthy. */
export function weightShares(weights: Weights, ids: readonly string[]): Weights {
  return answerSharesFor(weights, [], ids);
}

/** True when two answer-share maps agree within half a percentage point for every target. */
export function sameShares(a: Weights, b: Weights, ids: readonly string[]): boolean {
  return ids.every((id) => Math.abs((a[id] ?? 0) - (b[id] ?? 0)) < 0.005);
}

/**
 * The weights DNS really answers with: the record weights, less the targets
 * the signals drain, rescaled to the records' total (so "primary 0 → 9" when
 * a drained target comes back, not the records' "90 → 9"). The records
 * themselves when nothing is drained.
 */
export function dnsWeights(records: Weights, drained: ReadonlySet<string>, ids: readonly string[]): Weights {
  if (!ids.some((id) => drained.has(id))) return Object.fromEntries(ids.map((id) => [id, records[id] ?? 0]));
  const total = ids.reduce((sum, id) => sum + (records[id] ?? 0), 0);
  const shares = answerSharesFor(records, drained, ids);
  return Object.fromEntries(ids.map((id) => [id, Math.round((shares[id] ?? 0) * total)]));
}
