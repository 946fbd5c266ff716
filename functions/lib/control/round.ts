import type { DecisionMetrics, MetricsBus, RegionResult } from "../aws/cloudwatch.ts";
import type { Route53Switcher, ZoneSnapshot } from "../aws/route53.ts";
import type { FailoverConfig } from "../config.ts";
import { leaseActive } from "../lease.ts";
import type { Logger } from "../log.ts";
import { decide, windowSeconds, type Decision } from "../policy/decide.ts";
import { pickWeights } from "../policy/weights.ts";
import { votesOf } from "../state.ts";
import type { Weights } from "../types.ts";
import type { PolicyMemory } from "../policy/memory.ts";
import type { Announce } from "./announcer.ts";
import { roundEvent } from "./change-event.ts";
import { describeShift, readStateDocument, zoneChangeFor } from "./zone-change.ts";

/** What one decider round needs; every collaborator is passed in (the drill and tests pass their own). */
export interface RoundDeps {
  config: FailoverConfig;
  /** The region this decider runs in: where it reads the probe window. */
  controlRegion: string;
  switcher: Route53Switcher;
  bus: MetricsBus;
  log: Logger;
  /** Log and publish what would change, write nothing. */
  dryRun: boolean;
  /** Called as soon as this round's weight change is applied, to follow its propagation in the background (must not block). @default none: not followed */
  followChange?: (changeId: string) => void;
  /** Publishes what this round changed for Slack (./announcer.ts); only a round that won its compare-and-swap has anything to announce. @default none: not announced */
  announce?: Announce;
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
  /** Per control region: was the decision's metrics publish accepted. */
  published: RegionResult[];
}

/**
 * One decider round: read the probe window, then by compare-and-swap read
 * the zone, run the policy and write what it decided (a conflict re-reads
 * and re-decides), then publish the decision's metrics to every control
 * region. Throws a FailoverError when the window or the zone cannot be read
 * or written; the caller logs it and the next round tries again.
 */
export async function runDecisionRound(deps: RoundDeps, now: number): Promise<RoundOutcome> {
  const { config, log } = deps;
  const ids = config.targets.map((target) => target.id);
  const rounds = await deps.bus.readWindow(deps.controlRegion, now, windowSeconds(config));
  let decision: Decision | undefined;
  let priorMemory: PolicyMemory | undefined;
  const result = await deps.switcher.update((snapshot) => {
    const { doc, problem } = readStateDocument(snapshot);
    priorMemory = doc?.memory;
    if (problem !== undefined) log.warn("state record ignored, starting fresh policy memory", { problem });
    if (snapshot.leaseProblem !== undefined) log.warn("lease record ignored", { problem: snapshot.leaseProblem });
    decision = decide({ now, config, rounds, current: snapshot.weights, memory: doc?.memory, lease: snapshot.lease });
    if (deps.dryRun) return undefined;
    const manual = decision.kind === "override" && snapshot.lease !== undefined;
    return zoneChangeFor(decision, snapshot, {
      now,
      doc,
      mode: manual ? "manual" : "automatic",
      ...(manual ? { actor: snapshot.lease?.actor } : {}),
    });
  });
  const final = decision as Decision;
  const switched = result.applied && result.change?.weights !== undefined;
  if (switched && result.changeId) deps.followChange?.(result.changeId);
  const from = pickWeights(result.snapshot.weights, ids);
  const shift = final.changed ? describeShift(from, final.weights, ids) : undefined;
  const outcome: RoundOutcome = {
    at: now,
    controlRegion: deps.controlRegion,
    kind: final.kind,
    reason: final.reason,
    from,
    wanted: final.weights,
    weights: switched ? final.weights : from,
    switched,
    applied: result.applied,
    attempts: result.attempts,
    dryRun: deps.dryRun,
    shift,
    changeId: result.changeId,
    published: [],
  };
  logDecision(deps, outcome, final);
  const event = deps.dryRun
    ? undefined
    : roundEvent({
        config,
        decision: final,
        at: now,
        controlRegion: deps.controlRegion,
        from,
        priorMemory,
        lease: result.snapshot.lease,
        switched,
        applied: result.applied,
        changeId: result.changeId,
      });
  if (event !== undefined && deps.announce !== undefined) await deps.announce(event);
  outcome.published = await deps.bus.publishDecision(decisionMetrics(outcome, final, result.snapshot));
  const unpublished = outcome.published.filter((region) => !region.ok);
  if (unpublished.length > 0)
    log.warn("decision metrics not published", {
      regions: unpublished.map(({ region, error }) => ({ region, error })),
    });
  return outcome;
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
function decisionMetrics(outcome: RoundOutcome, decision: Decision, snapshot: ZoneSnapshot): DecisionMetrics {
  const mode = decision.kind === "override" ? "manual" : "automatic";
  const lease = leaseActive(snapshot.lease, outcome.at) ? snapshot.lease : undefined;
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
  };
}
