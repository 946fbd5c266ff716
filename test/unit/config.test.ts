import { describe, expect, it } from "vitest";
import {
  exampleConfigPath,
  parseConfig,
  parseConfigWithProfile,
  profileNames,
  readJsonFile,
} from "../../functions/lib/config.ts";
import { ValidationError } from "../../functions/lib/errors.ts";

const raw = readJsonFile(exampleConfigPath, "config") as Record<string, unknown>;
const issuesOf = (input: unknown) => {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  throw new Error("expected a ValidationError");
};

describe("config profiles", () => {
  it("leaves the config as written under the default profile", () => {
    // Act
    const config = parseConfig(raw);
    // Assess
    expect(config.profile).toBe("default");
    expect(config.probe).toMatchObject({ intervalSeconds: 10, publishLatency: true });
    expect(config.controlRegions).toEqual(["us-east-2", "us-west-1"]);
  });

  it("applies economy: 60 s rounds, the first control region, no latency metric, two vantages preferring those without a target", () => {
    // Act
    const config = parseConfig({ ...raw, profile: "economy" });
    // Assess
    expect(config.probe).toMatchObject({ intervalSeconds: 60, publishLatency: false, timeoutMs: 4000 });
    expect(config.controlRegions).toEqual(["us-east-2"]);
    // Neither us-east-1 nor eu-west-1 hosts a target (the primary runs on Google Cloud); us-west-2 does
    expect(config.vantages).toEqual(["us-east-1", "eu-west-1"]);
    expect(config.policy).toMatchObject({ minVantages: 1, quorum: "majority" });
  });

  it("gives the same config when a resolved config is parsed again (functions re-parse the deployed JSON)", () => {
    // Prepare
    const resolved = parseConfigWithProfile(raw, "economy");
    // Act
    const again = parseConfig(JSON.parse(JSON.stringify(resolved)));
    // Assess
    expect(again).toEqual(resolved);
  });

  it("applies a profile of the config's own, which may replace a built-in one", () => {
    // Prepare
    const input = {
      ...raw,
      profile: "economy",
      profiles: { economy: { probe: { intervalSeconds: 30 } }, fast: { policy: { drainAfterRounds: 1 } } },
    };
    // Act
    const config = parseConfig(input);
    // Assess
    expect(config.probe.intervalSeconds).toBe(30);
    expect(config.controlRegions).toHaveLength(2);
    expect(profileNames(config)).toEqual(["default", "economy", "fast"]);
  });

  it("names an unknown profile and lists the known ones", () => {
    expect(issuesOf({ ...raw, profile: "cheap" })).toEqual([
      'profile: expected one of "default", "economy", got "cheap"',
    ]);
  });

  it("names a bad field inside a profile by its path", () => {
    // Act
    const issues = issuesOf({ ...raw, profiles: { slow: { probe: { intervalSeconds: 600, colour: "red" } } } });
    // Assess
    expect(issues).toContain("profiles.slow.probe.intervalSeconds: expected an integer from 5 to 60, got 600");
    expect(issues).toContain("profiles.slow.probe.colour: unknown field (check the spelling; see the example config)");
  });

  it("says which profile made a field invalid once applied", () => {
    // Prepare: 7 s is a valid integer but does not divide the minute
    const input = { ...raw, profile: "odd", profiles: { odd: { probe: { intervalSeconds: 7 } } } };
    // Act + Assess
    expect(() => parseConfig(input)).toThrow(
      /invalid config \(profile "odd"\):\n {2}probe\.intervalSeconds: expected a divisor of 60/,
    );
  });
});

describe("targets anywhere", () => {
  const targetsWith = (primary: Record<string, unknown>) => ({
    ...raw,
    targets: (raw.targets as Array<Record<string, unknown>>).map((target, index) =>
      index === 0 ? { ...target, ...primary } : target,
    ),
  });

  it("takes a target's region as its provider names it: the example's Google Cloud primary beside an AWS failover", () => {
    // Act
    const config = parseConfig(targetsWith({ provider: "azure", region: "westeurope" }));
    // Assess
    expect(config.targets.map((t) => [t.id, t.provider, t.region])).toEqual([
      ["primary", "azure", "westeurope"],
      ["failover", "aws", "us-west-2"],
    ]);
    expect(parseConfig(raw).targets[0]).toMatchObject({ provider: "gcp", region: "us-east4" });
  });

  it("still checks AWS region names for AWS targets, naming the field and the way out", () => {
    // Act
    const issues = issuesOf(targetsWith({ provider: "aws", region: "us-east4" }));
    // Assess
    expect(issues).toEqual([
      'targets[0].region: expected an AWS region name such as us-east-1 (or set targets[0].provider to gcp, azure or other), got "us-east4"',
    ]);
  });

  it("refuses an unknown provider with the accepted ones", () => {
    // Act
    const issues = issuesOf(targetsWith({ provider: "oracle" }));
    // Assess
    expect(issues).toEqual(['targets[0].provider: expected one of "aws", "gcp", "azure", "other", got "oracle"']);
  });
});
