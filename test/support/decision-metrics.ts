import type { DecisionMetrics } from "../../functions/lib/metric-datums.ts";

/** A steady decision at `at` in `controlRegion`: `weights` in force, every target up, nothing switched, held or set aside. */
export function steadyDecisionMetrics(
  at: number,
  controlRegion: string,
  weights: Record<string, number>,
): DecisionMetrics {
  return {
    at,
    controlRegion,
    weights,
    health: Object.fromEntries(Object.keys(weights).map((id) => [id, "up" as const])),
    switchovers: [],
    allDown: false,
    flapHeld: [],
    overrideAgeSeconds: 0,
    heartbeat: true,
    suspects: [],
    signalWriteFailed: [],
    signalDisagrees: false,
    signalStale: [],
  };
}
