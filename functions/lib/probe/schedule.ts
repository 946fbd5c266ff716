/**
 * When an invocation's probe rounds start: pure arithmetic, no clock reads.
 *
 * Rounds align to wall-clock multiples of the interval (…:00, :10, :20 for
 * 10 s), so every vantage's round N is the same moment and the decider can
 * line votes up by timestamp.
 */
export interface RoundPlanInput {
  /** Time the invocation starts planning, epoch ms. */
  nowMs: number;
  /** Seconds between rounds (a divisor of 60). */
  intervalSeconds: number;
  /** Longest a round's checks take (the probe timeout). */
  timeoutMs: number;
  /** Seconds of the invocation spent on rounds: the last round's checks end within it. */
  budgetSeconds: number;
  /** What Lambda says is left of this invocation (`context.getRemainingTimeInMillis()`); unset: no limit beyond the budget. */
  remainingMs?: number;
  /** Time kept after the last round for its publish, within `remainingMs`. @default 3000 */
  publishReserveMs?: number;
  /**
   * How late a round may start and still take its aligned slot (a scheduled
   * invocation arrives a little after the minute).
   * @default intervalSeconds * 1000 - timeoutMs (the checks still end within the slot)
   */
  lateToleranceMs?: number;
  /** At most this many rounds. @default 1000 */
  maxRounds?: number;
}

/** Aligned round starts (epoch ms), oldest first; empty when not even one round fits. */
export function planRounds(input: RoundPlanInput): number[] {
  const intervalMs = input.intervalSeconds * 1000;
  const tolerance = input.lateToleranceMs ?? Math.max(0, intervalMs - input.timeoutMs);
  const reserve = input.publishReserveMs ?? 3000;
  const maxRounds = input.maxRounds ?? 1000;
  const budgetEnd = input.nowMs + input.budgetSeconds * 1000;
  const lambdaEnd = input.remainingMs === undefined ? Infinity : input.nowMs + input.remainingMs - reserve;
  const fits = (start: number) => start + input.timeoutMs <= budgetEnd && start + input.timeoutMs <= lambdaEnd;

  const current = Math.floor(input.nowMs / intervalMs) * intervalMs;
  let start = input.nowMs - current <= tolerance ? current : current + intervalMs;
  const starts: number[] = [];
  while (starts.length < maxRounds && fits(start)) {
    starts.push(start);
    start += intervalMs;
  }
  return starts;
}
