import type { FailoverConfig } from "../config.ts";
import type { ProbeRound } from "../types.ts";

export type TargetHealth = "up" | "down" | "unknown";

/** One target's verdict in one round, with the votes behind it. */
export interface RoundVerdict {
  health: TargetHealth;
  /** Vantages whose check passed. */
  upVotes: string[];
  /** Vantages whose check failed. */
  downVotes: string[];
  /** Configured vantages with no fresh vote (no result, failed canary, could not publish), not counting those set aside. */
  silent: string[];
  /** Vantages whose vote was set aside as a suspect checker's (see ./suspects.ts). */
  setAside: string[];
  /** Down with every configured vantage not set aside voting down: nothing contradicts it and nobody is missing. */
  unanimous: boolean;
}

/**
 * Votes one side needs for a verdict when `voters` vantages voted: more than
 * half of them, and at least a fixed-count quorum. The one place the rule is
 * written: needing more than half is also why the two sides can never both
 * reach it, and why an even split is unknown.
 */
export function votesNeeded(quorum: FailoverConfig["policy"]["quorum"], voters: number): number {
  const majority = Math.floor(voters / 2) + 1;
  return quorum === "majority" ? majority : Math.max(quorum, majority);
}

/**
 * A target's verdict in one round: down when {@link votesNeeded} of the
 * vantages that voted saw it fail, up when as many saw it pass, unknown
 * otherwise (also when fewer than `minVantages` voted).
 * Vantages in `setAside` do not vote.
 */
export function roundVerdict(
  config: FailoverConfig,
  round: ProbeRound | undefined,
  target: string,
  setAside: ReadonlySet<string> = new Set(),
): RoundVerdict {
  const upVotes: string[] = [];
  const downVotes: string[] = [];
  const silent: string[] = [];
  const aside: string[] = [];
  for (const vantage of config.vantages) {
    if (setAside.has(vantage)) {
      aside.push(vantage);
      continue;
    }
    const vote = round?.votes[vantage]?.[target];
    if (vote === true) upVotes.push(vantage);
    else if (vote === false) downVotes.push(vantage);
    else silent.push(vantage);
  }
  const voters = upVotes.length + downVotes.length;
  const needed = votesNeeded(config.policy.quorum, voters);
  let health: TargetHealth = "unknown";
  if (voters >= config.policy.minVantages) {
    if (downVotes.length >= needed) health = "down";
    else if (upVotes.length >= needed) health = "up";
  }
  const unanimous = health === "down" && upVotes.length === 0 && silent.length === 0;
  return { health, upVotes, downVotes, silent, setAside: aside, unanimous };
}
