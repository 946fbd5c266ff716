import type { Weights } from "../../functions/lib/types.ts";

/** The fractions of the move the convergence times are given for. */
export const CONVERGED_AT = [0.5, 0.9, 0.99, 1] as const;
/** Multiples of the TTL at which the share still on the old answers is given. */
export const TTL_MULTIPLES = [1, 2, 5] as const;

/** How one group of clients followed one change of the DNS answers. */
export interface ConvergenceFigures {
  /**
   * Seconds after the change from which at least 50/90/99/100% of the move
   * was made in every later window (null: not within the change's span).
   */
  seconds: Record<"p50" | "p90" | "p99" | "p100", number | null>;
  /** Share of the requests still going by the old answers at 1x, 2x and 5x the TTL (null: past the span). */
  oldShare: Record<"ttl1" | "ttl2" | "ttl5", number | null>;
  /** Share of all requests of the first TTL after the change that still went by the old answers (null: span shorter). */
  oldShareWithinTtl: number | null;
}

/**
 * How far requests have moved from the old answers to the new, from the
 * share of them that went to the targets whose answer share rose: less
 * those targets' old share, over the rise (0: as before, 1: as DNS answers
 * now), clamped to [0, 1]. A drain (primary 90 → 0) is the share no longer
 * on the primary; a ramp (25 → 90) is how much of the 65 points arrived.
 */
export function moveProgress(risingShare: number, from: Weights, to: Weights): number {
  const rising = risingTargets(from, to);
  const before = rising.reduce((sum, id) => sum + (from[id] ?? 0), 0);
  const after = rising.reduce((sum, id) => sum + (to[id] ?? 0), 0);
  if (after - before <= 0) return 1;
  return Math.min(1, Math.max(0, (risingShare - before) / (after - before)));
}

/** The targets whose answer share rose from `from` to `to`. */
export function risingTargets(from: Weights, to: Weights): string[] {
  return Object.keys(to).filter((id) => (to[id] ?? 0) > (from[id] ?? 0));
}

/**
 * Convergence figures of one group after one change at `atMs` (span until
 * `spanEndMs`), from `progressIn(fromMs, toMs)`: the group's move progress
 * over that interval, null when it sent nothing then. Windows of `windowMs`
 * from the change; a window counts when whole.
 */
export function convergenceFigures(
  progressIn: (fromMs: number, toMs: number) => number | null,
  atMs: number,
  spanEndMs: number,
  windowMs: number,
  ttlSeconds: number,
): ConvergenceFigures {
  const windows: Array<number | null> = [];
  for (let start = atMs; start + windowMs <= spanEndMs; start += windowMs)
    windows.push(progressIn(start, start + windowMs));
  const reached = (fraction: number) => {
    for (let k = 0; k < windows.length; k++)
      if (windows.slice(k).every((value) => value === null || value >= fraction - 1e-9)) return (k * windowMs) / 1000;
    return null;
  };
  const oldAt = (multiple: number) => {
    const middle = atMs + multiple * ttlSeconds * 1000;
    if (middle + windowMs / 2 > spanEndMs) return null;
    const value = progressIn(middle - windowMs / 2, middle + windowMs / 2);
    return value === null ? null : Math.round((1 - value) * 10_000) / 10_000;
  };
  const [p50, p90, p99, p100] = CONVERGED_AT.map(reached);
  const [ttl1, ttl2, ttl5] = TTL_MULTIPLES.map(oldAt);
  const firstTtlEnd = atMs + ttlSeconds * 1000;
  const firstTtl = firstTtlEnd <= spanEndMs ? progressIn(atMs, firstTtlEnd) : null;
  return {
    oldShareWithinTtl: firstTtl === null ? null : Math.round((1 - firstTtl) * 10_000) / 10_000,
    seconds: { p50: p50 ?? null, p90: p90 ?? null, p99: p99 ?? null, p100: p100 ?? null },
    oldShare: { ttl1: ttl1 ?? null, ttl2: ttl2 ?? null, ttl5: ttl5 ?? null },
  };
}
