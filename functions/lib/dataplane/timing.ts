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
 * Seconds from a signal to DNS answers, at worst: every checker (they do not
 * coordinate) must have asked once after the store changed, so a whole
 * interval, for the > 82 % of checkers that decide an unhealthy status.
 */
export function dataPlaneDelaySeconds(timing: DataPlaneTiming = DEFAULT_DATA_PLANE_TIMING): number {
  return timing.signalSeconds + timing.checkIntervalSeconds + timing.aggregateSeconds + timing.answerSeconds;
}
