import { describe, expect, it } from "vitest";
import { targetVerdict } from "../../../functions/lib/policy/verdict.ts";
import type { ProbeRound } from "../../../functions/lib/types.ts";
import { exampleConfig, roundOf, T0 } from "./helpers.ts";

// The window rules one verdict at a time: which rounds count, the in-progress round, the gap rule, the up stretch.
const config = exampleConfig();
const I = config.probe.intervalSeconds;
const round = (at: number, primary: string) => roundOf(config, at, { primary });
const verdictAt = (rounds: ProbeRound[], now: number, windowSeconds = 20 * I) =>
  targetVerdict(config, rounds, "primary", now, windowSeconds);

describe("targetVerdict: the window", () => {
  it("counts only rounds in (now - windowSeconds, now], one begun this second included", () => {
    const now = T0 + 10 * I;
    const rounds = [
      round(now - 3 * I, "ddd"),
      round(now - 2 * I, "ddd"),
      round(now - I, "ddd"),
      round(now, "ddd"),
      round(now + I, "uuu"),
    ];
    const verdict = verdictAt(rounds, now, 3 * I);
    expect(verdict).toMatchObject({ health: "down", at: now, downRounds: 3 });
  });

  it("reads rounds in any order", () => {
    const [up, down1, down2] = [round(T0, "uuu"), round(T0 + I, "ddd"), round(T0 + 2 * I, "ddd")];
    const now = T0 + 2 * I + 1;
    expect(verdictAt([down2, up, down1], now)).toEqual(verdictAt([up, down1, down2], now));
    expect(verdictAt([down2, up, down1], now)).toMatchObject({ health: "down", downRounds: 2, at: T0 + 2 * I });
  });

  it("with no round in the window, is unknown with every vantage silent, dated now", () => {
    expect(verdictAt([round(T0, "ddd")], T0 + 100 * I)).toEqual({
      health: "unknown",
      upVotes: [],
      downVotes: [],
      silent: config.vantages,
      setAside: [],
      unanimous: false,
      suspects: [],
      at: T0 + 100 * I,
      downRounds: 0,
      upSeconds: 0,
    });
  });
});

describe("targetVerdict: the round in progress", () => {
  // Two down rounds, then a newest round with one vote readable so far (unknown: fewer than minVantages).
  const rounds = [round(T0, "ddd"), round(T0 + I, "ddd"), round(T0 + 2 * I, "d--")];

  it("leaves out an unknown newest round begun less than one interval ago", () => {
    expect(verdictAt(rounds, T0 + 3 * I - 1)).toMatchObject({ health: "down", at: T0 + I, downRounds: 2 });
  });

  it("reads an unknown newest round begun an interval ago or more as it is", () => {
    expect(verdictAt(rounds, T0 + 3 * I)).toMatchObject({ health: "unknown", at: T0 + 2 * I, downRounds: 0 });
  });

  it("keeps a lone round in progress: its votes are all there is", () => {
    expect(verdictAt([round(T0, "d--")], T0 + 1)).toMatchObject({
      health: "unknown",
      at: T0,
      downVotes: ["us-east-1"],
      silent: ["us-west-2", "eu-west-1"],
    });
  });
});

describe("targetVerdict: down rounds and up seconds", () => {
  it("ends a run of down rounds at a gap of more than one interval", () => {
    const rounds = [round(T0, "ddd"), round(T0 + I, "ddd"), round(T0 + 3 * I, "ddd"), round(T0 + 4 * I, "ddd")];
    expect(verdictAt(rounds, T0 + 4 * I + 1).downRounds).toBe(2);
    const steady = [round(T0, "ddd"), round(T0 + I, "ddd"), round(T0 + 2 * I, "ddd"), round(T0 + 3 * I, "ddd")];
    expect(verdictAt(steady, T0 + 3 * I + 1).downRounds).toBe(4);
  });

  it("counts up seconds from the first up round after the last down one; unknown rounds neither count nor break it", () => {
    const rounds = [
      round(T0, "ddd"),
      round(T0 + I, "---"),
      round(T0 + 2 * I, "uuu"),
      round(T0 + 3 * I, "---"),
      round(T0 + 4 * I, "uuu"),
    ];
    expect(verdictAt(rounds, T0 + 5 * I)).toMatchObject({ health: "up", upSeconds: 3 * I, downRounds: 0 });
  });

  it("counts up seconds from the oldest round when the whole window is up", () => {
    expect(verdictAt([round(T0, "uuu"), round(T0 + I, "uuu")], T0 + 2 * I).upSeconds).toBe(2 * I);
  });

  it("has no up seconds while the latest round is down", () => {
    expect(verdictAt([round(T0, "uuu"), round(T0 + I, "ddd")], T0 + 2 * I)).toMatchObject({
      upSeconds: 0,
      downRounds: 1,
    });
  });
});
