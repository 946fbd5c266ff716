import { describe, expect, it } from "vitest";
import { decide } from "../../../functions/lib/policy/decide.ts";
import type { PolicyMemory } from "../../../functions/lib/policy/memory.ts";
import type { AlarmState, PracticeChange } from "../../../functions/lib/policy/practice.ts";
import type { ProbeRound, Weights } from "../../../functions/lib/types.ts";
import { exampleConfig, roundOf } from "./helpers.ts";

/**
 * A simulated year of decider rounds (one decision every 10 minutes, on the
 * deployed policy) with a weekly schedule, allowed windows (one overnight),
 * blocked dates, a blocking alarm that fires at seeded random times, and
 * outages of the primary. The oracle is the calendar and the alarm's own
 * schedule, computed here from dates, never from the policy's functions.
 */

const YEAR_START = Date.UTC(2026, 0, 1) / 1000;
const STEP = 600;
const blockedDates = ["2026-01-01", "2026-04-03", "2026-04-06", "2026-07-14", "2026-11-26", "2026-12-24", "2026-12-25"];
const config = exampleConfig({
  probe: { intervalSeconds: 60, timeoutMs: 4000 },
  policy: { recoverAfterSeconds: 300, rampStepSeconds: 300 },
  practice: {
    every: "week",
    durationMinutes: 30,
    targets: ["failover", "primary"],
    allowedWindows: ["TUE:10:00-TUE:12:00", "THU:22:00-FRI:01:00"],
    blockedDates,
    blockingAlarms: [{ name: "deploy-in-progress", region: "us-east-1" }],
    outcomeAlarms: [{ name: "app-5xx", region: "us-west-2" }],
  },
});

/** Seeded: a blocking alarm in ALARM for 1-6 hours, about twice a week; an outage of 20 min about weekly. */
function schedule(seed: number) {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const alarmSpans: Array<[number, number]> = [];
  const outages: Array<[number, number]> = [];
  for (let t = YEAR_START; t < YEAR_START + 365 * 86400; t += 3600) {
    const at = t + 60 * Math.floor(random() * 60);
    if (random() < 2 / 168) alarmSpans.push([at, at + 3600 * (1 + Math.floor(random() * 6))]);
    if (random() < 1 / 168) outages.push([at, at + 1200]);
  }
  return { alarmSpans, outages };
}

const inside = (spans: Array<[number, number]>, t: number) => spans.some(([from, to]) => t >= from && t < to);

/** Minutes since Monday 00:00 of a UTC time. */
function weekMinute(t: number): number {
  const date = new Date(t * 1000);
  return ((date.getUTCDay() + 6) % 7) * 1440 + date.getUTCHours() * 60 + date.getUTCMinutes();
}

/** The run [start, start + 30 min) lies in Tuesday 10-12 or Thursday 22:00 to Friday 01:00, and touches no blocked date. */
function allowedSlot(start: number): boolean {
  const end = start + 1800;
  const from = weekMinute(start);
  const to = from + 30;
  const inTuesday = from >= 1440 + 600 && to <= 1440 + 720;
  const inThursdayNight = from >= 3 * 1440 + 1320 && to <= 4 * 1440 + 60;
  const dates = [start, end - 1].map((t) => new Date(t * 1000).toISOString().slice(0, 10));
  return (inTuesday || inThursdayNight) && dates.every((d) => !blockedDates.includes(d));
}

describe("practice runs over a simulated year", () => {
  it("never starts a run in a blocked slot or while the blocking alarm is in ALARM, and runs most weeks", () => {
    // Prepare
    const { alarmSpans, outages } = schedule(7);
    let current: Weights = { primary: 90, failover: 10 };
    let memory: PolicyMemory | undefined;
    const rounds: ProbeRound[] = [];
    const changes: PracticeChange[] = [];
    // Act
    for (let now = YEAR_START; now < YEAR_START + 365 * 86400; now += STEP) {
      for (let at = now - STEP + 60; at <= now; at += 60)
        rounds.push(roundOf(config, at, inside(outages, at) ? { primary: "ddd" } : {}));
      rounds.splice(0, Math.max(0, rounds.length - 20));
      const blocking: AlarmState = inside(alarmSpans, now) ? "ALARM" : "OK";
      const decision = decide({
        now,
        config,
        rounds,
        current,
        memory,
        lease: undefined,
        practice: { alarms: { "us-east-1:deploy-in-progress": blocking, "us-west-2:app-5xx": "OK" } },
      });
      current = decision.weights;
      if (decision.memoryChanged) memory = decision.memory;
      if (decision.practice !== undefined) changes.push(decision.practice);
    }
    // Assess
    const starts = changes.flatMap((c) => (c.kind === "start" ? [c.run] : []));
    expect(starts.filter((run) => !allowedSlot(run.since))).toEqual([]);
    expect(starts.filter((run) => inside(alarmSpans, run.since))).toEqual([]);
    // One run per week at most, each ended once
    const weeks = starts.map((run) => Math.floor((run.since / 86400 + 3) / 7));
    expect(new Set(weeks).size).toBe(weeks.length);
    const ends = changes.flatMap((c) => (c.kind === "end" ? [c.run.id] : []));
    expect(ends.sort()).toEqual(starts.map((run) => run.id).sort());
    expect(starts.length).toBeGreaterThanOrEqual(40);
    // The blocking alarm and the outages did get in the way (the oracle is not idle)
    expect(changes.some((c) => c.kind === "skip")).toBe(true);
    expect(changes.some((c) => c.kind === "end" && c.outcome === "INTERRUPTED")).toBe(true);
    expect(new Set(starts.map((run) => run.target))).toEqual(new Set(["failover", "primary"]));
    // 52k decisions: seconds alone, more on a shared machine
  }, 120_000);
});
