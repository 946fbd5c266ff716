import { answerSharesFor } from "../functions/lib/dataplane/answers.ts";
import type { Weights } from "../functions/lib/types.ts";

/** A change of the record weights (the record watcher's), dated at the compare-and-swap that made it. */
export interface RecordWeightsChange {
  /** Virtual epoch ms. */
  at: number;
  weights: Weights;
  /** On-call's change (lease or audit id) when on-call made it by hand. */
  onCall?: string | undefined;
  /** The practice run it starts or ends. */
  practice?: string | undefined;
}

/** A change of what DNS answers by for one target's health check (the evaluator's), with the steps that led to it. */
export interface HealthAnswerChange {
  target: string;
  healthy: boolean;
  /** When the health checker's ask saw the signal, the calculated check changed, and DNS answers changed (virtual epoch ms). */
  checkedAt: number;
  calculatedAt: number;
  answersAt: number;
  /** Control region of the signal endpoint whose answer changed the check. */
  region?: string | undefined;
  /** When a decider decided it (the switch event the signal carries out), if known. */
  decidedAt?: number | undefined;
}

/** One change of what DNS answers, and the path that made it. */
export interface DnsChange {
  /** Virtual epoch ms DNS answers changed. */
  at: number;
  /** The weights DNS answers by: record weights, 0 for each set it leaves out (an answered weight-0 set counts 1). */
  weights: Weights;
  /** `start`: the first answers; `records`: a compare-and-swap of the weights; `data-plane`: signal → health check → DNS answers. */
  path: "start" | "records" | "data-plane";
  /** When the decision was made: detection counts to here (the data-plane path reaches DNS later). */
  decidedAt?: number | undefined;
  /** The data-plane steps, for `data-plane` changes. */
  via?: Omit<HealthAnswerChange, "healthy" | "answersAt" | "decidedAt"> | undefined;
  /**
   * On-call's change (lease or audit id) this one carries out: its records change, or the health checks
   * then bringing DNS answers to those records' weights (an override's signal cleared by its release).
   */
  onCall?: string | undefined;
  /** The practice run this one carries out (its records change, or the health checks following them). */
  practice?: string | undefined;
}

/**
 * The weights DNS answers by, from the record weights and the targets whose
 * health checks are unhealthy, by Route 53's rules (answers.ts): a set left
 * out answers 0; a weight-0 set answered because every other is unhealthy
 * counts 1 (it gets answers, which a weight of 0 would hide from the score).
 */
export function answeredWeights(weights: Weights, unhealthy: Iterable<string>, ids: readonly string[]): Weights {
  const shares = answerSharesFor(weights, unhealthy, ids);
  return Object.fromEntries(ids.map((id) => [id, (shares[id] ?? 0) > 0 ? Math.max(1, weights[id] ?? 0) : 0] as const));
}

/**
 * What DNS answered over a drill, change by change, from the record weight
 * changes and the health checks' answer changes, each change named by the
 * path that made it. A record change that changes no answers (the records
 * catching up with a drain already made through the health checks) and a
 * health check that changes none (a drain the records made first) leave no
 * entry. Pure; the first entry is the start.
 */
export function dnsTimeline(
  ids: readonly string[],
  records: readonly RecordWeightsChange[],
  health: readonly HealthAnswerChange[],
): DnsChange[] {
  const first = records[0];
  if (first === undefined) return [];
  const events = [
    ...records.slice(1).map((change) => ({ at: change.at, order: 0, records: change, health: undefined })),
    ...health.map((change) => ({ at: change.answersAt, order: 1, records: undefined, health: change })),
  ].sort((a, b) => a.at - b.at || a.order - b.order);
  let weights = first.weights;
  // Who made the records as they are now: on-call's change id, or undefined for the policy.
  let recordsBy: string | undefined;
  // The practice run that made the records as they are now, if one did.
  let practiceBy: string | undefined;
  // Practice runs by the moment their records changed: a drain signal carrying out that decision is theirs too.
  const practiceDecisions = new Map(
    records.flatMap((change) => (change.practice === undefined ? [] : [[change.at, change.practice] as const])),
  );
  const practiceOf = (decidedAt: number | undefined, followsRecords: boolean) =>
    (decidedAt === undefined ? undefined : practiceDecisions.get(decidedAt)) ??
    (followsRecords ? practiceBy : undefined);
  const unhealthy = new Set<string>();
  let answered = answeredWeights(weights, unhealthy, ids);
  const timeline: DnsChange[] = [{ at: first.at, weights: answered, path: "start" }];
  const same = (a: Weights, b: Weights) => ids.every((id) => a[id] === b[id]);
  for (const event of events) {
    if (event.records) {
      weights = event.records.weights;
      recordsBy = event.records.onCall;
      practiceBy = event.records.practice;
    }
    if (event.health) {
      if (event.health.healthy) unhealthy.delete(event.health.target);
      else unhealthy.add(event.health.target);
    }
    const next = answeredWeights(weights, unhealthy, ids);
    if (same(next, answered)) continue;
    answered = next;
    if (event.health) {
      const { healthy: _healthy, answersAt: _answersAt, decidedAt, ...via } = event.health;
      // The health checks bringing DNS to on-call's records (its override's signal cleared) carry on-call's change.
      const followsRecords = same(next, answeredWeights(weights, [], ids));
      const catchUp = recordsBy !== undefined && followsRecords;
      timeline.push({
        at: event.at,
        weights: next,
        path: "data-plane",
        decidedAt,
        via,
        ...(catchUp ? { onCall: recordsBy } : {}),
        ...(practiceOf(decidedAt, followsRecords) !== undefined
          ? { practice: practiceOf(decidedAt, followsRecords) }
          : {}),
      });
    } else
      timeline.push({
        at: event.at,
        weights: next,
        path: "records",
        ...(recordsBy !== undefined ? { onCall: recordsBy } : {}),
        ...(practiceBy !== undefined ? { practice: practiceBy } : {}),
      });
  }
  return timeline;
}
