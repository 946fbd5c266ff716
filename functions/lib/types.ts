/**
 * Shapes shared by the policy engine, the adapters, the handlers, the replay
 * and the drill. Pure data: no behaviour lives here.
 */

/** A target's id, as in `config.targets[].id` (also its Route 53 SetIdentifier). */
export type TargetId = string;
/** A vantage is the AWS region a probe runs in, e.g. `eu-west-1`. */
export type VantageId = string;
/** Route 53 weights by target, each an integer 0-255. */
export type Weights = Record<TargetId, number>;

/**
 * What every vantage saw in one probe round.
 *
 * `at` is the round's start in epoch seconds, aligned to a multiple of
 * `probe.intervalSeconds`, so round N means the same moment at every vantage.
 * `votes[vantage][target]` is true when the check passed. A vantage absent
 * from `votes` has no vote this round (no fresh result, failed its canary,
 * or could not publish); a target absent under a present vantage likewise.
 */
export interface ProbeRound {
  at: number;
  votes: Record<VantageId, Record<TargetId, boolean>>;
  /** Vantages that published conflicting datums for this round (a genuine probe publishes one value per round): no vote, set aside as suspect checkers. */
  conflicts?: VantageId[];
}

/** Why a check failed, as the prober reports it. */
export type ProbeErrorKind =
  | "timeout"
  | "refused"
  | "reset"
  | "dns"
  | "tls"
  | "status"
  | "body"
  | "latency"
  | "redirect"
  | "other";
