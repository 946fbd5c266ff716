import { describe, expect, it } from "vitest";
import { readVoteItem, voteItem, windowRoundStarts } from "../../functions/lib/vote-items.ts";

const T0 = 1_800_000_000;
const window = { vantage: "eu-west-1", period: 10, first: T0 - 20, last: T0 };
const targets = new Set(["primary", "failover"]);
const item = () =>
  voteItem(
    {
      vantage: "eu-west-1",
      at: T0,
      voting: true,
      results: [
        { target: "primary", ok: false, latencyMs: 5 },
        { target: "failover", ok: true, latencyMs: 5 },
        { target: "newer", ok: true, latencyMs: 5 },
      ],
    },
    T0 + 2,
  );

describe("vote items", () => {
  it("reads back the votes a round wrote, leaving out a target the config does not list", () => {
    expect(readVoteItem(item(), window, targets)).toEqual({
      ok: true,
      at: T0,
      votes: { primary: false, failover: true },
    });
  });

  it("refuses another vantage's item and a round outside the window, naming the field and what was expected", () => {
    const other = { ...item(), vantage: { S: "us-east-1" } };
    const late = { ...item(), at: { N: String(T0 + 10) } };
    expect(readVoteItem(other, window, targets)).toMatchObject({
      ok: false,
      reason: 'field vantage: expected "eu-west-1", got "us-east-1"',
    });
    expect(readVoteItem(late, window, targets)).toMatchObject({
      ok: false,
      reason: `field at: expected a multiple of 10 in [${T0 - 20}, ${T0}], got ${T0 + 10}`,
    });
    expect(readVoteItem("not an item", window, targets)).toMatchObject({ ok: false });
  });

  it("lists a window's round starts oldest first, aligned to the interval, and refuses a window that is not positive", () => {
    expect(windowRoundStarts(T0 + 7, 30, 10)).toEqual([T0 - 20, T0 - 10, T0]);
    expect(windowRoundStarts(T0 + 7, 1, 10)).toEqual([T0]);
    expect(windowRoundStarts(T0, 0, 10)).toBeUndefined();
    expect(windowRoundStarts(Number.NaN, 30, 10)).toBeUndefined();
  });
});
