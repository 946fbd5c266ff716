import { HEALTHY_CHECKER_SHARE } from "./check-status.ts";

/**
 * Delays of the data-plane path, from a decider's signal to DNS answers.
 * docs/dataplane.md says which are documented by AWS and which are assumed;
 * the replay adds them up and the drill's health-check stand-in uses them.
 */
export interface DataPlaneTiming {
  /** Decider writes the signal store in every control region and the endpoint answers from it (assumed). @default 1 */
  signalSeconds: number;
  /** Health-check request interval (documented: 10 s "fast" interval, failure threshold 1). @default 10 */
  checkIntervalSeconds: number;
  /** From the checkers' results to the calculated check's status (not documented: assumed). @default 2 */
  aggregateSeconds: number;
  /** From the health-check status to Route 53's DNS answers (not documented: assumed). @default 5 */
  answerSeconds: number;
}

export const DEFAULT_DATA_PLANE_TIMING: DataPlaneTiming = {
  signalSeconds: 1,
  checkIntervalSeconds: 10,
  aggregateSeconds: 2,
  answerSeconds: 5,
};

/**
 * Share of checkers that must have seen the new answer before an inverted
 * signal check changes status. Route 53 calls an endpoint healthy while more
 * than 18% of its checkers report success (documented); a success here is
 * "drain <id>" found, and inversion makes that unhealthy. So a drain shows
 * once more than 18% of the checkers saw it, and an undrain only once at
 * least 82% stopped seeing it (fewer than 18% still do).
 */
export const SIGNAL_CHECKER_SHARE = { drain: HEALTHY_CHECKER_SHARE, undrain: 1 - HEALTHY_CHECKER_SHARE } as const;

/**
 * Seconds from a signal to DNS answers, at worst, either way. Checkers do not
 * coordinate and each asks once per interval (failure threshold 1), so a whole
 * interval after the change every checker has asked: enough for the drain
 * (> 18 % of checkers) and for the undrain (82 %). A drain is usually seen
 * much sooner (the first few checkers suffice); an undrain takes nearly the
 * whole interval. The two steps after the checkers are not documented by AWS.
 */
export function dataPlaneDelaySeconds(timing: DataPlaneTiming = DEFAULT_DATA_PLANE_TIMING): number {
  return timing.signalSeconds + timing.checkIntervalSeconds + timing.aggregateSeconds + timing.answerSeconds;
}

/**
 * Expected seconds after a change until enough checkers have asked for the
 * check to change status: with `checkers` uncoordinated checkers at uniform
 * phases over one interval, the k-th ask comes on average after k/(n+1) of
 * an interval. A drain needs k = the fewest checkers that are more than 18 %;
 * an undrain needs all but the 18 % or fewer that may still report drain.
 */
export function expectedCheckerSeconds(
  direction: keyof typeof SIGNAL_CHECKER_SHARE,
  checkers: number,
  timing: Pick<DataPlaneTiming, "checkIntervalSeconds"> = DEFAULT_DATA_PLANE_TIMING,
): number {
  const needed =
    direction === "drain"
      ? Math.floor(checkers * HEALTHY_CHECKER_SHARE) + 1
      : checkers - Math.floor(checkers * HEALTHY_CHECKER_SHARE);
  return (timing.checkIntervalSeconds * Math.min(needed, checkers)) / (checkers + 1);
}
