import { madeThroughHealthChecks } from "../functions/lib/decider/signal-half.ts";
import { parseStateDocument, type SwitchEvent } from "../functions/lib/state-document.ts";
import type { Weights } from "../functions/lib/types.ts";

/** The weights in the emulator after one observed change. */
export interface ObservedWeights {
  /** Virtual epoch ms the change was made: the switch event's time when the state record names it, else when it was seen. */
  at: number;
  weights: Weights;
  /** The switch event the state record holds for this change, if any (reason, votes, mode). */
  event: SwitchEvent | undefined;
  /** On-call's change (its lease or audit id) when the switch event is a manual one. */
  onCall?: string | undefined;
  /** The practice run whose start or end this change is (an exercise, not an incident). */
  practice?: string | undefined;
}

/** The part of the drill clock the watcher needs. */
export interface WatcherClock {
  now(): number;
  sleepUntil(atMs: number): Promise<void>;
  readonly isStopped: boolean;
}

/**
 * Follows the weighted records in the emulator: reads the zone every
 * `intervalMs` (virtual) and records each change of weights. Changes are
 * taken from the switch events of the state record (the decider writes them
 * in the same batch as the weights), so every change between two reads is
 * seen, at its exact time; a change with no event (someone edited the
 * records by hand) is dated when it was seen.
 */
export class RecordWatcher {
  readonly changes: ObservedWeights[] = [];
  readErrors = 0;
  lastError: string | undefined;
  private lastEventAt = 0;

  constructor(
    private readonly options: {
      clock: WatcherClock;
      /** Reads the zone (the drill: `Route53Switcher.read()`). */
      read: () => Promise<{ weights: Weights; state: unknown }>;
      /** Virtual ms between reads. */
      intervalMs: number;
      /** Target ids, to compare weights. */
      targets: readonly string[];
      onChange?: (change: ObservedWeights, previous: ObservedWeights | undefined) => void;
    },
  ) {}

  /** Weights now (the last observed). */
  get current(): Weights | undefined {
    return this.changes.at(-1)?.weights;
  }

  /** Reads once and records the changes since the last read, if any. */
  async poll(): Promise<void> {
    let snapshot: { weights: Weights; state: unknown };
    try {
      snapshot = await this.options.read();
    } catch (error) {
      this.readErrors++;
      this.lastError = (error as Error).message;
      return;
    }
    if (this.changes.length === 0) {
      // The first read is the starting point; earlier events are history.
      this.lastEventAt = Math.max(0, ...switchesOf(snapshot.state).map((event) => event.at));
      this.record({ at: this.options.clock.now(), weights: this.pick(snapshot.weights), event: undefined });
      return;
    }
    for (const event of switchesOf(snapshot.state)
      .filter((e) => e.at > this.lastEventAt)
      .sort((a, b) => a.at - b.at)) {
      this.lastEventAt = event.at;
      const onCall = event.mode === "manual" ? (event.audit ?? `manual@${event.at}`) : undefined;
      const practice = practiceRunOf(event.reason);
      const weights = this.pick({ ...this.current, ...event.to });
      this.record({ at: event.at * 1000, weights, event, onCall, ...(practice ? { practice } : {}) });
    }
    this.record({ at: this.options.clock.now(), weights: this.pick(snapshot.weights), event: undefined });
  }

  /** Polls until `untilMs` (virtual epoch ms) or the clock stops. */
  async run(untilMs: number): Promise<void> {
    const { clock, intervalMs } = this.options;
    let next = clock.now();
    for (let round = 0; round < 10_000_000 && !clock.isStopped && next < untilMs; round++) {
      await this.poll();
      next += intervalMs;
      await clock.sleepUntil(next);
    }
  }

  private pick(weights: Weights): Weights {
    return Object.fromEntries(this.options.targets.map((target) => [target, weights[target] ?? 0]));
  }

  private record(change: ObservedWeights): void {
    const previous = this.changes.at(-1);
    if (previous && this.options.targets.every((target) => previous.weights[target] === change.weights[target])) return;
    const dated = previous ? { ...change, at: Math.max(change.at, previous.at) } : change;
    this.changes.push(dated);
    this.options.onChange?.(dated, previous);
  }
}

/** The switch events of a state record that changed the records, newest first; none when absent or malformed. */
function switchesOf(state: unknown): SwitchEvent[] {
  if (state === undefined) return [];
  try {
    // A drain made through the health checks alone never was in the records (the catch-up write is its own event).
    return parseStateDocument(state).switches.filter((event) => !madeThroughHealthChecks(event));
  } catch {
    return [];
  }
}

/**
 * The practice run a switch event starts or ends: the policy's reason for it begins with the run (a reason is
 * made from ids and times, never a person's text: functions/lib/policy/decide.ts). A real decision that ends a
 * run says so after its own reason, and is the incident it is.
 */
export function practiceRunOf(reason: string): string | undefined {
  return /^(?:records catch up with the health checks: )?practice run (practice-[A-Za-z0-9-]+)/.exec(reason)?.[1];
}
