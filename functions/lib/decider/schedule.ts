import type { FailoverConfig } from "../config.ts";
import { planRounds } from "../probe/schedule.ts";

/**
 * While a decision needs attention (a down vote, or a round still missing
 * votes: see `Decision.attention`), the decider decides again this often
 * until its next planned round, so a drain happens as soon as a quorum of
 * re-checked votes is readable rather than a round later. Costs reads only
 * when something looks wrong.
 */
export const FAST_POLL_MS = 1000;

/** Time a decider round is given (read window, CAS, publish) when planning how many fit. */
const ROUND_RESERVE_MS = 3000;

/**
 * Milliseconds after each probe round's aligned start that the decider runs:
 * an answered check and its re-check (`probe.recheckAfterMs` later) are over
 * by then and published about a second later; with re-checks off, the
 * checks end within `timeoutMs`. Votes still missing then (a check hanging
 * until its timeout) make the decision need attention, and the decider
 * polls for them (FAST_POLL_MS). Never later than a second before the next
 * probe round.
 */
export function deciderOffsetMs(config: FailoverConfig): number {
  const intervalMs = config.probe.intervalSeconds * 1000;
  const checksOverMs =
    config.probe.recheckAfterMs > 0 ? config.probe.recheckAfterMs : Math.ceil(config.probe.timeoutMs / 1000) * 1000;
  return Math.min(intervalMs - 1000, checksOverMs + 1500);
}

/**
 * How long one decider invocation decides: the whole minute its schedule
 * covers, so that the round after the :50 probe round (at about :55.5) is
 * decided too. With the probes' budget (55 s) that round never fitted and
 * detection lost up to one round. The Lambda timeout (budget + check
 * timeout + 10 s) leaves room for the last round to finish.
 */
export function deciderBudgetMs(_config: FailoverConfig): number {
  return 60_000;
}

/**
 * Start times (epoch ms) of the decider rounds of one invocation: the probe
 * rounds' aligned starts shifted by {@link deciderOffsetMs}, each leaving
 * time to finish before the budget ends. Pure arithmetic.
 */
export function planDecisionRounds(config: FailoverConfig, nowMs: number, budgetMs: number): number[] {
  const offsetMs = deciderOffsetMs(config);
  const intervalMs = config.probe.intervalSeconds * 1000;
  return planRounds({
    nowMs: nowMs - offsetMs,
    intervalSeconds: config.probe.intervalSeconds,
    timeoutMs: ROUND_RESERVE_MS,
    budgetSeconds: Math.max(0, budgetMs) / 1000,
    publishReserveMs: 0,
    // A scheduled invocation arrives a little late; its first round still reads fresh data until the next probe round lands.
    lateToleranceMs: Math.max(0, intervalMs - offsetMs - 1000),
    maxRounds: Math.ceil(budgetMs / intervalMs) + 1,
  }).map((start) => start + offsetMs);
}

/**
 * Lambda timeout for a function that runs rounds for `probe.budgetSeconds`
 * (probe and decider): the budget, plus one check timeout (a round started
 * at the end of the budget), plus 10 s for the last publish.
 */
export function roundsTimeoutSeconds(config: FailoverConfig): number {
  return config.probe.budgetSeconds + Math.ceil(config.probe.timeoutMs / 1000) + 10;
}
