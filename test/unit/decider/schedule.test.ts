import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/lib/config.ts";
import { deciderOffsetMs, planDecisionRounds } from "../../../functions/lib/decider/schedule.ts";

const config = loadConfig();

describe("decider schedule", () => {
  it("runs a few seconds after each aligned probe round, and not past the budget", () => {
    const minute = Date.UTC(2025, 7, 6, 12, 0, 0);

    const starts = planDecisionRounds(config, minute + 300, 55_000);

    expect(deciderOffsetMs(config)).toBe(3500);
    expect(starts.map((start) => (start - minute) / 1000)).toEqual([3.5, 13.5, 23.5, 33.5, 43.5]);
  });

  it("still takes the current slot when the invocation starts a little late", () => {
    const minute = Date.UTC(2025, 7, 6, 12, 0, 0);

    const starts = planDecisionRounds(config, minute + 7000, 20_000);

    expect(starts.map((start) => (start - minute) / 1000)).toEqual([3.5, 13.5, 23.5]);
  });
});
