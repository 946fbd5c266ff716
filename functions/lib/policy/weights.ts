import type { Weights } from "../types.ts";

/** Route 53's largest weight. */
export const MAX_WEIGHT = 255;

/** How one target takes part in the split: its share of its normal weight, and whether it may absorb drained weight. */
export interface TargetShare {
  id: string;
  /** Normal weight from the config, 0-255. */
  normal: number;
  /** 1 in service, a ramp percentage / 100 while ramping back, 0 when drained. */
  factor: number;
  /**
   * Priority for absorbing the weight others gave up: the lowest non-empty
   * tier takes it all, in proportion to normal weights (equally when every
   * normal weight in the tier is 0). Undefined: never absorbs.
   */
  tier: number | undefined;
}

/**
 * Splits the total normal weight: each target keeps `normal × factor`
 * (rounded, at least 1 when positive), and what drained and ramping targets
 * gave up goes to the absorbing tier in proportion to their normal weights
 * (largest remainder, so the total is preserved). Weights above 255 are
 * scaled down together, keeping the proportions. Returns undefined when
 * nothing would get any weight, so the caller can fail open.
 */
export function splitWeights(shares: readonly TargetShare[]): Weights | undefined {
  const total = shares.reduce((sum, share) => sum + share.normal, 0);
  const weights: Weights = {};
  for (const share of shares) {
    const kept = share.normal * share.factor;
    weights[share.id] = kept > 0 ? Math.max(1, Math.round(kept)) : 0;
  }
  // Never negative: a kept weight is at most its normal weight. With nothing given, the takers get 0 more.
  const given = total - Object.values(weights).reduce((sum, w) => sum + w, 0);
  const tiers = shares.flatMap((share) => (share.tier === undefined ? [] : [share.tier]));
  // The lowest tier absorbs (none when no share does: Math.min() is Infinity).
  const lowest = Math.min(...tiers);
  const takers = shares.filter((share) => share.tier === lowest);
  const basis = takers.some((taker) => taker.normal > 0) ? takers.map((t) => t.normal) : takers.map(() => 1);
  addProportionally(
    weights,
    takers.map((t) => t.id),
    basis,
    given,
  );
  return scaleToMax(weights);
}

/** Adds `amount` over `ids` in proportion to `basis` (largest remainder, ties to the earlier id). */
function addProportionally(weights: Weights, ids: string[], basis: number[], amount: number): void {
  const sum = basis.reduce((a, b) => a + b, 0);
  const exact = ids.map((_, i) => (amount * (basis[i] ?? 0)) / sum);
  const floors = exact.map(Math.floor);
  let left = amount - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((value, i) => ({ i, rest: value - Math.floor(value) }))
    // Array.prototype.sort is stable: equal remainders keep id order, so a tie goes to the earlier id.
    .sort((a, b) => b.rest - a.rest);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    left--;
  }
  ids.forEach((id, i) => {
    weights[id] = (weights[id] ?? 0) + (floors[i] ?? 0);
  });
}

function scaleToMax(weights: Weights): Weights | undefined {
  const values = Object.values(weights);
  const max = Math.max(0, ...values);
  if (max === 0) return undefined;
  if (max <= MAX_WEIGHT) return weights;
  const scaled: Weights = {};
  for (const [id, weight] of Object.entries(weights))
    scaled[id] = weight === 0 ? 0 : Math.max(1, Math.round((weight * MAX_WEIGHT) / max));
  return scaled;
}

/** The configured normal weights by target id. */
export function normalWeights(targets: ReadonlyArray<{ id: string; weight: number }>): Weights {
  return Object.fromEntries(targets.map((target) => [target.id, target.weight]));
}

/** The weights of exactly `ids`, in that order; a target absent from `weights` gets 0. */
export function pickWeights(weights: Weights, ids: readonly string[]): Weights {
  return Object.fromEntries(ids.map((id) => [id, weights[id] ?? 0]));
}

/** True when both give every listed target the same weight. */
export function sameWeights(a: Weights, b: Weights, ids: readonly string[]): boolean {
  return ids.every((id) => (a[id] ?? 0) === (b[id] ?? 0));
}

/** How {@link formatWeights} writes each weight. */
export interface WeightsFormat {
  /** Name each target: `primary=90` rather than `90`. @default false */
  named?: boolean;
  /** Between two targets. @default "/" (" " when `named`) */
  separator?: string;
}

/**
 * Weights as text in `ids` order: `90/10` (decision reasons, Slack), or
 * with `named` `primary=90 failover=10` (the CLI, errors).
 */
export function formatWeights(
  weights: Weights,
  ids: readonly string[] = Object.keys(weights),
  format: WeightsFormat = {},
): string {
  const named = format.named ?? false;
  return ids
    .map((id) => (named ? `${id}=${weights[id] ?? 0}` : String(weights[id] ?? 0)))
    .join(format.separator ?? (named ? " " : "/"));
}
