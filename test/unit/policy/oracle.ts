import type { FailoverConfig } from "../../../functions/lib/config.ts";
import type { PolicyMemory } from "../../../functions/lib/policy/memory.ts";
import type { ProbeRound } from "../../../functions/lib/types.ts";

/**
 * The policy's rules restated from the README, independently of the code
 * under test, so a property can judge the decider by something other than
 * its own outputs. Written as the rules read, not as the code computes them:
 * no vantage is ever set aside in the runs these judge (see ./outages.ts).
 */

export type Health = "up" | "down" | "unknown";

/** One target in one round, recounted from the votes. */
export interface OracleRound {
  at: number;
  health: Health;
  up: string[];
  down: string[];
  silent: string[];
  /** Every configured vantage voted down. */
  unanimous: boolean;
}

/**
 * Quorum per round: a side wins with more than half of the votes cast, and
 * with at least a fixed-count quorum; fewer voters than `minVantages` is
 * unknown; a vantage with no vote is silent, never down.
 */
export function oracleRound(config: FailoverConfig, round: ProbeRound, target: string): OracleRound {
  const vote = (vantage: string) => round.votes[vantage]?.[target];
  const up = config.vantages.filter((vantage) => vote(vantage) === true);
  const down = config.vantages.filter((vantage) => vote(vantage) === false);
  const silent = config.vantages.filter((vantage) => vote(vantage) === undefined);
  const voters = up.length + down.length;
  const { quorum, minVantages } = config.policy;
  const wins = (votes: number) =>
    voters >= minVantages && 2 * votes > voters && (quorum === "majority" || votes >= quorum);
  const health: Health = wins(down.length) ? "down" : wins(up.length) ? "up" : "unknown";
  return { at: round.at, health, up, down, silent, unanimous: down.length === config.vantages.length };
}

/** Every round of `rounds` for `target`, oldest first. */
export function oracleSeries(config: FailoverConfig, rounds: readonly ProbeRound[], target: string): OracleRound[] {
  return rounds.map((round) => oracleRound(config, round, target));
}

/**
 * Rounds of down in a row ending at the latest round; a round that is not
 * down, or a missing round (a gap longer than the interval), ends the run.
 */
export function downRun(series: readonly OracleRound[], interval: number): number {
  let run = 0;
  for (let i = series.length - 1; i >= 0; i--) {
    const round = series[i];
    const after = series[i + 1];
    if (round?.health !== "down" || (after !== undefined && after.at - round.at > interval)) break;
    run++;
  }
  return run;
}

/**
 * Down rounds in a row a drain needs now: `drainAfterRounds`, one more when
 * the latest round is not unanimous (a vantage voted up or is silent).
 */
export function roundsToDrain(config: FailoverConfig, latest: OracleRound): number {
  return config.policy.drainAfterRounds + (latest.unanimous ? 0 : 1);
}

/**
 * Seconds `target` has been continuously up by `now` since it was drained
 * at `drainedAt`: from the first up round after both the drain and the last
 * down round (unknown rounds neither count as down nor break the stretch);
 * 0 when the latest round is not up.
 */
export function upSinceDrain(series: readonly OracleRound[], drainedAt: number, now: number): number {
  const latest = series.at(-1);
  if (latest?.health !== "up") return 0;
  const lastDown = lastDownRound(series)?.at ?? Number.NEGATIVE_INFINITY;
  const firstUp = series.find((round) => round.health === "up" && round.at > lastDown);
  return firstUp === undefined ? 0 : now - Math.max(firstUp.at, drainedAt);
}

/** The latest down round of `series`, if any. */
export function lastDownRound(series: readonly OracleRound[]): OracleRound | undefined {
  return [...series].reverse().find((round) => round.health === "down");
}

export type Mode = "in-service" | "drained" | "held" | "ramp";

/** A target's mode in a memory (none written yet: in service). */
export function modeOf(memory: PolicyMemory | undefined, target: string): { mode: Mode; step?: number } {
  const state = memory?.targets[target];
  if (state === undefined) return { mode: "in-service" };
  return state.mode === "ramp" ? { mode: "ramp", step: state.step ?? 0 } : { mode: state.mode };
}
