import type { Weights } from "./types.ts";

/** The form {@link parseWeightPairs} accepts, for messages. */
export const weightPairsForm = "target=weight pairs such as primary=50,failover=50";

/**
 * Reads `primary=50,failover=50` (what `failover pin` and `/failover pin`
 * take) into weights; undefined when the text is not in that form. Which
 * targets and weights are allowed is the manual event's check.
 */
export function parseWeightPairs(text: string): Weights | undefined {
  const weights: Weights = {};
  for (const pair of text.split(",")) {
    const match = /^\s*([a-z][a-z0-9-]*)\s*=\s*(\d{1,3})\s*$/.exec(pair);
    if (!match) return undefined;
    weights[match[1] as string] = Number(match[2]);
  }
  return weights;
}
