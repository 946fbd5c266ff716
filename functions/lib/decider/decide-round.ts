import type { UpdatePlan } from "../records/zone-update.ts";
import { readStateDocument, zoneChangeFor } from "../control/zone-change.ts";
import type { DeciderView } from "../dataplane/signal-store.ts";
import type { OverrideLease } from "../lease.ts";
import { decide, type Decision } from "../policy/decide.ts";
import type { PolicyMemory } from "../policy/memory.ts";
import { sameWeights } from "../policy/weights.ts";
import type { ZoneSnapshot } from "../records/zone-snapshot.ts";
import { emptyStateDocument, type StateDocument } from "../state-document.ts";
import type { Weights } from "../types.ts";
import type { RoundDeps } from "./ports.ts";
import type { RoundReads } from "./read-round.ts";

/** A decision and the world it was made in. */
export interface Decided {
  decision: Decision;
  /** The state document the decision leaves (the record's, or the view's with the Route 53 API down). */
  state: StateDocument | undefined;
  lease: OverrideLease | undefined;
  /** The policy memory the decision started from (to tell what it changed). */
  priorMemory: PolicyMemory | undefined;
  /** The records were behind the view (a drain made through health checks) and this round caught them up. */
  catchUp?: boolean;
}

/** What a round decided: from the decider view now, and from the zone as the compare-and-swap reads it. */
export interface RoundDecision {
  /**
   * Decided from the decider view (every control region's signal
   * documents): the drain-first signal carries it out, and the whole round
   * does when the Route 53 API is down. Undefined without a signal store
   * or a view.
   */
  fromView: Decided | undefined;
  /**
   * The compare-and-swap's plan: decided on the zone it read (from the view
   * when the records lag a drain made through health checks), and the
   * change to write (none in a dry run). A conflict re-reads and asks again.
   */
  onZone: (snapshot: ZoneSnapshot) => UpdatePlan<Decided>;
}

/**
 * The second step of a round: the policy on the probe window, the one
 * place a round calls `decide`, once for each distinct world it is asked
 * about. The view and the zone give the same world in most rounds and
 * `decide` is pure, so a second ask with equal inputs gets the first
 * answer; a compare-and-swap that lost to the other decider asks about a
 * new world and decides anew.
 */
export function decideRound(deps: RoundDeps, reads: RoundReads): RoundDecision {
  const { config, log } = deps;
  const { now, rounds } = reads;
  const ids = config.targets.map((target) => target.id);
  const decided = new Map<string, Decision>();
  const policy = (current: Weights, memory: PolicyMemory | undefined, lease: OverrideLease | undefined) => {
    const key = JSON.stringify([current, memory ?? null, lease ?? null]);
    let decision = decided.get(key);
    if (decision === undefined) {
      decision = decide({ now, config, rounds, current, memory, lease, practice: reads.practice });
      decided.set(key, decision);
    }
    return decision;
  };
  const view: DeciderView | undefined = reads.signals?.view;
  const fromView = view && {
    decision: policy(view.applied, view.state.memory, view.lease),
    state: view.state,
    lease: view.lease,
    priorMemory: view.state.memory,
  };
  const onZone = (snapshot: ZoneSnapshot): UpdatePlan<Decided> => {
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
    const made = { decision, priorMemory: base?.memory, lease: snapshot.lease, catchUp };
    const state: StateDocument = { ...(base ?? emptyStateDocument()), memory: decision.memory };
    if (deps.dryRun) return { change: undefined, decided: { ...made, state } };
    const manual = decision.kind === "override" && snapshot.lease !== undefined;
    const change = zoneChangeFor(
      catchUp
        ? { ...decision, changed: true, reason: `records catch up with the health checks: ${decision.reason}` }
        : decision,
      snapshot,
      { now, doc: base, mode: manual ? "manual" : "automatic", ...(manual ? { audit: snapshot.lease?.id } : {}) },
    );
    return { change, decided: { ...made, state: (change?.state as StateDocument | undefined) ?? state } };
  };
  return { fromView, onZone };
}
