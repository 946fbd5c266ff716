import type { FailoverConfig } from "../../functions/lib/config.ts";
import type { Fault } from "../scenario.ts";
import type { Weights } from "../../functions/lib/types.ts";
import { clientFailure } from "./faults.ts";

/** Nominal client request rate of the model; only the ratio matters. @default 100 */
export const REQUESTS_PER_SECOND = 100;

/**
 * Expected client requests and failures over the run, second by second.
 *
 * Traffic splits by weight shares. A client re-resolves once per record TTL
 * at its own phase, spread evenly, so at time t the clients follow the
 * weights published over `[t - ttl, t]` in equal parts: the share a target
 * sees is the mean of its published share over the last TTL. A request to a
 * target fails with the fault's severity at that second.
 */
export function modelClients(
  config: FailoverConfig,
  faults: readonly Fault[],
  durationSeconds: number,
  weightTimeline: ReadonlyArray<{ at: number; weights: Weights }>,
): { total: number; failed: number } {
  const ids = config.targets.map((target) => target.id);
  const ttl = Math.max(1, config.records[0]?.ttl ?? 60);
  const published = publishedShares(ids, durationSeconds, weightTimeline);
  let failed = 0;
  for (const [index, id] of ids.entries()) {
    const shares = published[index] ?? [];
    // prefix[s] = sum of shares over seconds before s; before 0 the first weights held.
    const prefix = new Float64Array(durationSeconds + 1);
    for (let s = 0; s < durationSeconds; s++) prefix[s + 1] = (prefix[s] ?? 0) + (shares[s] ?? 0);
    const first = shares[0] ?? 0;
    for (let s = 0; s < durationSeconds; s++) {
      const from = s + 1 - ttl;
      const seen = from >= 0 ? (prefix[s + 1] ?? 0) - (prefix[from] ?? 0) : (prefix[s + 1] ?? 0) + -from * first;
      const share = seen / ttl;
      if (share > 0) failed += share * clientFailure(config, faults, s, id);
    }
  }
  return { total: durationSeconds * REQUESTS_PER_SECOND, failed: failed * REQUESTS_PER_SECOND };
}

/** Each target's share of the published weights, per second (equal shares when all are 0). */
export function publishedShares(
  ids: readonly string[],
  durationSeconds: number,
  weightTimeline: ReadonlyArray<{ at: number; weights: Weights }>,
): Float64Array[] {
  const shares = ids.map(() => new Float64Array(durationSeconds));
  const timeline = [...weightTimeline].sort((a, b) => a.at - b.at);
  let next = 0;
  let weights: Weights = timeline[0]?.weights ?? {};
  for (let s = 0; s < durationSeconds; s++) {
    while (next < timeline.length && (timeline[next]?.at ?? Infinity) <= s)
      weights = timeline[next++]?.weights ?? weights;
    const total = ids.reduce((sum, id) => sum + (weights[id] ?? 0), 0);
    ids.forEach((id, i) => {
      const row = shares[i];
      if (row) row[s] = total > 0 ? (weights[id] ?? 0) / total : 1 / ids.length;
    });
  }
  return shares;
}
