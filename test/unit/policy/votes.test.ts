import { describe, expect, it } from "vitest";
import { roundVerdict, votesNeeded } from "../../../functions/lib/policy/votes.ts";
import { exampleConfig, roundOf, T0 } from "./helpers.ts";

describe("roundVerdict (quorum per round)", () => {
  const majority = exampleConfig();
  const count1 = exampleConfig({ policy: { quorum: 1, minVantages: 1 } });
  const min3 = exampleConfig({ policy: { minVantages: 3 } });
  it.each([
    { name: "3/3 failed is down", config: majority, votes: "ddd", health: "down" },
    { name: "2/3 failed is down", config: majority, votes: "ddu", health: "down" },
    { name: "1/3 failed is up (one vantage is not a quorum)", config: majority, votes: "duu", health: "up" },
    { name: "2 voters split 1-1 is unknown", config: majority, votes: "du-", health: "unknown" },
    { name: "2 voters both failed is down", config: majority, votes: "-dd", health: "down" },
    { name: "fewer voters than minVantages is unknown", config: majority, votes: "d--", health: "unknown" },
    { name: "nobody voted is unknown", config: majority, votes: "---", health: "unknown" },
    { name: "minVantages 3 with two voters is unknown", config: min3, votes: "dd-", health: "unknown" },
    { name: "fixed quorum 1: a single failed vote is down", config: count1, votes: "d--", health: "down" },
    { name: "fixed quorum 1: an even split is unknown", config: count1, votes: "du-", health: "unknown" },
  ])("$name", ({ config, votes, health }) => {
    // Prepare
    const round = roundOf(config, T0, { primary: votes });
    // Act
    const verdict = roundVerdict(config, round, "primary");
    // Assess
    expect(verdict.health).toBe(health);
    expect(verdict.silent.length + verdict.upVotes.length + verdict.downVotes.length).toBe(3);
  });

  it("names the silent vantages", () => {
    const verdict = roundVerdict(majority, roundOf(majority, T0, { primary: "d-d" }), "primary");
    expect(verdict).toEqual({
      health: "down",
      upVotes: [],
      downVotes: ["us-east-1", "eu-west-1"],
      silent: ["us-west-2"],
      setAside: [],
      unanimous: false,
    });
  });
  it("calls only a down verdict unanimous, not one with too few voters left after the set-aside", () => {
    const verdict = roundVerdict(
      majority,
      roundOf(majority, T0, { primary: "ddd" }),
      "primary",
      new Set(["us-east-1", "us-west-2"]),
    );
    expect(verdict).toMatchObject({ health: "unknown", unanimous: false, setAside: ["us-east-1", "us-west-2"] });
  });
});

describe("votesNeeded (the quorum rule, written once)", () => {
  it.each([
    { quorum: "majority" as const, voters: 0, needed: 1 },
    { quorum: "majority" as const, voters: 1, needed: 1 },
    { quorum: "majority" as const, voters: 2, needed: 2 },
    { quorum: "majority" as const, voters: 3, needed: 2 },
    { quorum: "majority" as const, voters: 4, needed: 3 },
    { quorum: "majority" as const, voters: 5, needed: 3 },
    { quorum: 1, voters: 1, needed: 1 },
    { quorum: 1, voters: 2, needed: 2 },
    { quorum: 1, voters: 3, needed: 2 },
    { quorum: 3, voters: 3, needed: 3 },
    { quorum: 3, voters: 4, needed: 3 },
    { quorum: 2, voters: 5, needed: 3 },
  ])("quorum $quorum with $voters voters needs $needed", ({ quorum, voters, needed }) => {
    // Act, Assess
    expect(votesNeeded(quorum, voters)).toBe(needed);
  });
});
