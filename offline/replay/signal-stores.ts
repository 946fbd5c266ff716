import { SIGNAL_STALE_SECONDS } from "../../functions/lib/dataplane/signal-union.ts";
import type { TimelineEntry } from "./timeline.ts";

/** Why a signal or record change happened, for the DNS timeline. */
export type ChangeWhy = Pick<TimelineEntry, "decidedAt" | "kind" | "reason" | "onCall" | "practice">;

/** One decider's document written to one control region's store (scenario ms). */
export interface StoreWrite {
  ms: number;
  /** The store's control region. */
  region: string;
  /** The writing decider's control region. */
  writer: string;
  drain: readonly string[];
  why: ChangeWhy;
}

/**
 * The replay's model of the data-plane signal stores (the deployed design:
 * functions/lib/dataplane/signal-store.ts and signal-union.ts): one document
 * per decider in every control region's store; a store drains the union of
 * its fresh documents ({@link SIGNAL_STALE_SECONDS}); Route 53 drains what any
 * reachable store drains (a lost region's endpoint counts as serve). Writes
 * to an unwritable store are lost; the store keeps what it held.
 */
export class ReplaySignalStores {
  /** Every write that reached a store, in order: the DNS timeline is built from it. */
  readonly writes: StoreWrite[] = [];
  private readonly held = new Map<string, Map<string, StoreWrite>>();

  /** `writer`'s newest document in the readable stores, when still fresh at `ms`. */
  own(writer: string, ms: number, unreadable: ReadonlySet<string>): StoreWrite | undefined {
    let newest: StoreWrite | undefined;
    for (const [region, docs] of this.held) {
      const doc = docs.get(writer);
      if (!unreadable.has(region) && doc !== undefined && (newest === undefined || doc.ms > newest.ms)) newest = doc;
    }
    return newest !== undefined && fresh(newest.ms, ms) ? newest : undefined;
  }

  /** What the other writers' fresh documents drain in the readable stores: drains `writer` cannot take back. */
  others(writer: string, ms: number, unreadable: ReadonlySet<string>): string[] {
    return drainedBy(this.held, ms, unreadable, (by) => by !== writer);
  }

  /** What Route 53 drains at `ms` with the stores as they hold now. */
  drained(ms: number, unreachable: ReadonlySet<string>): string[] {
    return drainedBy(this.held, ms, unreachable, () => true);
  }

  /** Writes `writer`'s document to every store but the unwritable ones. */
  write(write: Omit<StoreWrite, "region">, regions: readonly string[], unwritable: ReadonlySet<string>): void {
    for (const region of regions) {
      if (unwritable.has(region)) continue;
      const stored = { ...write, region };
      this.writes.push(stored);
      const docs = this.held.get(region) ?? new Map<string, StoreWrite>();
      docs.set(write.writer, stored);
      this.held.set(region, docs);
    }
  }
}

function fresh(writtenMs: number, ms: number): boolean {
  return ms - writtenMs <= SIGNAL_STALE_SECONDS * 1000;
}

function drainedBy(
  held: ReadonlyMap<string, ReadonlyMap<string, StoreWrite>>,
  ms: number,
  skip: ReadonlySet<string>,
  counts: (writer: string) => boolean,
): string[] {
  const out = new Set<string>();
  for (const [region, docs] of held) {
    if (skip.has(region)) continue;
    for (const doc of docs.values())
      if (counts(doc.writer) && fresh(doc.ms, ms)) for (const id of doc.drain) out.add(id);
  }
  return [...out];
}
