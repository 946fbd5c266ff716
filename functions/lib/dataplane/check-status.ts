import type { RecordSetData } from "../records/record-set.ts";
import type { Weights } from "../types.ts";
import { answerShares } from "./answers.ts";

/** Share of checkers that must report success for Route 53 to call an endpoint healthy (documented: more than 18%). */
export const HEALTHY_CHECKER_SHARE = 0.18;

/** One control region's signal check of a target, as status shows it. */
export interface SignalCheckStatus {
  region: string;
  id: string;
  /** Checkers reporting / of those that saw success (the endpoint's answer contained `drain <id>`). */
  checkers: number;
  succeeded: number;
  /** The check's status after inversion; "unknown" when no checker reported yet (Route 53 then counts it healthy). */
  status: "healthy" | "unhealthy" | "unknown";
}

/**
 * An endpoint check's status from its checkers (Route 53 developer guide,
 * "How Route 53 determines whether a health check is healthy"): healthy
 * when more than 18% of the checkers saw success, then inverted if the
 * check is. Assumed: GetHealthCheckStatus reports what each checker saw
 * before inversion (AWS does not say; a 2xx answer, or for a string-match check the string found, is a success).
 */
export function endpointStatus(checkers: number, succeeded: number, inverted: boolean): SignalCheckStatus["status"] {
  if (checkers === 0) return "unknown";
  const healthy = succeeded / checkers > HEALTHY_CHECKER_SHARE;
  return healthy !== inverted ? "healthy" : "unhealthy";
}

/** A calculated check's status: healthy while at least `threshold` children are (an unknown child counts healthy). */
export function calculatedHealthy(children: readonly SignalCheckStatus[], threshold: number): boolean {
  return children.filter((child) => child.status !== "unhealthy").length >= threshold;
}

/**
 * What DNS clients get for one record name: each target's share of the
 * answers, from the record weights and whether each record's health check
 * is healthy (a record without one is healthy), by Route 53's answer rules.
 */
export function recordAnswers(
  byTarget: Readonly<Record<string, RecordSetData>>,
  healthyCheck: (id: string) => boolean,
  ids: readonly string[],
): Weights {
  return answerShares(
    ids
      .filter((id) => byTarget[id] !== undefined)
      .map((id) => {
        const set = byTarget[id] as RecordSetData;
        return {
          id,
          weight: set.Weight ?? 0,
          healthy: set.HealthCheckId === undefined || healthyCheck(set.HealthCheckId),
        };
      }),
  );
}
