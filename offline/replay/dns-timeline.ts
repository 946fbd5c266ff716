import { sameShares, weightShares } from "../../functions/lib/dataplane/answers.ts";
import { SIGNAL_STALE_SECONDS } from "../../functions/lib/dataplane/signal-union.ts";
import { dataPlaneDelaySeconds } from "../../functions/lib/dataplane/timing.ts";
import type { Weights } from "../../functions/lib/types.ts";
import { controlRegionsDown, type Fault } from "../scenario.ts";
import type { ChangeWhy, StoreWrite } from "./signal-stores.ts";
import type { TimelineEntry } from "./timeline.ts";

/** A write of the Route 53 records (scenario ms). */
export interface RecordChange {
  ms: number;
  records: Weights;
  why: ChangeWhy;
}

/** Everything DNS answers from over a run. */
export interface DnsInputs {
  normal: Weights;
  ids: string[];
  faults: readonly Fault[];
  records: readonly RecordChange[];
  writes: readonly StoreWrite[];
}

/**
 * What DNS answers over time: the record weights, with targets drained by
 * any reachable control region's fresh signal documents at 0. A record
 * change counts when it is applied; a signal as Route 53's checkers see it,
 * {@link dataPlaneDelaySeconds} later: a write, a document going stale
 * ({@link SIGNAL_STALE_SECONDS}), a control region's endpoint lost or back.
 * An entry only when the answers' split changes (0/100 and 0/91 are alike).
 */
export function dnsTimeline(inputs: DnsInputs): TimelineEntry[] {
  const { normal, ids, faults } = inputs;
  const delayMs = dataPlaneDelaySeconds() * 1000;
  const staleMs = SIGNAL_STALE_SECONDS * 1000;
  const records = [...inputs.records].sort((a, b) => a.ms - b.ms);
  const writes = [...inputs.writes].sort((a, b) => a.ms - b.ms);
  const lostRegions = faults.filter((fault) => fault.kind === "control-region-down");
  const moments = new Set<number>([
    ...records.map((change) => change.ms),
    ...writes.flatMap((write) => [write.ms + delayMs, write.ms + staleMs + 1 + delayMs]),
    ...lostRegions.flatMap((fault) => [fault.start * 1000 + delayMs, fault.end * 1000 + delayMs]),
  ]);
  const timeline: TimelineEntry[] = [{ at: 0, weights: normal }];
  const held = new Map<string, StoreWrite>(); // by store region and writer
  let [r, w, current, answered] = [0, 0, normal, normal];
  for (const ms of [...moments].sort((a, b) => a - b)) {
    let why: (ChangeWhy & Pick<TimelineEntry, "path">) | undefined;
    for (; r < records.length && (records[r]?.ms ?? Infinity) <= ms; r++) {
      const change = records[r] as RecordChange;
      current = change.records;
      if (change.ms === ms) why = { ...change.why, path: "api" };
    }
    const seen = ms - delayMs; // what the checkers have seen by now
    for (; w < writes.length && (writes[w]?.ms ?? Infinity) <= seen; w++) {
      const write = writes[w] as StoreWrite;
      const key = `${write.region}\n${write.writer}`;
      // The write that changed what a store drains explains the change (a rewrite of the same drains does not).
      if (write.ms === seen && held.get(key)?.drain.join() !== write.drain.join())
        why = why?.path === "api" ? why : { ...write.why, path: "data-plane" };
      held.set(key, write);
    }
    const lost = controlRegionsDown(faults, seen / 1000);
    const drained = new Set(
      [...held.values()]
        .filter((write) => !lost.has(write.region) && seen - write.ms <= staleMs)
        .flatMap((write) => write.drain),
    );
    const effective = Object.fromEntries(ids.map((id) => [id, drained.has(id) ? 0 : (current[id] ?? 0)]));
    // 0/100 and 0/91 split answers alike: not a change of what DNS answers.
    if (sameShares(weightShares(answered, ids), weightShares(effective, ids), ids)) continue;
    const lapsed = {
      path: "data-plane" as const,
      kind: "signal",
      reason: "a drain signal lapsed (stale, or its control region lost or back)",
    };
    timeline.push({ at: Math.round(ms / 100) / 10, weights: effective, ...(why ?? lapsed) });
    answered = effective;
  }
  return timeline;
}
