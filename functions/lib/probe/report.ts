import type { ProbeErrorKind } from "../types.ts";

/** One target's check in a probe round, as the probe publishes it. */
export interface ProbeCheckResult {
  target: string;
  ok: boolean;
  latencyMs: number;
  status?: number;
  errorKind?: ProbeErrorKind;
}

/** What one vantage found in one round: its votes (a vote item), latencies and canary, for every control region. */
export interface ProbeRoundReport {
  vantage: string;
  /** Epoch seconds, aligned round start. */
  at: number;
  /** False when the canary failed: no vote item is written and no ProbeVotes datum sent. */
  voting: boolean;
  canary?: { ok: boolean; latencyMs: number };
  results: ProbeCheckResult[];
}
