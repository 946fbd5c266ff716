import { describe, expect, it } from "vitest";
import { suspectCheckers } from "../../../functions/lib/policy/suspects.ts";
import type { ProbeRound } from "../../../functions/lib/types.ts";
import { generatedConfig, roundOf, T0 } from "./helpers.ts";

// Who is set aside in each round, from vote strings for t0 (one character per vantage: u up, d down, - silent).
const config4 = generatedConfig({ weights: [90, 10], vantages: 4, minVantages: 2, quorum: "majority" });
const config5 = generatedConfig({ weights: [90, 10], vantages: 5, minVantages: 2, quorum: "majority" });
const I = config4.probe.intervalSeconds;
type Config = typeof config4;

function rounds(config: Config, specs: string[]): ProbeRound[] {
  return specs.map((t0, k) => roundOf(config, T0 + k * I, { t0 }));
}

/** The vantages set aside in each round, with why. */
function asideByRound(config: Config, window: ProbeRound[]): string[][] {
  return suspectCheckers(config, window, "t0").map((aside) =>
    [...aside.values()].map((s) => `${s.vantage} ${s.reason}`),
  );
}

describe("suspectCheckers: who disagrees", () => {
  it("sets aside a vantage that alone sees the target down for suspectAfterRounds rounds, a silent other not counting as down", () => {
    const aside = asideByRound(config4, rounds(config4, ["uu-d", "uu-d", "uu-d"]));
    expect(aside).toEqual([[], [], ["ap-south-1 disagrees"]]);
  });

  it("does not set aside vantages that are two to see the target down, nor one whose agreeing others are too few", () => {
    expect(asideByRound(config5, rounds(config5, ["uuudd", "uuudd", "uuudd"])).flat()).toEqual([]);
    expect(asideByRound(config4, rounds(config4, ["u--d", "u--d", "u--d"])).flat()).toEqual([]);
  });

  it("keeps it aside through rounds it is silent in, whatever the others say", () => {
    const aside = asideByRound(config4, rounds(config4, ["uuud", "uuud", "uuud", "ddd-", "uuud"]));
    expect(aside.slice(2)).toEqual(Array.from({ length: 3 }, () => ["ap-south-1 disagrees"]));
  });

  it("brings it back in the first round it votes up with the others", () => {
    const aside = asideByRound(config4, rounds(config4, ["uuud", "uuud", "uuud", "uuuu", "uuud"]));
    expect(aside.slice(2)).toEqual([["ap-south-1 disagrees"], [], []]);
  });
});

describe("suspectCheckers: conflicting datums", () => {
  it("sets aside a conflicting vantage from the first round it conflicted in, as conflicting even when it also disagrees", () => {
    const window = rounds(config4, ["uuud", "uuud", "uuud", "uuud"]).map((round, k) =>
      k === 1 || k === 2 ? { ...round, conflicts: ["ap-south-1"] } : round,
    );
    const checkers = suspectCheckers(config4, window, "t0");
    expect(checkers.map((aside) => [...aside.values()])).toEqual(
      Array.from({ length: 4 }, () => [{ vantage: "ap-south-1", reason: "conflicting", since: T0 + I }]),
    );
  });
});
