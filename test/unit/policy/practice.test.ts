import { describe, expect, it } from "vitest";
import type { OverrideLease } from "../../../functions/lib/lease.ts";
import type { AlarmState, PracticeView } from "../../../functions/lib/policy/practice.ts";
import { outsideSchedule, practiceSlot, resumeStep } from "../../../functions/lib/policy/practice.ts";
import { parseWindow, spanInsideWindow } from "../../../functions/lib/practice-window.ts";
import { exampleConfig, PRIMARY_DOWN, simulate, T0, times, UP, FAILOVER_DOWN } from "./helpers.ts";

// T0 is Wednesday 2025-08-06 02:30 UTC. Runs of 5 min (30 rounds of 10 s); recovery 30 s, ramp steps 20 s.
const practice = {
  every: "week",
  durationMinutes: 5,
  targets: ["primary", "failover"],
  blockingAlarms: [{ name: "deploy-in-progress", region: "us-east-1" }],
  outcomeAlarms: [{ name: "app-5xx", region: "us-west-2" }],
};
const config = exampleConfig({ policy: { recoverAfterSeconds: 30, rampStepSeconds: 20 }, practice });
const BLOCKING = "us-east-1:deploy-in-progress";
const OUTCOME = "us-west-2:app-5xx";

/** Alarm states by decision time: OK unless `from <= now < to` says otherwise. */
function alarms(changes: Array<{ key: string; state: AlarmState; from: number; to?: number }> = []) {
  return (now: number): PracticeView => {
    const states: Record<string, AlarmState> = { [BLOCKING]: "OK", [OUTCOME]: "OK" };
    for (const change of changes)
      if (now >= change.from && now < (change.to ?? Infinity)) states[change.key] = change.state;
    return { alarms: states };
  };
}

const at = (round: number) => T0 + (round + 1) * 10;

describe("practice windows", () => {
  it("reads an overnight window only when it names the next day, and says how when it does not", () => {
    // Act
    const overnight = parseWindow("FRI:22:00-SAT:02:00");
    const wrong = parseWindow("FRI:22:00-FRI:02:00");
    // Assess
    expect(overnight).toMatchObject({ start: 4 * 1440 + 22 * 60, end: 5 * 1440 + 120 });
    expect(wrong).toContain("an overnight window names the next day (FRI:22:00-SAT:02:00)");
    expect(parseWindow("MON:09:00-WED:09:00")).toContain("the same day or the next");
    expect(parseWindow("monday 9-5")).toContain('expected a window such as "MON:09:00-MON:17:00"');
  });

  it("holds a run wholly inside a window, across Sunday midnight too", () => {
    // Prepare: 2025-08-10 is a Sunday
    const sunday2330 = Date.UTC(2025, 7, 10, 23, 30) / 1000;
    const window = parseWindow("SUN:23:00-MON:01:00");
    if (typeof window === "string") throw new Error(window);
    // Act, Assess
    expect(spanInsideWindow(window, sunday2330, 30 * 60)).toBe(true);
    expect(spanInsideWindow(window, sunday2330 + 3600, 30 * 60)).toBe(true);
    expect(spanInsideWindow(window, sunday2330 + 3660, 30 * 60)).toBe(false);
    expect(spanInsideWindow(window, sunday2330 - 3600, 30 * 60)).toBe(false);
  });

  it("refuses a scheduled start on a blocked date or when the run would outlast its window", () => {
    // Prepare
    const settings = exampleConfig({
      practice: { ...practice, allowedWindows: ["WED:02:00-WED:02:40"], blockedDates: ["2025-08-13"] },
    }).practice;
    if (settings === undefined) throw new Error("no practice settings");
    // Act, Assess
    expect(outsideSchedule(settings, T0)).toBeUndefined();
    expect(outsideSchedule(settings, T0 + 6 * 60)).toContain("would not fit in an allowed window");
    expect(outsideSchedule(settings, T0 + 7 * 86400)).toBe("2025-08-13 is a blocked date");
  });

  it("counts weeks from Monday 00:00 UTC and days from midnight", () => {
    // Prepare
    const sunday = Date.UTC(2025, 7, 10, 23, 59) / 1000;
    const settings = config.practice;
    if (settings === undefined) throw new Error("no practice settings");
    // Act, Assess
    expect(practiceSlot(settings, sunday + 60)).toBe(practiceSlot(settings, sunday) + 1);
    expect(practiceSlot(settings, T0)).toBe(practiceSlot(settings, sunday));
    expect(practiceSlot({ ...settings, every: "day" }, sunday + 60)).toBe(Math.floor((sunday + 60) / 86400));
  });

  it("gives a fully drained target back from the first ramp step and a half-shifted one at once", () => {
    expect(resumeStep([10, 25, 50, 100], 100)).toBe(0);
    expect(resumeStep([10, 25, 50, 100], 80)).toBe(1);
    expect(resumeStep([10, 25, 50, 100], 50)).toBeUndefined();
  });
});

describe("a practice run in the policy", () => {
  it("drains the slot's target, holds it for the run's length, ends SUCCEEDED and ramps it back", () => {
    // Act
    const decisions = simulate(config, times(45, UP), { practice: alarms() });
    // Assess
    const start = decisions[0];
    expect(start?.kind).toBe("practice-start");
    expect(start?.practice).toMatchObject({ kind: "start", run: { target: "failover", percent: 100, by: "schedule" } });
    expect(start?.weights).toEqual({ primary: 100, failover: 0 });
    const end = decisions.findIndex((d) => d.kind === "practice-end");
    // 5 minutes after the start, at the first decision at or after the end
    expect(at(end) - at(0)).toBe(300);
    expect(decisions[end]?.practice).toMatchObject({ kind: "end", outcome: "SUCCEEDED" });
    expect(decisions[end]?.weights).toEqual({ primary: 99, failover: 1 });
    expect(decisions.at(-1)?.weights).toEqual({ primary: 90, failover: 10 });
    expect(decisions.filter((d) => d.practice?.kind === "start")).toHaveLength(1);
  });

  it("ends the run FAILED when an outcome alarm fires and gives the weights back at once", () => {
    // Act
    const decisions = simulate(config, times(20, UP), {
      practice: alarms([{ key: OUTCOME, state: "ALARM", from: at(5) }]),
    });
    // Assess
    expect(decisions[5]?.practice).toMatchObject({ kind: "end", outcome: "FAILED" });
    expect(decisions[5]?.practice?.kind === "end" && decisions[5].practice.reason).toContain(
      "app-5xx (us-west-2): ALARM",
    );
    expect(decisions[5]?.weights).toEqual({ primary: 90, failover: 10 });
  });

  it("ends the run INTERRUPTED on a blocking alarm, and starts none while one is in ALARM", () => {
    // Act
    const interrupted = simulate(config, times(10, UP), {
      practice: alarms([{ key: BLOCKING, state: "ALARM", from: at(3) }]),
    });
    const refused = simulate(config, times(10, UP), { practice: alarms([{ key: BLOCKING, state: "ALARM", from: 0 }]) });
    // Assess
    expect(interrupted[3]?.practice).toMatchObject({ kind: "end", outcome: "INTERRUPTED" });
    expect(refused.filter((d) => d.practice !== undefined).map((d) => d.practice?.kind)).toEqual(["skip"]);
    expect(refused[0]?.practice).toMatchObject({
      reason: "blocking alarm deploy-in-progress (us-east-1): ALARM not OK",
    });
    expect(refused.every((d) => d.weights.failover === 10)).toBe(true);
  });

  it("ends the run INTERRUPTED by a real outage, whose drain happens in the same decision", () => {
    // Act: the primary (taking all traffic during the run) goes down at round 5
    const decisions = simulate(config, [...times(5, UP), ...times(5, PRIMARY_DOWN)], { practice: alarms() });
    // Assess
    const drain = decisions.findIndex((d) => d.kind === "drain");
    expect(drain).toBe(5);
    expect(decisions[drain]?.practice).toMatchObject({
      kind: "end",
      outcome: "INTERRUPTED",
      reason: "a real failover decision",
    });
    expect(decisions[drain]?.weights).toEqual({ primary: 0, failover: 100 });
  });

  it("keeps a really failed practice target drained when its own outage interrupts the run", () => {
    // Act
    const decisions = simulate(config, [...times(5, UP), ...times(6, FAILOVER_DOWN)], { practice: alarms() });
    // Assess
    const drain = decisions.findIndex((d) => d.practice?.kind === "end");
    expect(decisions[drain]?.kind).toBe("drain");
    expect(decisions[drain]?.memory.targets.failover?.mode).toBe("drained");
    expect(decisions.at(-1)?.weights).toEqual({ primary: 100, failover: 0 });
  });

  it("ends the run INTERRUPTED when on-call takes a lease: the override wins", () => {
    // Prepare
    const lease: OverrideLease = {
      id: "lease-1",
      action: "promote",
      target: "failover",
      createdAt: at(4),
      expiresAt: at(4) + 600,
    };
    // Act
    const decisions = simulate(config, times(8, UP), {
      practice: alarms(),
      lease: (now) => (now >= at(4) ? lease : undefined),
    });
    // Assess
    expect(decisions[4]?.kind).toBe("override");
    expect(decisions[4]?.practice).toMatchObject({
      kind: "end",
      outcome: "INTERRUPTED",
      reason: "override lease lease-1",
    });
    expect(decisions[4]?.weights).toEqual({ primary: 0, failover: 100 });
    expect(decisions.slice(5).every((d) => d.practice === undefined)).toBe(true);
  });

  it("starts none while a target is down, and records the skip once for the slot", () => {
    // Act
    const decisions = simulate(config, times(6, PRIMARY_DOWN), { practice: alarms() });
    // Assess
    const skips = decisions.filter((d) => d.practice?.kind === "skip");
    expect(skips).toHaveLength(1);
    expect(decisions.some((d) => d.practice?.kind === "start")).toBe(false);
  });

  it("shifts half the target's weight for a partial run and gives it back at once", () => {
    // Prepare
    const half = exampleConfig({
      policy: { recoverAfterSeconds: 30, rampStepSeconds: 20 },
      practice: { ...practice, shiftPercent: 50, targets: ["primary"] },
    });
    // Act
    const decisions = simulate(half, times(32, UP), { practice: alarms() });
    // Assess
    expect(decisions[0]?.weights).toEqual({ primary: 45, failover: 55 });
    expect(decisions[30]?.kind).toBe("practice-end");
    expect(decisions[30]?.weights).toEqual({ primary: 90, failover: 10 });
  });
});
