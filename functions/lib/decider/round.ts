import { announceRound, type RoundOutcome } from "./announce-round.ts";
import { applyRound } from "./apply-round.ts";
import { decideRound } from "./decide-round.ts";
import type { RoundDeps } from "./ports.ts";
import { readRound } from "./read-round.ts";

export type { RoundOutcome } from "./announce-round.ts";
export type { RoundDeps } from "./ports.ts";

/**
 * One decider round, one step after the other: read the probe window and
 * every control region's signal documents (./read-round.ts); decide
 * (./decide-round.ts: the policy, once for each distinct world); apply, in
 * the crash-safe order: a drain signal first, then the records and state by
 * compare-and-swap, then this decider's document (./apply-round.ts);
 * announce the change once and publish the decision's metrics
 * (./announce-round.ts). Throws a FailoverError when the window or the zone
 * cannot be read or written; the caller logs it and the next round tries
 * again.
 */
export async function runDecisionRound(deps: RoundDeps, now: number): Promise<RoundOutcome> {
  const reads = await readRound(deps, now);
  const decision = decideRound(deps, reads);
  const applied = await applyRound(deps, reads, decision);
  return announceRound(deps, reads, applied);
}
