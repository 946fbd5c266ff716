import { describeError } from "../errors.ts";
import type { SignalStore } from "../dataplane/signal-store.ts";
import type { Weights } from "../types.ts";

/**
 * Makes a lease decide what DNS answers, the drain signal included: writes
 * the override document (every control region) naming the targets the
 * lease gives traffic, until the lease ends; their drain signals no longer
 * count while it lasts. Without it a `promote` of a drained target would
 * answer "primary 0 → 100" while DNS kept answering the other target.
 * `until` ≤ `now` ends an earlier override (a release). Returns problems
 * (a store that refused the write), never throws.
 */
export async function writeSignalOverride(
  signals: SignalStore | undefined,
  change: { lease: string; weights: Weights; now: number; until: number },
): Promise<string[]> {
  if (signals === undefined) return [];
  const serve = Object.keys(change.weights).filter((id) => (change.weights[id] ?? 0) > 0);
  try {
    const writes = await signals.publishOverride({
      v: 2,
      at: change.now,
      by: "manual",
      lease: change.lease,
      serve: change.until > change.now ? serve : [],
      until: change.until,
    });
    return writes
      .filter((write) => !write.ok)
      .map(
        (write) =>
          `signal override not written in ${write.region} (${write.error ?? "refused"}): a drain signal there may still keep ${serve.join(", ") || "a target"} out of DNS answers; run the command again`,
      );
  } catch (error) {
    return [`signal override not written: ${describeError(error)}`];
  }
}
