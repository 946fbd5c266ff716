import type { Weights } from "../../functions/lib/types.ts";
import type { WeightedAddress } from "./pdns.ts";

/**
 * The address each target's records carry in the drill's real DNS: 127.0.2.N
 * for the Nth target (loopback, never routed). A client maps the address it
 * resolved back to the target, and reaches that target through its path.
 */
export function targetAddresses(ids: readonly string[]): Map<string, string> {
  if (ids.length > 250) throw new RangeError(`at most 250 targets get an address, got ${ids.length}`);
  return new Map(ids.map((id, index) => [id, `127.0.2.${index + 1}`]));
}

/** What the authoritative server answers with for answer shares (answers.ts's `answerShares`), one address per target. */
export function weightedAnswers(shares: Weights, addresses: ReadonlyMap<string, string>): WeightedAddress[] {
  return [...addresses].map(([id, address]) => ({ address, weight: shares[id] ?? 0 }));
}
