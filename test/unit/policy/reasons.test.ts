import { describe, expect, it } from "vitest";
import type { PolicyMemory } from "../../../functions/lib/policy/memory.ts";
import {
  describeEvent,
  describeHealth,
  describeModes,
  describeVerdict,
} from "../../../functions/lib/policy/reasons.ts";
import type { TargetVerdict } from "../../../functions/lib/policy/verdict.ts";
import { exampleConfig, T0 } from "./helpers.ts";

// The words of a decision's reason (the state record, Slack, `failover status`), from verdicts written by hand.
const config = exampleConfig();

function verdict(fields: Partial<TargetVerdict>): TargetVerdict {
  return {
    health: "up",
    upVotes: ["us-east-1", "us-west-2", "eu-west-1"],
    downVotes: [],
    silent: [],
    setAside: [],
    unanimous: false,
    suspects: [],
    at: T0,
    downRounds: 0,
    upSeconds: 0,
    ...fields,
  };
}

const down = (fields: Partial<TargetVerdict>) => verdict({ health: "down", upVotes: [], downRounds: 1, ...fields });

describe("describeVerdict", () => {
  it.each([
    {
      verdict: down({ downVotes: ["us-east-1", "eu-west-1"], silent: ["us-west-2"] }),
      words: "primary down from 2/3 vantages for 1 round (us-east-1, eu-west-1 failed; us-west-2 silent)",
    },
    {
      verdict: down({ downVotes: ["us-east-1", "us-west-2"], setAside: ["eu-west-1"], downRounds: 3 }),
      words: "primary down from 2/3 vantages for 3 rounds (us-east-1, us-west-2 failed; eu-west-1 set aside)",
    },
    { verdict: verdict({}), words: "primary up from 3/3 vantages" },
    {
      verdict: verdict({ upVotes: ["us-east-1"], downVotes: ["us-west-2"], silent: ["eu-west-1"] }),
      words: "primary up from 1/3 vantages (us-west-2 failed; eu-west-1 silent)",
    },
    {
      verdict: verdict({ upVotes: ["us-east-1", "us-west-2"], setAside: ["eu-west-1"] }),
      words: "primary up from 2/3 vantages (eu-west-1 set aside)",
    },
    {
      verdict: verdict({
        health: "unknown",
        upVotes: [],
        downVotes: ["us-east-1"],
        silent: ["us-west-2", "eu-west-1"],
      }),
      words: "primary unknown: 1/3 vantages voted, fewer than the minimum 2",
    },
    {
      verdict: verdict({ health: "unknown", upVotes: ["us-east-1"], downVotes: ["us-west-2"], silent: ["eu-west-1"] }),
      words: "primary unknown: votes split (1 up, 1 down, 1 silent)",
    },
    {
      verdict: verdict({
        health: "unknown",
        upVotes: ["us-east-1"],
        downVotes: ["us-west-2"],
        setAside: ["eu-west-1"],
      }),
      words: "primary unknown: votes split (1 up, 1 down, eu-west-1 set aside)",
    },
  ])("$words", ({ verdict, words }) => {
    expect(describeVerdict(config, "primary", verdict)).toBe(words);
  });
});

describe("describeHealth", () => {
  const ids = ["primary", "failover"];

  it("says all targets up only when every target is up with every vantage passing", () => {
    expect(describeHealth(config, ids, { primary: verdict({}), failover: verdict({}) })).toBe("all targets up");
    const silent = verdict({ upVotes: ["us-east-1", "us-west-2"], silent: ["eu-west-1"] });
    expect(describeHealth(config, ids, { primary: verdict({}), failover: silent })).toBe(
      "primary up from 3/3 vantages; failover up from 2/3 vantages (eu-west-1 silent)",
    );
    const aside = verdict({ upVotes: ["us-east-1", "us-west-2"], setAside: ["eu-west-1"] });
    expect(describeHealth(config, ids, { primary: aside, failover: verdict({}) })).toContain("eu-west-1 set aside");
    const failed = verdict({ upVotes: ["us-east-1", "us-west-2"], downVotes: ["eu-west-1"] });
    expect(describeHealth(config, ids, { primary: failed, failover: verdict({}) })).toContain("eu-west-1 failed");
    const unknown = verdict({ health: "unknown", upVotes: [] });
    expect(describeHealth(config, ids, { primary: unknown, failover: verdict({}) })).toContain("primary unknown");
  });

  it("names a target with no verdict, and says nothing for no targets", () => {
    const unknown = verdict({ health: "unknown", upVotes: [] });
    expect(describeHealth(config, ids, { primary: unknown })).toBe(
      "primary unknown: 0/3 vantages voted, fewer than the minimum 2; failover: no verdict",
    );
    expect(describeHealth(config, ids, { primary: verdict({}) })).toBe(
      "primary up from 3/3 vantages; failover: no verdict",
    );
    expect(describeHealth(config, [], {})).toBe("");
  });
});

describe("describeEvent", () => {
  const verdicts = { primary: verdict({ upSeconds: 190 }) };
  it.each([
    {
      event: { kind: "drain" as const, target: "primary" },
      words: "drained primary: primary up from 3/3 vantages",
    },
    {
      event: { kind: "drain" as const, target: "primary", fromRamp: 25 },
      words: "primary failed during the ramp at 25%, drained again: primary up from 3/3 vantages",
    },
    {
      event: { kind: "hold" as const, target: "primary", drains: 3 },
      words:
        "primary held drained: 3 drains within 3600 s spent the flap budget (3); a person must release it (failover release-hold primary): primary up from 3/3 vantages",
    },
    {
      event: { kind: "ramp-start" as const, target: "primary", percent: 10 },
      words: "primary up for 190 s (recovery 180 s): ramping back at 10%",
    },
    {
      event: { kind: "ramp-start" as const, target: "failover", percent: 10 },
      words: "failover up for 0 s (recovery 180 s): ramping back at 10%",
    },
    { event: { kind: "ramp-step" as const, target: "primary", from: 10, to: 25 }, words: "primary ramp 10% → 25%" },
    {
      event: { kind: "restore" as const, target: "primary" },
      words: "primary back to its normal weight after the ramp",
    },
  ])("$words", ({ event, words }) => {
    expect(describeEvent(config, event, verdicts)).toBe(words);
  });
});

describe("describeModes", () => {
  it("tells how far along each target out of service is, the recovery capped at recoverAfterSeconds", () => {
    const memory: PolicyMemory = {
      v: 1,
      targets: {
        a: { mode: "held", since: T0 },
        b: { mode: "drained", since: T0 },
        c: { mode: "drained", since: T0 },
        d: { mode: "drained", since: T0 },
        e: { mode: "ramp", since: T0, step: 2 },
        f: { mode: "ramp", since: T0 },
      },
      drains: {},
    };
    const verdicts = { b: verdict({ upSeconds: 40 }), c: verdict({ upSeconds: 400 }) };
    expect(describeModes(config, ["a", "b", "c", "d", "e", "f", "g"], memory, verdicts, T0 + 30)).toEqual([
      "a held drained by its flap budget since 02:30:00Z until a person releases it",
      "b drained since 02:30:00Z, up 40/180 s",
      "c drained since 02:30:00Z, up 180/180 s",
      "d drained since 02:30:00Z, up 0/180 s",
      "e ramping at 50% for 30/60 s",
      "f ramping at 10% for 30/60 s",
    ]);
  });
});
