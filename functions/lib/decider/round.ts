import type { DecisionMetrics } from "../metric-datums.ts";
import type { RegionResult } from "../aws/cloudwatch.ts";
import type { UpdateResult } from "../aws/route53.ts";
import type { FailoverConfig } from "../config.ts";
import type { RoundSignals, SignalPort, VotePort, ZonePort } from "./ports.ts";
import { leaseActive, type OverrideLease } from "../lease.ts";
import type { Logger } from "../log.ts";
import { decide, windowSeconds, type Decision } from "../policy/decide.ts";
import { pickWeights, sameWeights } from "../policy/weights.ts";
import { emptyStateDocument, votesOf, type StateDocument } from "../state.ts";
import type { ProbeRound, Weights } from "../types.ts";
import {
  controlPlaneDown,
  nextSignalState,
  publishSignals,
  readSignals,
  type SignalOutcome,
  type SignalReads,
} from "./signal-half.ts";
import type { DeciderDocument, DeciderView } from "../dataplane/signal-store.ts";
import { dnsWeights } from "../dataplane/answers.ts";
import { drainedAnywhere } from "../dataplane/signal-union.ts";
import type { PolicyMemory } from "../policy/memory.ts";
import type { Announce } from "../control/announcer.ts";
import { roundEvent } from "../control/change-event.ts";
import { attributionOf, type AuditTrail } from "../audit.ts";
import type { FailoverEvent } from "../slack/failover-event.ts";
import { describeShift, readStateDocument, zoneChangeFor } from "../control/zone-change.ts";

/** What one decider round needs; every collaborator is passed in (the drill and tests pass their own). */
export interface RoundDeps {
  config: FailoverConfig;
  /** The region this decider runs in: where it reads the probe window. */
  controlRegion: string;
  switcher: ZonePort;
  bus: VotePort;
  log: Logger;
  /** Log and publish what would change, write nothing. */
  dryRun: boolean;
  /** Called as soon as this round's weight change is applied, to follow its propagation in the background (must not block). @default none: not followed */
  followChange?: (changeId: string) => void;
  /** Publishes what this round changed for Slack (../control/announcer.ts); only a round that won its compare-and-swap has anything to announce. @default none: not announced */
  announce?: Announce;
  /** Where an announced lease's who-and-why is read (../audit.ts). @default none: shown as "(audit unavailable)" */
  audit?: AuditTrail;
  /** The data-plane signal stores of every control region: drains go through health checks first, and rounds go on while the Route 53 API is down. @default none: records only */
  signals?: SignalPort;
}

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
 * One decider round: read the probe window, then by compare-and-swap read
 * the zone, run the policy and write what it decided (a conflict re-reads
 * and re-decides), then publish the decision's metrics to every control
 * region. Throws a FailoverError when the window or the zone cannot be read
 * or written; the caller logs it and the next round tries again.
 */
export async function runDecisionRound(deps: RoundDeps, now: number): Promise<RoundOutcome> {
  const { config } = deps;
  const ids = config.targets.map((target) => target.id);
  // A round's copy: a store whose first call failed is not asked again this round (no overrun for a lost region).
  const store = deps.dryRun ? undefined : deps.signals?.forRound();
  // Independent reads at once: a round's time is a decision's delay.
  const [rounds, signalReads] = await Promise.all([
    deps.bus.readWindow(deps.controlRegion, now, windowSeconds(config)),
    store ? readSignalsLogged(deps, store, now) : undefined,
  ]);
  const view = signalReads?.view;
  const policy = roundPolicy(config, now, rounds);
  const early = store && signalReads && view ? await drainFirst(deps, store, policy, signalReads) : undefined;

  const {
    decision: final,
    state,
    lease,
    priorMemory,
    result,
    catchUp,
  } = await decideAndWrite(deps, now, policy, store, view);
  const apiUp = result !== undefined;
  const switched = result?.applied === true && result.change?.weights !== undefined;
  if (switched && result?.changeId) deps.followChange?.(result.changeId);
  // The weights DNS really answered before this round: the records, less what the signals drained.
  const drainedBefore = signalReads ? drainedAnywhere(signalReads.reads, now) : new Set<string>();
  const recordsBefore = result ? pickWeights(result.snapshot.weights, ids) : pickWeights(view?.records ?? {}, ids);
  const from = result || view ? dnsWeights(recordsBefore, drainedBefore, ids) : pickWeights({}, ids);
  const signals =
    store && signalReads
      ? await signalHalf(deps, store, signalReads, early, {
          now,
          final,
          recordsBefore,
          recordsAfter: switched ? pickWeights(result?.change?.weights ?? final.weights, ids) : recordsBefore,
          apiUp,
          state,
          lease,
        })
      : undefined;
  // With the API down there is no compare-and-swap to pick a winner: the writer whose document carried a
  // drain first announces it (./signal-union drainAnnouncer), so two deciders announce one event once.
  const inEffect = apiUp
    ? switched
    : signals !== undefined && final.changed && signals.inEffect && signals.confirmed && signals.announcer;
  const shift = final.changed ? describeShift(from, final.weights, ids) : undefined;
  const outcome: RoundOutcome = {
    at: now,
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
    shift,
    changeId: result?.changeId,
    attention: final.attention,
    published: [],
    path: apiUp ? "api" : "data-plane",
    ...(signals ? { signals } : {}),
  };
  logDecision(deps, outcome, final);
  const event = eventOf(deps, outcome, final, { priorMemory, lease, catchUp: catchUp === true });
  await announceAndPublish(deps, outcome, final, lease, event, store?.failedThisRound() ?? []);
  return outcome;
}

/**
 * The data-plane half: this decider's document for the decision, published.
 * Planned on the records as they were before this round's write, so a
 * target coming back keeps its drain signal one more round while name
 * servers take the new weights (the next round clears it).
 */
function signalHalf(
  deps: RoundDeps,
  store: RoundSignals,
  signalReads: SignalReads,
  early: DeciderDocument | undefined,
  round: {
    now: number;
    final: Decision;
    recordsBefore: Weights;
    recordsAfter: Weights;
    apiUp: boolean;
    state: StateDocument | undefined;
    lease: OverrideLease | undefined;
  },
): Promise<SignalOutcome> {
  const { config } = deps;
  return publishSignals(
    store,
    {
      config,
      controlRegion: deps.controlRegion,
      now: round.now,
      decision: round.final,
      records: round.recordsBefore,
      apiUp: round.apiUp,
      signals: signalReads,
      state: round.state ?? { ...emptyStateDocument(), memory: round.final.memory },
      lease: round.lease,
    },
    early ?? signalReads.own,
  );
}

/** Every control region's signal documents, with what could not be read logged. */
async function readSignalsLogged(deps: RoundDeps, store: RoundSignals, now: number): Promise<SignalReads> {
  const signalReads = await readSignals(store, deps.controlRegion, now);
  for (const read of signalReads.reads) {
    if (read.error !== undefined)
      deps.log.warn("signal store unreadable", { region: read.region, problem: read.error });
    if (read.problems !== undefined)
      deps.log.warn("signal documents ignored", { region: read.region, problems: read.problems });
  }
  return signalReads;
}

/** What the round announces: nothing for a dry run, nor for records catching up with a drain DNS already answers (no traffic moves). */
function eventOf(
  deps: RoundDeps,
  outcome: RoundOutcome,
  final: Decision,
  start: { priorMemory: PolicyMemory | undefined; lease: OverrideLease | undefined; catchUp: boolean },
): FailoverEvent | undefined {
  const ids = deps.config.targets.map((target) => target.id);
  if (deps.dryRun || (start.catchUp && sameWeights(outcome.from, final.weights, ids))) return undefined;
  return roundEvent({
    config: deps.config,
    decision: final,
    at: outcome.at,
    controlRegion: deps.controlRegion,
    from: outcome.from,
    priorMemory: start.priorMemory,
    lease: start.lease,
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
  final: Decision,
  lease: OverrideLease | undefined,
  event: FailoverEvent | undefined,
  failing: readonly string[],
): Promise<void> {
  const oneTry = new Set(failing.filter((region) => region !== deps.controlRegion));
  const announce = deps.announce;
  const announced = event && announce ? attributed(deps, event).then(announce) : undefined;
  [outcome.published] = await Promise.all([
    deps.bus.publishDecision(decisionMetrics(outcome, final, lease), undefined, oneTry),
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

/** The policy on one round's probe window: the weights, memory and lease to decide from give the decision. */
interface RoundPolicy {
  (current: Weights, memory: PolicyMemory | undefined, lease: OverrideLease | undefined): Decision;
  /** Epoch seconds the round decides at. */
  now: number;
}

/**
 * The policy of one round, run once for each distinct world it is asked
 * about: the drain-first step, the compare-and-swap and the API-down path
 * decide from the same view in most rounds, and `decide` is pure, so a
 * second ask with equal inputs gets the first answer. A compare-and-swap
 * that lost to the other decider asks about a new world and decides anew.
 */
function roundPolicy(config: FailoverConfig, now: number, rounds: ProbeRound[]): RoundPolicy {
  const decided = new Map<string, Decision>();
  const policy = (current: Weights, memory: PolicyMemory | undefined, lease: OverrideLease | undefined) => {
    const key = JSON.stringify([current, memory ?? null, lease ?? null]);
    let decision = decided.get(key);
    if (decision === undefined) {
      decision = decide({ now, config, rounds, current, memory, lease });
      decided.set(key, decision);
    }
    return decision;
  };
  return Object.assign(policy, { now });
}

/** What a round decided, and the write it made (none when the Route 53 API is down and the view decided). */
interface ZoneDecision {
  decision: Decision;
  state: StateDocument | undefined;
  lease: OverrideLease | undefined;
  /** The policy memory the decision started from (to tell what it changed). */
  priorMemory: PolicyMemory | undefined;
  result: UpdateResult | undefined;
  /** The records were behind the view (a drain made through health checks) and this round caught them up. */
  catchUp?: boolean;
}

/**
 * By compare-and-swap: read the zone, decide (from the decider view when
 * the records lag a drain made through health checks) and write. When the
 * Route 53 API is down and there is a view, decides from the view alone.
 */
async function decideAndWrite(
  deps: RoundDeps,
  now: number,
  policy: RoundPolicy,
  store: RoundSignals | undefined,
  view: DeciderView | undefined,
): Promise<ZoneDecision> {
  const { config, log } = deps;
  const ids = config.targets.map((target) => target.id);
  try {
    const result = await deps.switcher.update((snapshot) => {
      const { doc, problem } = readStateDocument(snapshot);
      if (problem !== undefined) log.warn("state record ignored, starting fresh policy memory", { problem });
      if (snapshot.leaseProblem !== undefined) log.warn("lease record ignored", { problem: snapshot.leaseProblem });
      // After a drain through health checks the records lag the view: decide from the view, and catch the records up.
      const ahead =
        view !== undefined &&
        !sameWeights(view.applied, view.records, ids) &&
        sameWeights(view.records, snapshot.weights, ids);
      const current = ahead ? view.applied : snapshot.weights;
      const base = ahead ? view.state : doc;
      const decision = policy(current, base?.memory, snapshot.lease);
      const catchUp = ahead && !sameWeights(snapshot.weights, decision.weights, ids);
      const decided = { decision, priorMemory: base?.memory, lease: snapshot.lease, catchUp };
      const state: StateDocument = { ...(base ?? emptyStateDocument()), memory: decision.memory };
      if (deps.dryRun) return { change: undefined, decided: { ...decided, state } };
      const manual = decision.kind === "override" && snapshot.lease !== undefined;
      const change = zoneChangeFor(
        catchUp
          ? { ...decision, changed: true, reason: `records catch up with the health checks: ${decision.reason}` }
          : decision,
        snapshot,
        { now, doc: base, mode: manual ? "manual" : "automatic", ...(manual ? { audit: snapshot.lease?.id } : {}) },
      );
      return { change, decided: { ...decided, state: (change?.state as StateDocument | undefined) ?? state } };
    });
    return { ...result.decided, result };
  } catch (error) {
    if (store === undefined || view === undefined || !controlPlaneDown(error)) throw error;
    log.warn("Route 53 API down: deciding from the decider view, draining through health checks only", {
      controlRegion: deps.controlRegion,
      error: error instanceof Error ? error.message : String(error),
      // A change whose answers were all lost: "unknown" means it may be in place (the next round re-reads).
      changeOutcome: (error as { outcome?: string }).outcome,
    });
    const decision = policy(view.applied, view.state.memory, view.lease);
    return { decision, state: view.state, lease: view.lease, priorMemory: view.state.memory, result: undefined };
  }
}

/**
 * Drains go through the data plane before the Route 53 API is asked (which
 * may hang for its whole retry budget when it is down): decided from the
 * view, this decider's document is written only when it drains something,
 * with the view that explains the drain in the same parameter, so a crash
 * right after it leaves the next round (of either decider) a drain it knows
 * the reason and the recovery wait of. Returns the document written.
 */
async function drainFirst(
  deps: RoundDeps,
  store: RoundSignals,
  policy: RoundPolicy,
  signals: SignalReads,
): Promise<DeciderDocument | undefined> {
  const view = signals.view;
  if (view === undefined) return undefined;
  const now = policy.now;
  const early = policy(view.applied, view.state.memory, view.lease);
  const next = nextSignalState({
    config: deps.config,
    controlRegion: deps.controlRegion,
    now,
    decision: early,
    records: view.records,
    apiUp: false,
    signals,
    state: view.state,
    lease: view.lease,
  });
  if (next.plan.drained.length === 0 && !next.plan.emergency) return undefined;
  const writes = await store.publish(next.doc);
  deps.log.warn(`drain signal sent for ${next.plan.drained.join(", ") || "an emergency undrain"} before the records`, {
    controlRegion: deps.controlRegion,
    draining: next.plan.draining,
    writes,
  });
  return next.doc;
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
function decisionMetrics(
  outcome: RoundOutcome,
  decision: Decision,
  leaseRead: OverrideLease | undefined,
): DecisionMetrics {
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
