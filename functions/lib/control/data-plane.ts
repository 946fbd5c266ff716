import type { FailoverConfig } from "../config.ts";
import { answerSharesFor } from "../dataplane/answers.ts";
import type { DeciderView, SignalDocument, SignalStore, StoreWrite } from "../dataplane/signal-store.ts";
import { planSignals, type SignalPlan } from "../dataplane/signals.ts";
import { FailoverError } from "../errors.ts";
import type { OverrideLease } from "../lease.ts";
import type { Decision } from "../policy/decide.ts";
import { sameWeights } from "../policy/weights.ts";
import { recordSwitch, votesOf, type StateDocument } from "../state.ts";
import type { Weights } from "../types.ts";

/** Route 53 error codes that mean its control plane is not answering (the data-plane path takes over). */
const CONTROL_PLANE_DOWN = new Set(["ROUTE53_UNAVAILABLE", "ROUTE53_THROTTLED", "ROUTE53_BAD_ANSWER"]);

/** True when a Route 53 failure means the API is down or drowning, not that our change was wrong. */
export function controlPlaneDown(error: unknown): boolean {
  return error instanceof FailoverError && CONTROL_PLANE_DOWN.has(error.code);
}

/** Reason prefix of a switch event carried out by the drain signals alone: the records did not change. */
export const THROUGH_HEALTH_CHECKS = "through health checks";

/** True for a switch event made through the health checks alone (its weights never were in the records). */
export function madeThroughHealthChecks(event: { reason: string }): boolean {
  return event.reason.startsWith(THROUGH_HEALTH_CHECKS);
}

/** What the data-plane half of a round did. */
export interface SignalOutcome {
  /** Targets drained through their health checks after the round. */
  draining: string[];
  drained: string[];
  undrained: string[];
  emergency: boolean;
  /** The signals carry the decision out (its answers match the wanted split) without a record change. */
  inEffect: boolean;
  /** Per control region: were the signal and view written (empty: nothing changed, nothing written). */
  writes: StoreWrite[];
  /** What DNS answers, by target share, with the signals every control region now holds. */
  answers: Weights;
  /** Every control region's store read back and gives the answers the decision wants. */
  confirmed: boolean;
}

/** Reads this region's view; a store that cannot be read counts as no view (the round then needs the Route 53 API). */
export async function readView(
  store: SignalStore,
  region: string,
): Promise<{ view: DeciderView | undefined; problem?: string }> {
  try {
    return { view: await store.readView(region) };
  } catch (error) {
    return { view: undefined, problem: error instanceof Error ? error.message : String(error) };
  }
}

/** The drain set the signal stores hold now (this region's; none when it cannot be read). */
export async function readDraining(store: SignalStore, region: string): Promise<string[]> {
  try {
    return (await store.readSignal(region))?.drain ?? [];
  } catch {
    return [];
  }
}

export interface SignalRound {
  config: FailoverConfig;
  controlRegion: string;
  now: number;
  decision: Decision;
  /** Weights in the records after this round (written or read); with the API down, the view's. */
  records: Weights;
  /** Did the Route 53 API answer this round. */
  apiUp: boolean;
  /** Targets drained through health checks before the round. */
  draining: readonly string[];
  /** The view before the round (undefined: never written). */
  view: DeciderView | undefined;
  /** The state document in effect before the round (the record's when the API answered, else the view's). */
  state: StateDocument;
  lease: OverrideLease | undefined;
}

/**
 * The signal and the view a round leaves behind. With the API up, the
 * decision is in the records and the view follows them. With it down, a
 * decision the signals carry out (a drain, an emergency undrain) is in
 * effect: the view keeps it, with its memory and a switch event, for the
 * records to catch up with later; one they cannot (a ramp step) waits, and
 * the view keeps what was in effect before.
 */
export function nextSignalState(round: SignalRound): { plan: SignalPlan; signal: SignalDocument; view: DeciderView } {
  const { config, decision, now } = round;
  const ids = config.targets.map((target) => target.id);
  const plan = planSignals({ ids, records: round.records, wanted: decision.weights, draining: round.draining });
  const inEffect = round.apiUp || plan.inEffect;
  const before = round.view?.applied ?? round.records;
  let state = round.state;
  if (inEffect) {
    state = { ...state, memory: decision.memory };
    if (!round.apiUp && !sameWeights(before, decision.weights, ids))
      state = recordSwitch(state, {
        at: now,
        mode: "automatic",
        from: before,
        to: decision.weights,
        reason: `${THROUGH_HEALTH_CHECKS} (Route 53 API down): ${decision.reason}`.slice(0, 240),
        votes: votesOf(decision.verdicts),
      });
  }
  const signal: SignalDocument = { v: 1, at: now, by: round.controlRegion, drain: plan.draining };
  const view: DeciderView = {
    v: 1,
    at: now,
    by: round.controlRegion,
    applied: inEffect ? decision.weights : before,
    records: round.records,
    state,
    ...(round.lease !== undefined ? { lease: round.lease } : {}),
  };
  return { plan, signal, view };
}

/**
 * Publishes the signal and view to every control region, unless every
 * region already holds this drain set and the view did not change (the
 * stores are written only on change), then confirms by reading every
 * region's signal back: a target is drained when any region says so (the
 * calculated check needs every child healthy), and the answers Route 53
 * would give from that must match the plan's.
 */
export async function publishSignals(
  store: SignalStore,
  config: FailoverConfig,
  next: { plan: SignalPlan; signal: SignalDocument; view: DeciderView },
  previousView: DeciderView | undefined,
): Promise<SignalOutcome> {
  const ids = config.targets.map((target) => target.id);
  const held = async () => {
    const drains: Array<string[] | undefined> = [];
    for (const region of config.controlRegions) {
      try {
        drains.push((await store.readSignal(region))?.drain ?? []);
      } catch {
        // An unreadable region's endpoint answers 503, which its inverted check counts as serve.
        drains.push(undefined);
      }
    }
    return drains;
  };
  const same = (drain: string[] | undefined) =>
    drain !== undefined &&
    drain.length === next.plan.draining.length &&
    drain.every((id) => next.plan.draining.includes(id));
  let drains = await held();
  const viewSame = previousView !== undefined && viewBody(previousView) === viewBody(next.view);
  let writes: StoreWrite[] = [];
  if (!drains.every(same) || !viewSame) {
    writes = await store.publish(next.signal, next.view);
    drains = await held();
  }
  const draining = new Set(drains.flatMap((drain) => drain ?? []));
  const answers = answerSharesFor(next.view.records, draining, ids);
  const confirmed =
    drains.some((drain) => drain !== undefined) &&
    ids.every((id) => Math.abs((answers[id] ?? 0) - (next.plan.answers[id] ?? 0)) < 0.005);
  return {
    draining: next.plan.draining,
    drained: next.plan.drained,
    undrained: next.plan.undrained,
    emergency: next.plan.emergency,
    inEffect: next.plan.inEffect,
    writes,
    answers,
    confirmed,
  };
}

/** A view without who wrote it and when: equal bodies need no write. */
function viewBody(view: DeciderView): string {
  const { at: _at, by: _by, ...body } = view;
  return JSON.stringify(body);
}
