import type { FailoverConfig } from "../config.ts";
import type { ProbeRound } from "../types.ts";

/** Why a vantage's votes are set aside. */
export type SuspectReason = "disagrees" | "conflicting";

/** A vantage set aside as a suspect checker, for one target (or, when conflicting, for all). */
export interface SuspectChecker {
  vantage: string;
  reason: SuspectReason;
  /** Epoch seconds of the round from which it has been set aside. */
  since: number;
}

/**
 * Which vantages are suspect checkers of `target` in each round of `rounds`
 * (oldest first): the set aside in round i is `result[i]`.
 *
 * A vantage that saw the target down while every other vantage that voted
 * (at least `minVantages` of them) saw it up, for `suspectAfterRounds`
 * rounds with no agreeing round between, is partitioned from the target,
 * not evidence of an outage: it is set aside until a round in which its vote
 * agrees with the others' majority (a round where the others are split or
 * it is silent changes nothing). A vantage whose datums for one round
 * conflicted (`round.conflicts`: two different values for one round, which
 * a genuine probe never publishes) is set aside for every target while that
 * round is in the window. Derived from the window alone, so the deciders
 * stay stateless and agree.
 */
export function suspectCheckers(
  config: FailoverConfig,
  rounds: readonly ProbeRound[],
  target: string,
): Array<Map<string, SuspectChecker>> {
  const needed = config.policy.suspectAfterRounds;
  const conflicting = new Map<string, number>();
  for (const round of rounds)
    for (const vantage of round.conflicts ?? []) if (!conflicting.has(vantage)) conflicting.set(vantage, round.at);
  const streak = new Map<string, number>();
  const suspect = new Map<string, number>();
  return rounds.map((round) => {
    for (const vantage of config.vantages) {
      if (conflicting.has(vantage)) continue;
      const own = round.votes[vantage]?.[target];
      if (own === undefined) continue;
      let up = 0;
      let down = 0;
      for (const other of config.vantages) {
        if (other === vantage || conflicting.has(other)) continue;
        const vote = round.votes[other]?.[target];
        if (vote === true) up++;
        else if (vote === false) down++;
      }
      if (own === false && down === 0 && up >= config.policy.minVantages) {
        const count = (streak.get(vantage) ?? 0) + 1;
        streak.set(vantage, count);
        if (count >= needed && !suspect.has(vantage)) suspect.set(vantage, round.at);
      } else if ((own && up > down) || (!own && down > up)) {
        streak.delete(vantage);
        suspect.delete(vantage);
      }
    }
    const aside = new Map<string, SuspectChecker>();
    for (const [vantage, at] of conflicting) aside.set(vantage, { vantage, reason: "conflicting", since: at });
    for (const [vantage, since] of suspect) aside.set(vantage, { vantage, reason: "disagrees", since });
    return aside;
  });
}
