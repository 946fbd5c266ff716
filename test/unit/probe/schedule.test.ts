import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planRounds } from "../../../functions/lib/probe/schedule.ts";

const minute = Date.UTC(2025, 7, 6, 12, 0, 0);
const seconds = (starts: number[]) => starts.map((start) => (start - minute) / 1000);
const defaults = { intervalSeconds: 10, timeoutMs: 4000, budgetSeconds: 55 };

describe("planRounds", () => {
  it("runs six aligned rounds in a 55-second budget invoked just after the minute", () => {
    expect(seconds(planRounds({ ...defaults, nowMs: minute + 500 }))).toEqual([0, 10, 20, 30, 40, 50]);
  });

  it("still takes the current slot when a little late", () => {
    expect(seconds(planRounds({ ...defaults, nowMs: minute + 3000 })).slice(0, 2)).toEqual([0, 10]);
  });

  it("waits for the next slot when too late for the current one to finish within it", () => {
    expect(seconds(planRounds({ ...defaults, nowMs: minute + 7000 })).slice(0, 2)).toEqual([10, 20]);
  });

  it("stops early enough for Lambda's remaining time and the last publish", () => {
    expect(seconds(planRounds({ ...defaults, nowMs: minute + 500, remainingMs: 25_000 }))).toEqual([0, 10]);
  });

  it("honours maxRounds", () => {
    expect(seconds(planRounds({ ...defaults, nowMs: minute + 500, maxRounds: 1 }))).toEqual([0]);
  });

  it("plans nothing when not even one round fits", () => {
    expect(planRounds({ ...defaults, budgetSeconds: 5, nowMs: minute + 7000 })).toEqual([]);
  });

  it("always plans aligned, increasing starts whose checks end within the budget and the remaining time", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.constantFrom(5, 6, 10, 12, 15, 20, 30, 60),
        fc.integer({ min: 5, max: 840 }),
        fc.option(fc.integer({ min: 0, max: 900_000 }), { nil: undefined }),
        (nowMs, intervalSeconds, budgetSeconds, remainingMs) => {
          const timeoutMs = intervalSeconds * 1000 - 1000;
          const starts = planRounds({
            nowMs,
            intervalSeconds,
            timeoutMs,
            budgetSeconds,
            ...(remainingMs === undefined ? {} : { remainingMs }),
          });
          starts.forEach((start, index) => {
            expect(start % (intervalSeconds * 1000)).toBe(0);
            if (index > 0) expect(start).toBe((starts[index - 1] ?? 0) + intervalSeconds * 1000);
            expect(start + timeoutMs).toBeLessThanOrEqual(nowMs + budgetSeconds * 1000);
            if (remainingMs !== undefined) expect(start + timeoutMs).toBeLessThanOrEqual(nowMs + remainingMs - 3000);
          });
          if (starts[0] !== undefined) expect(starts[0]).toBeGreaterThanOrEqual(nowMs - intervalSeconds * 1000);
        },
      ),
    );
  });
});
