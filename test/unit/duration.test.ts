import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../functions/lib/duration.ts";

describe("lease durations", () => {
  it.each([
    ["600", 600],
    ["90s", 90],
    ["10m", 600],
    ["2h", 7200],
    ["1d", 86400],
    ["2d", 172800],
    ["2 days", 172800],
    ["1.5h", 5400],
    ["1h30m", 5400],
    ["1w", 604800],
  ])("reads %s as %i seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(["", "0", "-5", "10x", "1.5", "m", "2 fortnights"])(
    "refuses %j naming --ttl and the accepted forms",
    (text) => {
      expect(() => parseDuration(text)).toThrow(
        "--ttl: expected a duration such as 600 (seconds), 90s, 10m, 1.5h, 2h, 1h30m, 1d (units s, m, h, d, w, or spelled out)",
      );
    },
  );

  it("formats durations for people", () => {
    expect([formatDuration(600), formatDuration(5400), formatDuration(45), formatDuration(-120)]).toEqual([
      "10m",
      "1h 30m",
      "45s",
      "-2m",
    ]);
  });
});
