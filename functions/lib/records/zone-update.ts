import type { ZoneChange } from "./change-batch.ts";
import type { ZoneSnapshot } from "./zone-snapshot.ts";

/*
 * A compare-and-swap update of the zone, as its writers see it: they plan a
 * change on each snapshot read and get the result back. The Route 53
 * adapter (../aws/route53.ts Route53Switcher.update) carries it out; the
 * decider's ZonePort (../decider/ports.ts) and the manual function use
 * these types without reaching into the adapter.
 */

/** What the plan of a compare-and-swap update made of one snapshot. */
export interface UpdatePlan<T> {
  /** The change to write; undefined writes nothing. */
  change: ZoneChange | undefined;
  /** What the plan decided, handed back in the result (from the last snapshot read). */
  decided: T;
}

/** What a compare-and-swap update did, and what its plan decided on the last snapshot it read. */
export interface UpdateResult<T = unknown> {
  applied: boolean;
  attempts: number;
  /** The snapshot the change was decided on (the last one read). */
  snapshot: ZoneSnapshot;
  /** What the plan decided on that snapshot. */
  decided: T;
  change?: ZoneChange;
  changeId?: string;
  /** Every answer to the change was lost and a read back showed it in place: applied, its change id unknown. */
  readBack?: true;
}
