import type { Weights } from "../../functions/lib/types.ts";

/** Epoch seconds of scenario time 0 (2025-08-06T02:30:00Z, the Clerk incident's start); any minute-aligned time would do. */
export const SCENARIO_EPOCH = 1754447400;

/** One change of what DNS answers, in scenario seconds (may be fractional), with why. */
export interface TimelineEntry {
  /** When DNS answers change. */
  at: number;
  /** The weights DNS answers by: record weights, with targets drained through their health checks at 0. */
  weights: Weights;
  /** When the decision behind it was made (detection counts from the outage to here). @default at */
  decidedAt?: number;
  /** How the change reached DNS: a record change (`api`) or drain signals through health checks (`data-plane`). */
  path?: "api" | "data-plane";
  kind?: string;
  reason?: string;
  /** Id of on-call's change (the lease) that made it: intended, never a failover. */
  onCall?: string | undefined;
  /** Id of the practice run that made it (its start or its end): an exercise, never an incident. */
  practice?: string | undefined;
}
