import type { DeciderDocument, DeciderView, SignalRead } from "../dataplane/signal-store.ts";
import { othersFresh, ownNewest } from "../dataplane/signal-union.ts";
import { windowSeconds } from "../policy/decide.ts";
import type { ZoneSnapshot } from "../records/zone-snapshot.ts";
import type { PolicyMemory } from "../policy/memory.ts";
import { alarmsNeeded, type PracticeView } from "../policy/practice.ts";
import type { ProbeRound } from "../types.ts";
import type { RoundDeps, RoundSignals } from "./ports.ts";

/** The signal documents every control region's store holds at the start of a round, and this decider's part in them. */
export interface SignalReads {
  reads: SignalRead[];
  /** This decider's own newest document (undefined: never written, or no store readable). */
  own: DeciderDocument | undefined;
  /** The view to decide from with the Route 53 API down: the own document's, else the newest other writer's (adopted). */
  view: DeciderView | undefined;
}

/** What a round read before it decides. */
export interface RoundReads {
  /** Epoch seconds the round decides at. */
  now: number;
  /** The probe window, oldest round first. */
  rounds: ProbeRound[];
  /** The round's copy of the signal stores: none in a dry run or without stores. */
  store: RoundSignals | undefined;
  /** Every control region's signal documents and the view they give (with a store). */
  signals: SignalReads | undefined;
  /**
   * The zone (records, lease, state), read from the round's start: the
   * compare-and-swap plans on it, and nothing else waits for it (it
   * rejects when the Route 53 API does not answer).
   */
  zone: Promise<ZoneSnapshot>;
  /** The practice alarms' states, when the config has practice runs and this round may need them. */
  practice?: PracticeView | undefined;
}

/**
 * The first step of a round: the probe window, every control region's
 * signal documents and the zone, read at once (a round's time is a
 * decision's delay). The round waits here for the window and the signal
 * documents only: the zone read goes on while the drain-first signal is
 * written (./apply-round.ts), which must not wait on a Route 53 API that may
 * hang for its whole retry budget. Throws when the window cannot be read;
 * an unreadable signal store is logged and read as such.
 */
export async function readRound(deps: RoundDeps, now: number): Promise<RoundReads> {
  // A round's copy: a store whose first call failed is not asked again this round (no overrun for a lost region).
  const store = deps.dryRun ? undefined : deps.signals?.forRound();
  const zone = deps.switcher.read();
  // Awaited by the compare-and-swap; a round that fails before it must not leave the rejection unhandled.
  zone.catch(() => undefined);
  const [rounds, reads] = await Promise.all([
    deps.bus.readWindow(deps.controlRegion, now, windowSeconds(deps.config)),
    store?.readAll(),
  ]);
  for (const read of reads ?? []) {
    if (read.error !== undefined)
      deps.log.warn("signal store unreadable", { region: read.region, problem: read.error });
    if (read.problems !== undefined)
      deps.log.warn("signal documents ignored", { region: read.region, problems: read.problems });
  }
  if (reads === undefined)
    return { now, rounds, store, signals: undefined, practice: await practiceView(deps, undefined, now), zone };
  // The view to decide from is this decider's own, unless another writer's fresh document carries a newer switch
  // (a decision this one has not seen, e.g. a drain made while the Route 53 API was down): then that one, so the
  // deciders' memories converge and neither decides from a view older than the other's decision. With no document
  // of its own yet (first round, or a store wiped), it adopts the other's.
  const own = ownNewest(reads, deps.controlRegion);
  const lastSwitch = (doc: DeciderDocument | undefined) => doc?.view.state.switches[0]?.at ?? -1;
  let chosen = own;
  for (const doc of othersFresh(reads, deps.controlRegion, now))
    if (chosen === undefined || lastSwitch(doc) > lastSwitch(chosen)) chosen = doc;
  const practice = await practiceView(deps, chosen?.view.state.memory, now);
  return { now, rounds, store, signals: { reads, own, view: chosen?.view }, practice, zone };
}

/**
 * The practice alarms, read when the config has practice runs and the view's memory says a run is in
 * progress or asked for, or one could start now (../policy/practice.ts alarmsNeeded); otherwise none.
 */
async function practiceView(
  deps: RoundDeps,
  memory: PolicyMemory | undefined,
  now: number,
): Promise<PracticeView | undefined> {
  const settings = deps.config.practice;
  if (settings === undefined || deps.alarms === undefined || !alarmsNeeded(settings, memory, now)) return undefined;
  return { alarms: await deps.alarms.practiceAlarms([...settings.blockingAlarms, ...settings.outcomeAlarms]) };
}
