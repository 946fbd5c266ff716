import type { FailoverConfig } from "../config.ts";
import type { ProbeRound } from "../types.ts";
import { roundVerdict, type RoundVerdict } from "./votes.ts";

/** A target's health over the window: the latest round's verdict plus what the window says about its recent past. */
export interface TargetVerdict extends RoundVerdict {
  /** Consecutive down rounds ending at the latest round (a missing or non-down round ends the run). */
  downRounds: number;
  /** Seconds continuously up ending now: from the first up round after the last down round; 0 when none. */
  upSeconds: number;
}

/**
 * Derives a target's verdict from the rounds window (oldest first). Only
 * rounds in `(now - windowSeconds, now]` count; the latest is the verdict.
 * Unknown rounds neither count as down nor break an up stretch; a gap of
 * more than one interval between rounds ends a run of down rounds.
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
  const verdicts = window.map((round) => ({ at: round.at, ...roundVerdict(config, round, target) }));
  const latest = verdicts.at(-1) ?? { at: now, ...roundVerdict(config, undefined, target) };

  let downRounds = 0;
  for (let i = verdicts.length - 1; i >= 0; i--) {
    const verdict = verdicts[i];
    const next = verdicts[i + 1];
    if (verdict?.health !== "down" || (next !== undefined && next.at - verdict.at > interval)) break;
    downRounds++;
  }

  let upSince: number | undefined;
  for (let i = verdicts.length - 1; i >= 0; i--) {
    const verdict = verdicts[i];
    if (verdict === undefined || verdict.health === "down") break;
    if (verdict.health === "up") upSince = verdict.at;
  }
  const upSeconds = upSince === undefined ? 0 : Math.max(0, now - upSince);
  return {
    health: latest.health,
    upVotes: latest.upVotes,
    downVotes: latest.downVotes,
    silent: latest.silent,
    downRounds,
    upSeconds,
  };
}
