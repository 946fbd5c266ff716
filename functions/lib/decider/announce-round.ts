import { attributionOf } from "../audit-trail.ts";
import type { RegionResult } from "../region-result.ts";
import { practiceEvent, roundEvent } from "../control/change-event.ts";
import { describeShift } from "../control/zone-change.ts";
import { leaseActive } from "../lease.ts";
import type { DecisionMetrics } from "../metric-datums.ts";
import type { Decision } from "../policy/decide.ts";
import { applyPracticeChange } from "../policy/practice-record.ts";
import { normalWeights, sameWeights } from "../policy/weights.ts";
import type { FailoverEvent } from "../slack/failover-event.ts";
import { votesOf } from "../state-document.ts";
import type { Weights } from "../types.ts";
import type { AppliedRound } from "./apply-round.ts";
import type { Decided } from "./decide-round.ts";
import type { RoundDeps } from "./ports.ts";
import type { RoundReads } from "./read-round.ts";
import type { SignalOutcome } from "./signal-half.ts";

/** What one decider round saw, decided and did. */
export interface RoundOutcome {
  /** Epoch seconds the round decided at. */
  at: number;
  controlRegion: string;
  kind: Decision["kind"];
  reason: string;
  /** Weights in Route 53 when the (last) decision was made. */
  from: Weights;
  /** Weights the policy wants. */
  wanted: Weights;
  /** Weights in Route 53 after the round (`from` unless this round switched them). */
  weights: Weights;
  /** This decider changed the weights (a CAS it won). */
  switched: boolean;
  /** This decider wrote anything (weights, memory). */
  applied: boolean;
  /** Reads-and-decides it took: 2 or more means the other control region wrote first. */
  attempts: number;
  dryRun: boolean;
  /** "primary 90 → 0, failover 10 → 100" when the policy wants a change. */
  shift: string | undefined;
  changeId: string | undefined;
  /** The decision needs attention (a down vote, or a round still missing votes): decide again within the round. */
  attention: boolean;
  /** Per control region: was the decision's metrics publish accepted. */
  published: RegionResult[];
  /** How the round reached DNS: the records (Route 53 API answered) or the health checks only (it did not). */
  path: "api" | "data-plane";
  /** What the data-plane half did (with signal stores). */
  signals?: SignalOutcome;
}

/**
 * The last step of a round: what it did, logged, announced for Slack (once
 * for the two deciders) and published as the decision's metrics to every
 * control region, the announcement and the metrics at once.
 */
export async function announceRound(deps: RoundDeps, reads: RoundReads, applied: AppliedRound): Promise<RoundOutcome> {
  const { decided, result, switched, signals } = applied;
  const final = decided.decision;
  const ids = deps.config.targets.map((target) => target.id);
  const apiUp = result !== undefined;
  const from = applied.from;
  // With the API down there is no compare-and-swap to pick a winner: the writer whose document carried a
  // drain first (an undrain: cleared it last) announces it (../dataplane/signal-union.ts), so two deciders
  // announce one event once. An undrain both made at once is in effect once read back, though neither planned it so.
  const inEffect = apiUp
    ? switched
    : signals !== undefined &&
      final.changed &&
      signals.announcer &&
      ((signals.inEffect && signals.confirmed) || signals.undrainSeen);
  const outcome: RoundOutcome = {
    at: reads.now,
    controlRegion: deps.controlRegion,
    kind: final.kind,
    reason: final.reason,
    from,
    wanted: final.weights,
    weights: inEffect ? final.weights : from,
    switched: inEffect,
    applied: result?.applied ?? inEffect,
    attempts: result?.attempts ?? 1,
    dryRun: deps.dryRun,
    shift: final.changed ? describeShift(from, final.weights, ids) : undefined,
    changeId: result?.changeId,
    attention: final.attention,
    published: [],
    path: apiUp ? "api" : "data-plane",
    ...(signals ? { signals } : {}),
  };
  logDecision(deps, outcome, final);
  await Promise.all([
    announceAndPublish(deps, outcome, decided, reads.store?.failedThisRound() ?? []),
    recordPractice(deps, outcome, final),
    announceEndedRun(deps, outcome, final),
  ]);
  return outcome;
}

/**
 * A practice run's start, end or skip goes to the history, by the writer
 * whose write carried it (as an announcement: once for the two deciders).
 * Its record's problems are logged, never fail the round.
 */
async function recordPractice(deps: RoundDeps, outcome: RoundOutcome, decision: Decision): Promise<void> {
  const change = decision.practice;
  if (change === undefined || deps.practiceHistory === undefined || deps.dryRun || !outcome.applied) return;
  const prior = change.kind === "end" ? await deps.practiceHistory.read(change.run.id) : undefined;
  const problems = await deps.practiceHistory.write(applyPracticeChange(change, prior));
  for (const problem of problems) deps.log.warn("practice record not stored everywhere", { problem });
}

/**
 * A run ended by a real failover decision: the round announces the incident (a drain, a fail-open), and the
 * run's end is told apart, once, by the same writer.
 */
async function announceEndedRun(deps: RoundDeps, outcome: RoundOutcome, decision: Decision): Promise<void> {
  const change = decision.practice;
  if (change?.kind !== "end" || decision.kind === "practice-end" || deps.announce === undefined) return;
  if (deps.dryRun || !outcome.applied) return;
  const event = practiceEvent(
    {
      type: "regional-failover.event",
      v: 1,
      at: outcome.at,
      by: { mode: "automatic", controlRegion: deps.controlRegion },
      reason: decision.reason,
      from: outcome.from,
      to: outcome.weights,
      normal: normalWeights(deps.config.targets),
    },
    change,
  );
  if (event !== undefined) await deps.announce(event);
}

/** What the round announces: nothing for a dry run, nor for records catching up with a drain DNS already answers (no traffic moves). */
function eventOf(deps: RoundDeps, outcome: RoundOutcome, decided: Decided): FailoverEvent | undefined {
  const ids = deps.config.targets.map((target) => target.id);
  if (deps.dryRun || (decided.catchUp === true && sameWeights(outcome.from, decided.decision.weights, ids)))
    return undefined;
  return roundEvent({
    config: deps.config,
    decision: decided.decision,
    at: outcome.at,
    controlRegion: deps.controlRegion,
    from: outcome.from,
    priorMemory: decided.priorMemory,
    lease: decided.lease,
    switched: outcome.switched,
    applied: outcome.applied,
    changeId: outcome.changeId,
  });
}

/**
 * The announcement and the metrics go out at once: neither waits for the
 * other. Another region whose signal store failed this round (`failing`)
 * gets one CloudWatch attempt, not a retry budget (this region's answered
 * the round's window read).
 */
async function announceAndPublish(
  deps: RoundDeps,
  outcome: RoundOutcome,
  decided: Decided,
  failing: readonly string[],
): Promise<void> {
  const event = eventOf(deps, outcome, decided);
  const oneTry = new Set(failing.filter((region) => region !== deps.controlRegion));
  const announce = deps.announce;
  const announced = event && announce ? attributed(deps, event).then(announce) : undefined;
  [outcome.published] = await Promise.all([
    deps.bus.publishDecision(decisionMetrics(outcome, decided.decision, decided.lease), undefined, oneTry),
    announced,
  ]);
  const unpublished = outcome.published.filter((region) => !region.ok);
  if (unpublished.length > 0)
    deps.log.warn("decision metrics not published", {
      regions: unpublished.map(({ region, error }) => ({ region, error })),
    });
}

/** The event with its lease's who-and-why from the audit trail (read only when there is a lease to show). */
async function attributed(deps: RoundDeps, event: FailoverEvent): Promise<FailoverEvent> {
  if (event.lease === undefined || deps.audit === undefined) return event;
  const read = await deps.audit.read(event.lease.id);
  if (read.problem !== undefined)
    deps.log.warn("lease audit unreadable; announced without it", { problem: read.problem });
  return { ...event, lease: { ...event.lease, ...attributionOf(read.entry) } };
}

function logDecision(deps: RoundDeps, outcome: RoundOutcome, decision: Decision): void {
  const fields = {
    at: outcome.at,
    controlRegion: outcome.controlRegion,
    kind: decision.kind,
    reason: decision.reason,
    from: outcome.from,
    to: decision.weights,
    switched: outcome.switched,
    attempts: outcome.attempts,
    votes: votesOf(decision.verdicts),
    health: Object.fromEntries(Object.entries(decision.verdicts).map(([id, verdict]) => [id, verdict.health])),
    flapHeld: decision.flapHeld,
    leaseActive: decision.leaseActive,
    // Which targets each set-aside vantage is set aside on: its alarm is one per vantage. Only while there are any.
    ...(decision.suspects.length > 0
      ? { suspects: decision.suspects.map(({ vantage, target, reason }) => ({ vantage, target, reason })) }
      : {}),
  };
  if (outcome.dryRun && outcome.shift !== undefined)
    deps.log.warn(`dry run: would shift ${outcome.shift} because ${decision.reason}`, fields);
  else if (outcome.switched) deps.log.warn(`shifted ${outcome.shift ?? ""} because ${decision.reason}`, fields);
  else if (decision.changed) deps.log.info("the other control region already applied this decision", fields);
  else deps.log.info("decision", fields);
}

/**
 * The decider's own metrics. A switchover is counted only by the decider
 * that won the CAS, so two deciders never count one switch twice; a dry run
 * counts none (it publishes the weights in Route 53, not the ones it wants).
 */
function decisionMetrics(outcome: RoundOutcome, decision: Decision, leaseRead: Decided["lease"]): DecisionMetrics {
  const mode = decision.kind === "override" ? "manual" : "automatic";
  const lease = leaseActive(leaseRead, outcome.at) ? leaseRead : undefined;
  return {
    at: outcome.at,
    controlRegion: outcome.controlRegion,
    weights: outcome.weights,
    health: Object.fromEntries(Object.entries(decision.verdicts).map(([id, verdict]) => [id, verdict.health])),
    switchovers: outcome.switched
      ? decision.changes.map((change) => ({ target: change.target, direction: change.direction, mode }))
      : [],
    allDown: decision.allDown,
    flapHeld: decision.flapHeld,
    overrideAgeSeconds: lease === undefined ? 0 : Math.max(0, outcome.at - lease.createdAt),
    // "Read enough votes to decide": at least one target has a verdict.
    heartbeat: Object.values(decision.verdicts).some((verdict) => verdict.health !== "unknown"),
    suspects: decision.suspects.map(({ vantage, target, reason }) => ({ vantage, target, reason })),
    ...signalFaults(outcome.signals),
  };
}

/**
 * The signal path's faults this round: the stores that refused the write;
 * disagreement when the stores read back do not give the wanted answers
 * while the decision drains, or while DNS drains a target the decision
 * wants serving (the other decider undrains on its next round, so its
 * alarm waits two minutes: see ../alarms.ts); stale draining documents.
 */
function signalFaults(
  signals: SignalOutcome | undefined,
): Pick<DecisionMetrics, "signalWriteFailed" | "signalDisagrees" | "signalStale"> {
  if (signals === undefined) return { signalWriteFailed: [], signalDisagrees: false, signalStale: [] };
  const drainsUnwanted = signals.dnsAfter.some((id) => !signals.draining.includes(id));
  return {
    signalWriteFailed: signals.writes.filter((write) => !write.ok).map((write) => write.region),
    signalDisagrees: !signals.confirmed && (signals.draining.length > 0 || drainsUnwanted),
    signalStale: signals.stale,
  };
}
