import type { ZoneSnapshot } from "../records/zone-snapshot.ts";
import type { UpdateResult } from "../records/zone-update.ts";
import { dnsWeights } from "../dataplane/answers.ts";
import type { DeciderDocument } from "../dataplane/signal-store.ts";
import { drainedAnywhere } from "../dataplane/signal-union.ts";
import { emptyStateDocument } from "../state-document.ts";
import { pickWeights } from "../policy/weights.ts";
import type { Weights } from "../types.ts";
import type { Decided, RoundDecision } from "./decide-round.ts";
import type { RoundDeps, RoundSignals } from "./ports.ts";
import type { RoundReads, SignalReads } from "./read-round.ts";
import { controlPlaneDown, nextSignalState, publishSignals, type SignalOutcome } from "./signal-half.ts";

/** What carrying a round's decision out did. */
export interface AppliedRound {
  /** The decision in force: the compare-and-swap's, or the view's with the Route 53 API down. */
  decided: Decided;
  /** The compare-and-swap (undefined: the Route 53 API was down and the view decided). */
  result: UpdateResult<Decided> | undefined;
  /** This decider changed the weights in the records (a compare-and-swap it won). */
  switched: boolean;
  /** The weights DNS answered before this round: the records (with the API down, the view's), less what the signals drained. */
  from: Weights;
  /** What the data-plane half did (with signal stores). */
  signals: SignalOutcome | undefined;
}

/**
 * The third step of a round, its writes in the crash-safe order: a drain
 * goes to the signal stores first (decided from the view), then the records
 * and the state by compare-and-swap (decided on the zone it reads; with the
 * Route 53 API down, the view's decision stands), then this decider's
 * document with the view that explains the records. A crash between two
 * writes leaves the next round (of either decider) a drain it knows the
 * reason of, and records it can catch up with. Throws when the zone cannot
 * be read or written and there is no view to go on from.
 */
export async function applyRound(deps: RoundDeps, reads: RoundReads, decision: RoundDecision): Promise<AppliedRound> {
  const { store, signals: start, now } = reads;
  const ids = deps.config.targets.map((target) => target.id);
  const early =
    store && start && decision.fromView ? await drainFirst(deps, store, start, decision.fromView, now) : undefined;
  const { decided, result } = await writeRecords(deps, reads.zone, decision);
  const switched = result?.applied === true && result.change?.weights !== undefined;
  if (switched && result?.changeId) deps.followChange?.(result.changeId);
  const recordsBefore = result
    ? pickWeights(result.snapshot.weights, ids)
    : pickWeights(start?.view?.records ?? {}, ids);
  // Planned on the records before and after this round's write (./apply-decision.ts signalRecords): a target
  // the old records held at 0 has its drain cleared now; one they gave weight keeps it a round (name servers lag).
  const signals =
    store && start
      ? await publishSignals(
          store,
          {
            config: deps.config,
            controlRegion: deps.controlRegion,
            now,
            decision: decided.decision,
            records: recordsBefore,
            recordsAfter: switched
              ? pickWeights(result?.change?.weights ?? decided.decision.weights, ids)
              : recordsBefore,
            apiUp: result !== undefined,
            signals: start,
            state: decided.state ?? { ...emptyStateDocument(), memory: decided.decision.memory },
            lease: decided.lease,
          },
          early ?? start.own,
        )
      : undefined;
  const drainedBefore = start ? drainedAnywhere(start.reads, now) : new Set<string>();
  const from = result || start?.view ? dnsWeights(recordsBefore, drainedBefore, ids) : pickWeights({}, ids);
  return { decided, result, switched, from, signals };
}

/**
 * Drains go through the data plane before the Route 53 API is asked (which
 * may hang for its whole retry budget when it is down): this decider's
 * document is written only when the view's decision drains something, with
 * the view that explains the drain in the same parameter. Returns the
 * document written.
 */
async function drainFirst(
  deps: RoundDeps,
  store: RoundSignals,
  start: SignalReads,
  fromView: Decided,
  now: number,
): Promise<DeciderDocument | undefined> {
  const view = start.view;
  if (view === undefined) return undefined;
  const next = nextSignalState({
    config: deps.config,
    controlRegion: deps.controlRegion,
    now,
    decision: fromView.decision,
    records: view.records,
    apiUp: false,
    signals: start,
    state: view.state,
    lease: view.lease,
  });
  // Only a drain the view's decision newly makes is urgent. A target the view already keeps out may have been
  // restored since by a decision this view has not seen (the zone's): the compare-and-swap round decides it.
  const urgent = next.plan.drained.filter((id) => (view.applied[id] ?? 0) > 0);
  if (urgent.length === 0 && !next.plan.emergency) return undefined;
  const writes = await store.publish(next.doc);
  deps.log.warn(`drain signal sent for ${next.plan.drained.join(", ") || "an emergency undrain"} before the records`, {
    controlRegion: deps.controlRegion,
    draining: next.plan.draining,
    writes,
  });
  return next.doc;
}

/**
 * The records and the state by compare-and-swap, planned first on the zone
 * the read step read (a write made since is a conflict: read again). When the Route 53 API is
 * down and there is a view, the view's decision stands and the signals
 * alone carry it out.
 */
async function writeRecords(
  deps: RoundDeps,
  zone: Promise<ZoneSnapshot>,
  decision: RoundDecision,
): Promise<{ decided: Decided; result: UpdateResult<Decided> | undefined }> {
  try {
    const result = await deps.switcher.update(decision.onZone, { first: zone });
    return { decided: result.decided, result };
  } catch (error) {
    if (decision.fromView === undefined || !controlPlaneDown(error)) throw error;
    deps.log.warn("Route 53 API down: deciding from the decider view, draining through health checks only", {
      controlRegion: deps.controlRegion,
      error: error instanceof Error ? error.message : String(error),
      // A change whose answers were all lost: "unknown" means it may be in place (the next round re-reads).
      changeOutcome: (error as { outcome?: string }).outcome,
    });
    return { decided: decision.fromView, result: undefined };
  }
}
