/**
 * A seeded uniform number in [0, 1) for one (seed, coordinates) tuple.
 * Hash-based rather than a stream, so a probe's outcome depends only on its
 * round, vantage, target and fault, not on the order outcomes are drawn.
 */
export function seededUniform(seed: number, ...coordinates: number[]): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  for (const c of coordinates) {
    h = Math.imul(h ^ (c + 0x7f4a7c15), 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}
