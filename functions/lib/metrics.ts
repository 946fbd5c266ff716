/**
 * Names of every CloudWatch metric and dimension this system publishes.
 * Probes, deciders, alarms (stacks), the drill's alarm evaluator and the
 * cost model all import them from here, so a rename cannot split them.
 * The namespace is `config.metricNamespace` (default `RegionalFailover`).
 */
export const Metric = {
  /** 1 when the check of `Target` from `Vantage` passed, 0 when it failed. Not published for a round whose canary failed (no vote). High resolution, timestamped at the round start. */
  ProbeSuccess: "ProbeSuccess",
  /** Check latency in milliseconds, `Target` × `Vantage`. For dashboards; the decider does not read it. */
  ProbeLatency: "ProbeLatency",
  /** 1 when the vantage reached its canary, 0 when not (its round does not vote). Dimension `Vantage`. */
  CanarySuccess: "CanarySuccess",
  /** 1 per completed probe round. Dimension `Vantage`. Missing data: the vantage is silent. */
  VantageHeartbeat: "VantageHeartbeat",
  /** 1 per decider round that read enough votes to decide. Dimension `ControlRegion` (the decider's region). Published to every control region. */
  DeciderHeartbeat: "DeciderHeartbeat",
  /** Current weight, dimension `Target`. */
  TargetWeight: "TargetWeight",
  /** Verdict per round, dimension `Target`: 1 up, 0 down (unknown is not published). */
  TargetHealthy: "TargetHealthy",
  /** 1 per weight change actually applied. No dimensions (for the alarm) and again with `Target`, `Direction` (drain|restore|ramp|pin) and `Mode` (automatic|manual). */
  Switchover: "Switchover",
  /** 1 when every target is down and the decider fails open, else 0. */
  AllTargetsDown: "AllTargetsDown",
  /** 1 while a target is held drained because its flap budget is spent, else 0. Dimension `Target`, and again with none. */
  FlapBudgetSpent: "FlapBudgetSpent",
  /** Age in seconds of the active override lease; 0 when none. */
  OverrideAgeSeconds: "OverrideAgeSeconds",
} as const;

export type MetricName = (typeof Metric)[keyof typeof Metric];

export const Dimension = {
  Target: "Target",
  Vantage: "Vantage",
  ControlRegion: "ControlRegion",
  Direction: "Direction",
  Mode: "Mode",
} as const;

/** Name of the TXT record holding the override lease, beside the first managed record. */
export function leaseRecordName(firstRecordName: string): string {
  return `_lease._failover.${firstRecordName}`;
}

/** Name of the TXT record holding the policy's memory (drain history, ramp step), written in the same batch as the weights. */
export function stateRecordName(firstRecordName: string): string {
  return `_state._failover.${firstRecordName}`;
}
