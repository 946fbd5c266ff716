import type { Clock } from "../../functions/lib/clock.ts";

/** A virtual clock: `sleep` advances time at once, so a minute of rounds runs in milliseconds. */
export interface ManualClock extends Clock {
  /** Every sleep requested, in ms. */
  sleeps: number[];
  advance(ms: number): void;
}

export function manualClock(startMs: number): ManualClock {
  let nowMs = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => nowMs,
    advance: (ms) => {
      nowMs += ms;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      nowMs += Math.max(0, ms);
    },
  };
}
