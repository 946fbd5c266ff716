import type { FailoverConfig } from "../config.ts";
import { answerSharesFor, sameShares, weightShares } from "../dataplane/answers.ts";
import type { DeciderDocument, SignalRead, StoreWrite } from "../dataplane/signal-store.ts";
import {
  drainAnnouncer,
  drainedAnywhere,
  isFresh,
  SIGNAL_REFRESH_SECONDS,
  undrainAnnouncer,
} from "../dataplane/signal-union.ts";
import type { SignalPlan } from "../dataplane/signals.ts";
import { FailoverError } from "../errors.ts";
import type { OverrideLease } from "../lease.ts";
import type { Decision } from "../policy/decide.ts";
import { sameWeights } from "../policy/weights.ts";
import { recordSwitch, votesOf, type StateDocument } from "../state-document.ts";
import type { Weights } from "../types.ts";
import { applyDecision } from "./apply-decision.ts";
import type { RoundSignals } from "./ports.ts";
import type { SignalReads } from "./read-round.ts";

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
  /** Targets this decider's own document drains after the round. */
  draining: string[];
  /** Newly drained by this decider's document. */
  drained: string[];
  /** Taken out of this decider's document. */
  undrained: string[];
  emergency: boolean;
  /** Own drains left out: with the other writers' they would have drained every target (Route 53 fails open). */
  withheld: string[];
  /** The signals carry the decision out (its answers match the wanted split) without a record change. */
  inEffect: boolean;
  /** Per control region: was this decider's document written (empty: nothing changed, nothing written). */
  writes: StoreWrite[];
  /** Targets DNS drains (any control region's fresh documents) before and after the round. */
  dnsBefore: string[];
  dnsAfter: string[];
  /** This decider announces what this round changed in DNS: a new drain (./signal-union drainAnnouncer) or an undrain (undrainAnnouncer). */
  announcer: boolean;
  /** This round's clearing took targets out of DNS's drains and DNS now answers the decision's split (read back). */
  undrainSeen: boolean;
  /** What DNS answers, by target share, with the documents every control region now holds. */
  answers: Weights;
  /** Every control region's store read back and gives the answers the decision wants. */
  confirmed: boolean;
  /** Deciders whose fresh document read back drains something yet was not refreshed for twice SIGNAL_REFRESH_SECONDS (its writer stopped; it drains until it expires). */
  stale: string[];
}

export interface SignalRound {
  config: FailoverConfig;
  controlRegion: string;
  now: number;
  decision: Decision;
  /** Weights in the records before this round's write (the signals are planned on them); with the API down, the view's. */
  records: Weights;
  /** Weights in the records after this round's write, as the view keeps them. @default `records` */
  recordsAfter?: Weights;
  /** Did the Route 53 API answer this round. */
  apiUp: boolean;
  /** The stores as read at the start of the round. */
  signals: SignalReads;
  /** The state document in effect before the round (the record's when the API answered, else the view's). */
  state: StateDocument;
  lease: OverrideLease | undefined;
  /** Drains found in the stores after a write that this decider cannot take back (its own older document where the write failed). @default none */
  stuck?: ReadonlySet<string>;
}

/**
 * The document a round leaves behind: its drains and the view that
 * explains them, in one parameter (a crash cannot write one without the
 * other). With the API up, the decision is in the records and the view
 * follows them. With it down, a decision the signals carry out (a drain, an
 * emergency undrain) is in effect: the view keeps it, with its memory and a
 * switch event, for the records to catch up with later; one they cannot (a
 * ramp step) waits, and the view keeps what was in effect before.
 */
export function nextSignalState(round: SignalRound): { plan: SignalPlan; doc: DeciderDocument } {
  const { config, decision, now, signals } = round;
  const ids = config.targets.map((target) => target.id);
  const own = signals.own !== undefined && isFresh(signals.own, now) ? signals.own : undefined;
  const before = signals.view?.applied ?? round.records;
  const others = [...drainedByOthers(signals.reads, round.controlRegion, now), ...(round.stuck ?? [])];
  const { plan, inEffect, applied } = applyDecision({
    ids,
    wanted: decision.weights,
    records: round.records,
    // A store that cannot be read may miss the clearing write and drain again when it is back: its writer's
    // drain then keeps DNS out until the next round, as before (./apply-decision.ts signalRecords).
    ...(round.recordsAfter !== undefined && everyStoreRead(signals, config)
      ? { recordsAfter: round.recordsAfter }
      : {}),
    before,
    apiUp: round.apiUp,
    draining: own?.drain ?? [],
    others,
  });
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
  const doc: DeciderDocument = {
    v: 2,
    at: now,
    by: round.controlRegion,
    drain: plan.draining,
    since: switchedSince(own, plan.draining, ids, now),
    view: {
      at: now,
      applied,
      records: round.recordsAfter ?? round.records,
      state,
      ...(round.lease !== undefined ? { lease: round.lease } : {}),
    },
  };
  return { plan, doc };
}

/**
 * When the document last switched each target: a drain keeps the time it began, a target this round stops
 * draining gets `now`, an earlier clearing keeps its time (./signal-union.ts undrainAnnouncer).
 */
function switchedSince(
  own: DeciderDocument | undefined,
  draining: readonly string[],
  ids: readonly string[],
  now: number,
): Record<string, number> {
  const since: Record<string, number> = {};
  for (const id of ids) {
    const was = own?.since[id];
    const drained = own?.drain.includes(id) === true;
    if (draining.includes(id)) since[id] = drained && was !== undefined ? was : now;
    else if (drained) since[id] = now;
    else if (was !== undefined) since[id] = was;
  }
  return since;
}

/** Every control region's store was read at the start of the round. */
function everyStoreRead(signals: SignalReads, config: FailoverConfig): boolean {
  return config.controlRegions.every((region) =>
    signals.reads.some((read) => read.region === region && read.error === undefined),
  );
}

/** What DNS drains because of every writer but `writer` (and the override): drains this decider cannot take back. */
function drainedByOthers(reads: readonly SignalRead[], writer: string, now: number): Set<string> {
  return drainedAnywhere(
    reads.map((read) => ({ ...read, docs: read.docs.filter((doc) => doc.by !== writer) })),
    now,
  );
}

/**
 * Publishes this decider's document to every control region when it
 * changed, when a store missed the last write, or when a drain is due its
 * minute's rewrite; then reads every store back: a target is drained when
 * any region's fresh documents say so (the calculated check needs every
 * child healthy), and the answers Route 53 would give from that must match
 * the plan's. When a store refused the write and what it still holds would,
 * with the new document, drain every target, the document is planned again
 * with those drains as ones it cannot take back (never every record
 * unhealthy: Route 53 would fail open, maybe onto the dead target). `last`
 * is the document this decider wrote last (this round's drain-first write,
 * or the one read at the start).
 */
export async function publishSignals(
  store: RoundSignals,
  round: SignalRound,
  last: DeciderDocument | undefined,
): Promise<SignalOutcome> {
  const { config, now, signals: start } = round;
  const ids = config.targets.map((target) => target.id);
  let next = nextSignalState(round);
  let { writes, after } = await writeIfDue(store, next.doc, start, last);
  if (writes.some((write) => !write.ok) && drainedAnywhere(after, now).size === ids.length) {
    const notThis = after.map((read) => ({
      ...read,
      docs: read.docs.filter((doc) => doc.by !== next.doc.by || doc.at !== now),
    }));
    next = nextSignalState({ ...round, stuck: drainedAnywhere(notThis, now) });
    writes = await store.publish(next.doc);
    after = await store.readAll();
  }
  const before = drainedAnywhere(start.reads, now);
  const drainedNow = drainedAnywhere(after, now);
  const answers = answerSharesFor(next.doc.view.records, drainedNow, ids);
  const confirmed =
    after.some((read) => read.error === undefined) &&
    ids.every((id) => Math.abs((answers[id] ?? 0) - (next.plan.answers[id] ?? 0)) < 0.005);
  const newly = ids.filter((id) => drainedNow.has(id) && !before.has(id));
  const cleared = ids.filter((id) => before.has(id) && !drainedNow.has(id) && next.plan.undrained.includes(id));
  const order = config.controlRegions;
  const announcer =
    newly.length > 0
      ? newly.every((id) => drainAnnouncer(after, id, order, now) === next.doc.by)
      : cleared.length > 0 && cleared.every((id) => undrainAnnouncer(after, id, order, now) === next.doc.by);
  return {
    draining: next.plan.draining,
    drained: next.plan.drained,
    undrained: next.plan.undrained,
    emergency: next.plan.emergency,
    withheld: next.plan.withheld,
    inEffect: next.plan.inEffect,
    writes,
    dnsBefore: ids.filter((id) => before.has(id)),
    dnsAfter: ids.filter((id) => drainedNow.has(id)),
    announcer,
    answers,
    confirmed,
    // Two deciders clearing at once each plan with the other's drain still in place (not in effect); the read-back
    // shows DNS answering the decision: the undrain happened, and its announcer tells it.
    undrainSeen:
      newly.length === 0 && cleared.length > 0 && sameShares(answers, weightShares(round.decision.weights, ids), ids),
    stale: staleWriters(after, now),
  };
}

/** Writers of a fresh draining document older than twice SIGNAL_REFRESH_SECONDS, in any store (a drain is refreshed every SIGNAL_REFRESH_SECONDS). */
export function staleWriters(reads: readonly SignalRead[], now: number): string[] {
  const stale = reads.flatMap((read) =>
    read.docs
      .filter((doc) => doc.drain.length > 0 && isFresh(doc, now) && now - doc.at > 2 * SIGNAL_REFRESH_SECONDS)
      .map((doc) => doc.by),
  );
  return [...new Set(stale)].sort();
}

/** Writes `doc` when it is due (changed, a store missed it, or a drain's minute is up) and reads the stores back when anything was written this round. */
async function writeIfDue(
  store: RoundSignals,
  doc: DeciderDocument,
  start: SignalReads,
  last: DeciderDocument | undefined,
): Promise<{ writes: StoreWrite[]; after: SignalRead[] }> {
  const due =
    last === undefined ||
    last.drain.join() !== doc.drain.join() ||
    viewBody(last) !== viewBody(doc) ||
    (doc.drain.length > 0 && doc.at - last.at >= SIGNAL_REFRESH_SECONDS) ||
    // A readable store that missed our last write is written again.
    start.reads.some(
      (read) => read.error === undefined && read.docs.find((held) => held.by === doc.by)?.at !== last.at,
    );
  const writes = due ? await store.publish(doc) : [];
  const after = writes.length > 0 || last !== start.own ? await store.readAll() : start.reads;
  return { writes, after };
}

/** A document's view without when it was made: equal bodies need no write. */
function viewBody(doc: DeciderDocument): string {
  const { at: _at, ...body } = doc.view;
  return JSON.stringify(body);
}
