import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../../functions/lib/errors.ts";
import { replay } from "../../../../offline/replay/replay.ts";
import { loadScenario, parseScenario } from "../../../../offline/scenario.ts";

const dir = new URL("../../../../scenarios/", import.meta.url);
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".json"))
  .sort();

describe("public scenarios", () => {
  it("has the Clerk incident, the short drill and at least seven more", () => {
    expect(files).toContain("clerk-2025-08-06.json");
    expect(files).toContain("short-drill.json");
    expect(files.length).toBeGreaterThanOrEqual(9);
  });

  it.each(files)("%s meets its expectations under the default policy", (file) => {
    // Prepare
    const scenario = loadScenario(new URL(file, dir));
    // Act
    const { summary } = replay(scenario, "default");
    // Assess
    expect(summary.expectations.length).toBeGreaterThan(0);
    expect(summary.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(summary.ok).toBe(true);
  });

  it("scores the Clerk incident better than both baselines", () => {
    const scenario = loadScenario(new URL("clerk-2025-08-06.json", dir));
    const [ours, route53, none] = (["default", "route53-native", "none"] as const).map(
      (p) => replay(scenario, p).summary,
    );
    expect(ours?.failovers).toBeLessThanOrEqual(2);
    expect(Math.max(...(ours?.detectSeconds ?? [99]))).toBeLessThanOrEqual(30);
    expect(route53?.failovers).toBeGreaterThan(ours?.failovers ?? 0);
    expect(ours?.clientErrorRate).toBeLessThan(route53?.clientErrorRate ?? 0);
    expect(none?.missedOutages).toBeGreaterThan(0);
  }, 30_000);

  it("short-drill fits in five simulated minutes with one outage and recovery", () => {
    const scenario = loadScenario(new URL("short-drill.json", dir));
    const { summary, timeline } = replay(scenario);
    expect(scenario.durationSeconds).toBeLessThanOrEqual(300);
    expect(summary).toMatchObject({ failovers: 1, failbacks: 1, finalWeights: { primary: 90, failover: 10 } });
    // Down at 63 s: checked at 70 s, re-checked at 72 s, readable in the votes table as its write returns, decided in
    // the next fast poll and applied 0.6 s after the decision (74.1 s; 76.1 s while votes went through CloudWatch).
    expect(timeline.map((e) => [e.at, e.weights.primary])).toEqual([
      [0, 90],
      [74.1, 0],
      // The ramp's records change at 164.1 s and the drain signals clear in that round (the records held primary
      // at 0): the checks answer "serve" 18 s later, so DNS answers the 25% step from 182.1 s until the records
      // go back to 90/10 at 184.1 s (a 20 s step less the checks' delay).
      [182.1, 23],
      [184.1, 90],
    ]);
  });

  it("is deterministic for a seed", () => {
    const scenario = loadScenario(new URL("clerk-2025-08-06.json", dir));
    expect(replay(scenario).summary).toEqual(replay(scenario).summary);
  }, 30_000);

  it("keeps the Clerk client error rate within 1.3 times the oracle's (drains at the instant a client-hitting fault starts)", () => {
    const scenario = loadScenario(new URL("clerk-2025-08-06.json", dir));
    const ours = replay(scenario, "default").summary;
    const oracle = replay(scenario, "oracle").summary;
    expect(oracle.clientErrorRate).toBeGreaterThan(0);
    expect(ours.clientErrorRate).toBeLessThanOrEqual(1.3 * oracle.clientErrorRate);
  }, 30_000);
});

describe("scenario validation", () => {
  function issuesOf(raw: unknown): string[] {
    try {
      parseScenario(raw);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
    }
    throw new Error("expected a ValidationError");
  }

  it("names every bad field, in the scenario and in its config overrides", () => {
    const issues = issuesOf({
      name: "Bad Name",
      durationSeconds: 5,
      faults: [
        { start: 1, end: 2, kind: "meteor" },
        { start: 0, end: 10, kind: "status", status: 429, ratio: 2 },
      ],
      config: { policy: { drainAfterRounds: 0 } },
      expect: { maxFailovers: -1, surprise: true },
    });
    expect(issues).toEqual([
      expect.stringMatching(/^name: expected a name/),
      "durationSeconds: expected a number of at least 10, got 5",
      expect.stringMatching(/^faults\[0\]\.kind: expected one of "down", .*got "meteor"/),
      "faults[1].ratio: expected a number from 0 to 1, got 2",
      "expect.maxFailovers: expected a number of at least 0, got -1",
      expect.stringMatching(/^expect\.surprise: unknown field/),
      "config.policy.drainAfterRounds: expected an integer from 1 to 60, got 0",
    ]);
  });

  it("refuses a __proto__ key in the config overrides instead of merging it", () => {
    // Prepare: before the fix the merge set the prototype, and the replay ran with dryRun read from it
    const raw = JSON.parse('{"name":"x","durationSeconds":60,"faults":[],"config":{"__proto__":{"dryRun":true}}}');
    // Act + Assess
    expect(issuesOf(raw)).toEqual([
      'config.__proto__: refused: "__proto__" is not a field name here (it would change the object\'s prototype)',
    ]);
  });

  it("names faults that refer to unknown targets or vantages and ends before starts", () => {
    expect(
      issuesOf({
        name: "x",
        durationSeconds: 60,
        faults: [{ start: 0, end: 10, kind: "down", target: "tertiary", vantages: ["mars-north-1"] }],
      }),
    ).toEqual([
      'faults[0].target: expected a target of the config (primary, failover), got "tertiary"',
      'faults[0].vantages[0]: expected a vantage of the config (us-east-1, us-west-2, eu-west-1), got "mars-north-1"',
    ]);
    expect(issuesOf({ name: "x", durationSeconds: 60, faults: [{ start: 30, end: 10, kind: "down" }] })).toEqual([
      "faults[0].end: expected more than start (30), got 10",
    ]);
  });
});

describe("the Route 53 API down", () => {
  const up = replay(loadScenario(new URL("clerk-2025-08-06.json", dir))).summary;
  const downRun = replay(loadScenario(new URL("clerk-route53-api-down.json", dir)));
  const down = downRun.summary;

  it("drains every Clerk outage through the health checks, detecting as fast as with the API up", () => {
    expect(down.missedOutages).toBe(0);
    expect(Math.max(...down.detectSeconds)).toBeLessThanOrEqual(Math.max(...up.detectSeconds) * 1.25);
    expect(down.clientErrorRate).toBeLessThanOrEqual(up.clientErrorRate * 1.25);
    const drains = downRun.timeline.filter((e) => e.weights.primary === 0);
    expect(drains.map((e) => e.path)).toEqual(["data-plane"]);
    // The drain reaches DNS 18 s after the decision.
    expect(drains.map((e) => e.at - (e.decidedAt ?? 0))).toEqual([18]);
  });

  it("fails back only by records once the API answers again (t = 6600 s)", () => {
    const failbacks = downRun.timeline.slice(1).filter((e) => (e.weights.primary ?? 0) > 0);
    expect(failbacks.length).toBeGreaterThan(0);
    // A failback is a record change, so it waits for the API; DNS follows once the drain signal clears after it.
    for (const entry of failbacks) expect(entry.decidedAt ?? entry.at).toBeGreaterThanOrEqual(6600);
  });

  it("refuses a cloudwatch-down fault outside the control regions, naming the field", () => {
    const raw = {
      name: "x",
      durationSeconds: 60,
      faults: [{ kind: "cloudwatch-down", start: 0, end: 10, region: "mars-1" }],
    };
    expect(() => parseScenario(raw)).toThrow(ValidationError);
    expect(() => parseScenario(raw)).toThrow(/faults\[0\]\.region: expected a control region/);
  });
});
