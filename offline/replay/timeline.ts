import type { Weights } from "../../functions/lib/types.ts";

/** Epoch seconds of scenario time 0 (2025-08-06T02:30:00Z, the Clerk incident's start); any minute-aligned time would do. */
export const SCENARIO_EPOCH = 1754447400;

/** One weight change of a run, in scenario seconds (may be fractional), with why. */
export interface TimelineEntry {
  at: number;
  weights: Weights;
  kind?: string;
  reason?: string;
}
