import type { Route53Switcher } from "../aws/route53.ts";
import type { Clock } from "../clock.ts";
import type { FailoverConfig } from "../config.ts";
import type { SignalStore } from "../dataplane/signal-store.ts";
import { FailoverError } from "../errors.ts";
import { log as defaultLog, type Logger } from "../log.ts";
import type { AuditTrail } from "../audit-trail.ts";
import type { PracticeHistory } from "../practice-history.ts";
import type { AlarmPort } from "./ports.ts";
import type { Announce } from "../control/announcer.ts";
import { logChangeSync, waitForChangeSync } from "../control/change-sync.ts";
import type { VotePort } from "./ports.ts";
import { runDecisionRound, type RoundOutcome } from "./round.ts";
import { FAST_POLL_MS, planDecisionRounds } from "./schedule.ts";

export type { RoundOutcome } from "./round.ts";

export interface DecideDeps {
  config: FailoverConfig;
  /** This decider's region; one of `config.controlRegions`. */
  controlRegion: string;
  clock: Clock;
  switcher: Route53Switcher;
  /** Votes in, the decision's metrics out (deployed: ../wiring/votes.ts voteChannel). */
  bus: VotePort;
  /** @default the process logger (JSON lines on stdout) */
  log?: Logger;
  /** Log and publish what would change, write nothing. @default config.dryRun */
  dryRun?: boolean;
  /** Publishes each change this decider makes for Slack. @default none: changes are not announced */
  announce?: Announce;
  /** Where an announced lease's who-and-why is read (../audit-trail.ts). @default none: shown as "(audit unavailable)" */
  audit?: AuditTrail;
  /** Where practice runs are recorded (config `practice`; ../practice-history.ts). @default none: not recorded */
  practiceHistory?: PracticeHistory;
  /** Where the practice alarms are read (deployed: ../aws/cloudwatch.ts MetricsBus). @default none: no practice run starts or ends by its alarms */
  alarms?: AlarmPort;
  /** Data-plane signal stores of every control region (drains through health checks, rounds while the Route 53 API is down). @default none: records only */
  signals?: SignalStore;
  /** Longest `run` follows a weight change until Route 53 reports it INSYNC (never past the invocation's budget). @default 90000 */
  maxSyncWaitMs?: number;
  /**
   * Told the planned round starts (epoch ms) that `run` skipped because the round before overran their slot
   * (they are logged too): a decider too slow for its rounds detects late. @default none
   */
  onRoundsSkipped?: (startsMs: number[]) => void;
  /**
   * Runs each round of `run` (given as a function), so a caller can measure it: the drill counts each round's
   * AWS calls and wall time. Must return the round's outcome (or throw its error). @default runs the round as is
   */
  aroundRound?: (round: () => Promise<RoundOutcome>) => Promise<RoundOutcome>;
}

/**
 * The decider: `runRound` decides once now (its change is not followed);
 * `run` decides after every probe round until the budget is spent (and,
 * while a decision needs attention, every {@link FAST_POLL_MS} until the next
 * planned round, so a drain follows the re-checked votes at once), and
 * follows each weight change it applies until INSYNC in the background
 * (logged, never re-sent), collected before it returns so a frozen Lambda
 * keeps no poll pending.
 */
export function createDecideHandler(deps: DecideDeps) {
  const { config, controlRegion, clock } = deps;
  const log = deps.log ?? defaultLog;
  if (!config.controlRegions.includes(controlRegion)) {
    throw new FailoverError(
      "CONFIG_INVALID",
      `control region "${controlRegion}" is not listed in config.controlRegions (${config.controlRegions.join(", ")})`,
      {
        hint: "Deploy deciders only to the control regions, or set FAILOVER_CONTROL_REGION to one of them.",
      },
    );
  }
  const roundDeps = {
    config,
    controlRegion,
    switcher: deps.switcher,
    bus: deps.bus,
    log,
    dryRun: deps.dryRun ?? config.dryRun,
    ...(deps.announce ? { announce: deps.announce } : {}),
    ...(deps.audit ? { audit: deps.audit } : {}),
    ...(deps.signals ? { signals: deps.signals } : {}),
    // The practice alarms are read only with practice runs configured (one DescribeAlarms per alarm region).
    ...(config.practice && deps.alarms ? { alarms: deps.alarms } : {}),
    ...(deps.practiceHistory ? { practiceHistory: deps.practiceHistory } : {}),
  };
  const runRound = (): Promise<RoundOutcome> => runDecisionRound(roundDeps, Math.floor(clock.now() / 1000));
  const maxSyncWaitMs = deps.maxSyncWaitMs ?? 90_000;
  const run = async (budgetMs: number): Promise<RoundOutcome[]> => {
    const deadlineMs = clock.now() + Math.max(0, budgetMs);
    const syncs: Promise<void>[] = [];
    // Started the moment a change is applied, so the wait is measured from there and the next rounds do not wait for it.
    const followChange = (changeId: string) => {
      const timeoutMs = Math.min(maxSyncWaitMs, deadlineMs - clock.now());
      syncs.push(
        waitForChangeSync(deps.switcher, changeId, timeoutMs, clock).then((followed) =>
          logChangeSync(log, followed, { controlRegion }),
        ),
      );
    };
    const runDeps = { ...roundDeps, followChange };
    const outcomes: RoundOutcome[] = [];
    let failures = 0;
    let lastError: unknown;
    const decideNow = async (): Promise<RoundOutcome | undefined> => {
      try {
        const round = () => runDecisionRound(runDeps, Math.floor(clock.now() / 1000));
        const outcome = await (deps.aroundRound ? deps.aroundRound(round) : round());
        outcomes.push(outcome);
        return outcome;
      } catch (error) {
        failures++;
        lastError = error;
        log.error("decider round failed; the next round tries again", { controlRegion, error });
        return undefined;
      }
    };
    const planned = planDecisionRounds(config, clock.now(), budgetMs);
    const skipped: number[] = [];
    for (const [index, start] of planned.entries()) {
      const waitMs = start - clock.now();
      if (waitMs > 0) await clock.sleep(waitMs);
      else if (-waitMs >= config.probe.intervalSeconds * 1000) {
        skipped.push(start); // the previous round overran this slot; the next one reads the same data
        continue;
      }
      let outcome = await decideNow();
      // Something looks wrong: decide again as more votes become readable, until the next planned round.
      const until = Math.min(planned[index + 1] ?? deadlineMs, deadlineMs) - FAST_POLL_MS / 2;
      while (outcome?.attention && !outcome.switched && clock.now() + FAST_POLL_MS <= until) {
        await clock.sleep(FAST_POLL_MS);
        outcome = await decideNow();
      }
    }
    await Promise.all(syncs);
    if (skipped.length > 0) {
      log.warn("decider rounds skipped: the round before overran their slot", {
        controlRegion,
        skipped: skipped.map((ms) => ms / 1000),
      });
      deps.onRoundsSkipped?.(skipped);
    }
    if (outcomes.length === 0 && failures > 0)
      throw new FailoverError(
        "DECIDER_FAILED",
        `every decider round of this invocation in ${controlRegion} failed (${failures})`,
        { hint: "See the logged errors; the DeciderHeartbeat alarm fires while this lasts.", cause: lastError },
      );
    return outcomes;
  };
  return { runRound, run };
}
