import type { FailoverConfig } from "../config.ts";
import type { ProbeRound } from "../types.ts";
import { suspectCheckers, type SuspectChecker } from "./suspects.ts";
import { roundVerdict, type RoundVerdict } from "./votes.ts";

/** A target's health over the window: the latest round's verdict plus what the window says about its recent past. */
export interface TargetVerdict extends RoundVerdict {
  /** Consecutive down rounds ending at the latest round (a missing or non-down round ends the run). */
  downRounds: number;
  /** Seconds continuously up ending now: from the first up round after the last down round; 0 when none. */
  upSeconds: number;
  /** Vantages set aside in the latest round, and why. */
  suspects: SuspectChecker[];
  /** Epoch seconds of the round the verdict is from (`now` when the window has none). */
  at: number;
}

/**
 * Derives a target's verdict from the rounds window (oldest first). Only
 * rounds in `(now - windowSeconds, now]` count; the latest is the verdict,
 * except that a newest round begun less than one interval ago whose verdict
 * is still unknown is in progress (its votes are still being checked,
 * re-checked and published) and is left out rather than read as silence.
 * Unknown rounds neither count as down nor break an up stretch; a gap of
 * more than one interval between rounds ends a run of down rounds. Votes of
 * suspect checkers (./suspects.ts) do not count.
 */
export function targetVerdict(
  config: FailoverConfig,
  rounds: readonly ProbeRound[],
  target: string,
  now: number,
  windowSeconds: number,
): TargetVerdict {
  const interval = config.probe.intervalSeconds;
  const window = rounds
    .filter((round) => round.at <= now && round.at > now - windowSeconds)
    .sort((a, b) => a.at - b.at);
  const suspects = suspectCheckers(config, window, target);
  const verdicts = window.map((round, i) => {
    // An empty set aside is the same as none.
    const aside = suspects[i] ?? new Map<string, SuspectChecker>();
    return {
      at: round.at,
      suspects: [...aside.values()],
      ...roundVerdict(config, round, target, new Set(aside.keys())),
    };
  });
  const newest = verdicts.at(-1);
  if (newest !== undefined && newest.health === "unknown" && newest.at > now - interval && verdicts.length > 1)
    verdicts.pop();
  const latest = verdicts.at(-1) ?? { at: now, suspects: [], ...roundVerdict(config, undefined, target) };

  // Newest first: the run of down rounds and the up stretch both end at the latest round.
  const newestFirst = [...verdicts].reverse();
  let downRounds = 0;
  let after = Number.NEGATIVE_INFINITY; // `at` of the round after this one; none after the latest, so no gap
  for (const verdict of newestFirst) {
    if (verdict.health !== "down" || after - verdict.at > interval) break;
    downRounds++;
    after = verdict.at;
  }

  let upSince: number | undefined;
  for (const verdict of newestFirst) {
    if (verdict.health === "down") break;
    if (verdict.health === "up") upSince = verdict.at;
  }
  const upSeconds = upSince === undefined ? 0 : Math.max(0, now - upSince);
  return {
    health: latest.health,
    upVotes: latest.upVotes,
    downVotes: latest.downVotes,
    silent: latest.silent,
    setAside: latest.setAside,
    unanimous: latest.unanimous,
    suspects: latest.suspects,
    at: latest.at,
    downRounds,
    upSeconds,
  };
}
