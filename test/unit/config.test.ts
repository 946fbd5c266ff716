import { describe, expect, it } from "vitest";
import {
  exampleConfigPath,
  parseConfig,
  parseConfigWithProfile,
  profileNames,
  readJsonFile,
} from "../../functions/lib/config.ts";
import { configWarnings } from "../../functions/lib/config-warnings.ts";
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
    expect(config.probe).toMatchObject({ intervalSeconds: 10, publishLatency: false });
    expect(config.controlRegions).toEqual(["us-east-2", "us-west-1"]);
  });

  it("publishes the ProbeLatency metric only when the config asks for it, and economy never does", () => {
    // Act
    const asked = parseConfig({ ...raw, probe: { ...(raw.probe as object), publishLatency: true } });
    const economy = parseConfig({
      ...raw,
      profile: "economy",
      probe: { ...(raw.probe as object), publishLatency: true },
    });
    // Assess
    expect(asked.probe.publishLatency).toBe(true);
    expect(economy.probe.publishLatency).toBe(false);
    expect(() => parseConfig({ ...raw, probe: { ...(raw.probe as object), publishLatency: "yes" } })).toThrow(
      /publishLatency/,
    );
  });

  it("publishes the TargetWeight metric only when the config asks for it, and refuses a non-boolean, naming the field", () => {
    // Act
    const plain = parseConfig(raw);
    const asked = parseConfig({ ...raw, publishWeights: true });
    // Assess
    expect(plain.publishWeights).toBe(false);
    expect(asked.publishWeights).toBe(true);
    expect(() => parseConfig({ ...raw, publishWeights: "yes" })).toThrow(/publishWeights/);
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

describe("config: values that would break every check are refused, naming the field", () => {
  const withProbe = (probe: Record<string, unknown>) => ({ ...raw, probe: { ...(raw.probe as object), ...probe } });

  it("refuses a probe header with a line break without echoing its value, and an invalid header name", () => {
    // Act
    const issues = issuesOf(withProbe({ headers: { "x-token": "abc\r\nx-injected: secret", "bad name": "v" } }));
    // Assess
    expect(issues).toEqual([
      "probe.headers.x-token: expected a header value without line breaks or control characters",
      "probe.headers.bad name: expected a header name of letters, digits and !#$%&'*+.^_`|~- only",
    ]);
    expect(issues.join("\n")).not.toContain("secret");
  });

  it("refuses maxLatencyMs at or above timeoutMs (the check would time out before the limit applies)", () => {
    expect(issuesOf(withProbe({ timeoutMs: 4000, maxLatencyMs: 4000 }))).toEqual([
      "probe.maxLatencyMs: expected less than probe.timeoutMs (4000); a slower check times out first, so the limit would never apply; got 4000",
    ]);
  });

  it("refuses record values that do not fit the record type", () => {
    // Prepare
    const targets = raw.targets as Array<Record<string, unknown>>;
    const input = {
      ...raw,
      targets: [
        { ...targets[0], records: { "api.example.com": { values: ["use1.example.com"] } } },
        { ...targets[1], records: { "api.example.com": { values: ["203.0.113.300", "2001:db8::1"] } } },
      ],
    };
    // Act + Assess
    expect(issuesOf(input)).toEqual([
      'targets[0].records.api.example.com.values[0]: expected an IPv4 address (record api.example.com is A), got "use1.example.com"',
      'targets[1].records.api.example.com.values[0]: expected an IPv4 address (record api.example.com is A), got "203.0.113.300"',
      'targets[1].records.api.example.com.values[1]: expected an IPv4 address (record api.example.com is A), got "2001:db8::1"',
    ]);
  });

  it("refuses a metric namespace CloudWatch reserves for AWS", () => {
    expect(issuesOf({ ...raw, metricNamespace: "AWS/Route53" })).toEqual([
      'metricNamespace: expected a namespace not starting with "AWS/" (CloudWatch reserves it for AWS services)',
    ]);
  });

  it("refuses a single control region in a target's region, and allows it beside a second control region", () => {
    // Act
    // (us-west-2 hosts the example's AWS failover target)
    const alone = issuesOf({ ...raw, controlRegions: ["us-west-2"] });
    const paired = parseConfig({ ...raw, controlRegions: ["us-west-2", "us-east-2"] });
    // Assess
    expect(alone).toEqual([
      "controlRegions[0]: expected a region without a target, or a second control region: the only decider would go down with the target in us-west-2",
    ]);
    expect(paired.controlRegions).toEqual(["us-west-2", "us-east-2"]);
  });

  it("refuses a single vantage in a target's region, naming the risk, and allows it beside a second vantage", () => {
    // Act (us-west-2 hosts the example's AWS failover target)
    const alone = issuesOf({ ...raw, vantages: ["us-west-2"], policy: { minVantages: 1 } });
    const paired = parseConfig({ ...raw, vantages: ["us-west-2", "eu-west-1"] });
    // Assess
    expect(alone).toEqual([
      "vantages[0]: expected a vantage outside the targets' regions, or more vantages: the only vantage cannot tell an outage of us-west-2 from a failure of the target there, and goes silent with it (no vote: nothing fails over)",
    ]);
    expect(paired.vantages).toEqual(["us-west-2", "eu-west-1"]);
  });

  it("warns about a single control region or vantage in the same metro as a target on another provider", () => {
    // Prepare: the example's primary runs on GCP us-east4 (Ashburn), the same metro as AWS us-east-1
    const config = parseConfig({
      ...raw,
      controlRegions: ["us-east-1"],
      vantages: ["us-east-1"],
      policy: { minVantages: 1 },
    });
    // Act
    const warnings = configWarnings(config);
    // Assess
    expect(warnings.map((warning) => warning.path)).toEqual(["controlRegions[0]", "vantages[0]"]);
    expect(warnings[0]?.message).toBe(
      "the only control region us-east-1 is in the same metro (Northern Virginia) as target primary (gcp us-east4): one event there can take out the target and the only decider, and nothing fails over. Add a second control region elsewhere.",
    );
    expect(warnings[1]?.message).toContain("the only vantage us-east-1 is in the same metro (Northern Virginia)");
    expect(configWarnings(parseConfig(raw))).toEqual([]);
    expect(configWarnings(parseConfig({ ...raw, controlRegions: ["us-east-1", "us-west-1"] }))).toEqual([]);
  });

  it("refuses a lone UTF-16 surrogate anywhere in the config, naming the field", () => {
    // Prepare: JSON may escape half of a character
    const input = JSON.parse(JSON.stringify({ ...raw, name: "x" }).replace('"name":"x"', '"name":"rf\\ud800"'));
    // Act + Assess
    expect(issuesOf(input)).toEqual([
      "name: expected well-formed Unicode text: it holds a lone UTF-16 surrogate (half of a character), which SSM, Slack and JSON tools reject or replace",
    ]);
  });

  it("takes a target's certificate check off only with a stated reason", () => {
    // Prepare
    const targets = raw.targets as Array<Record<string, unknown>>;
    const skip = (reason: string) => ({
      ...raw,
      targets: [{ ...targets[0], skipCertificateCheck: { reason } }, targets[1]],
    });
    // Act + Assess
    expect(parseConfig(skip("internal CA")).targets[0]?.skipCertificateCheck).toEqual({ reason: "internal CA" });
    expect(issuesOf(skip(" "))).toEqual([
      'targets[0].skipCertificateCheck.reason: expected why certificates are not checked, got ""',
    ]);
  });

  it("refuses a __proto__ key instead of letting it set fields that are never validated", () => {
    // Prepare: JSON.parse keeps __proto__ as a plain key, as a config file or an event would carry it
    const input = JSON.parse(`{"__proto__": {"dryRun": true}, ${JSON.stringify(raw).slice(1)}`);
    // Act + Assess
    expect(issuesOf(input)).toEqual([
      '__proto__: refused: "__proto__" is not a field name here (it would change the object\'s prototype)',
    ]);
  });
});

describe("the slack block", () => {
  const withSlack = (slack: unknown) => ({ ...(readJsonFile(exampleConfigPath, "config") as object), slack });
  const issues = (slack: unknown) => {
    try {
      parseConfig(withSlack(slack));
    } catch (error) {
      if (error instanceof ValidationError) return error.issues;
      throw error;
    }
    return [];
  };

  it("fills the command and the Slack API URL when only the team id is given", () => {
    expect(parseConfig(withSlack({ teamId: "T0123ABCD" })).slack).toEqual({
      teamId: "T0123ABCD",
      command: "/failover",
      apiUrl: "https://slack.com/api",
    });
  });

  it("names each bad field", () => {
    expect(issues({ teamId: "acme", command: "failover", apiUrl: "ftp://x" })).toEqual([
      { path: "slack.teamId", message: expect.stringContaining("Slack team id") },
      { path: "slack.command", message: expect.stringContaining("slash command") },
      { path: "slack.apiUrl", message: expect.stringContaining("http") },
    ]);
    expect(issues({})).toEqual([{ path: "slack.teamId", message: expect.any(String) }]);
  });
});

describe("the practice block", () => {
  const practice = {
    targets: ["primary"],
    outcomeAlarms: [{ name: "app-5xx", region: "us-east-1" }],
  };

  it("fills a weekly 30-minute full drain, any time, with no blocking alarms", () => {
    // Act
    const config = parseConfig({ ...raw, practice });
    // Assess
    expect(config.practice).toEqual({
      every: "week",
      durationMinutes: 30,
      shiftPercent: 100,
      targets: ["primary"],
      allowedWindows: [],
      blockedDates: [],
      blockingAlarms: [],
      outcomeAlarms: [{ name: "app-5xx", region: "us-east-1" }],
    });
  });

  it("names each bad field: unknown target, a same-day overnight window, a window shorter than a run, a date that is not, no outcome alarm", () => {
    // Prepare
    const input = {
      ...raw,
      practice: {
        targets: ["primary", "secondary"],
        allowedWindows: ["FRI:22:00-FRI:02:00", "MON:09:00-MON:09:20"],
        blockedDates: ["2026-02-30"],
        blockingAlarms: [{ name: "deploys", region: "mars-1" }],
        outcomeAlarms: [],
      },
    };
    // Act
    const issues = issuesOf(input);
    // Assess
    expect(issues).toEqual(
      expect.arrayContaining([
        "practice.outcomeAlarms: expected at least 1 item(s), got an empty list",
        'practice.blockingAlarms[0].region: expected an AWS region name such as us-east-1, got "mars-1"',
      ]),
    );
    const ok = issuesOf({
      ...input,
      practice: { ...input.practice, outcomeAlarms: practice.outcomeAlarms, blockingAlarms: [] },
    });
    expect(ok).toEqual([
      'practice.targets[1]: expected a target id (primary, failover), got "secondary"',
      'practice.allowedWindows[0]: expected the end after the start; an overnight window names the next day (FRI:22:00-SAT:02:00), got "FRI:22:00-FRI:02:00"',
      "practice.allowedWindows[1]: expected a window at least practice.durationMinutes (30 min) long: a run must fit in it, got MON:09:00-MON:09:20",
      'practice.blockedDates[0]: expected a real UTC date such as 2026-12-25, got "2026-02-30"',
    ]);
  });

  it("takes an overnight window that names the next day", () => {
    // Act
    const config = parseConfig({ ...raw, practice: { ...practice, allowedWindows: ["SUN:22:00-MON:02:00"] } });
    // Assess
    expect(config.practice?.allowedWindows).toEqual(["SUN:22:00-MON:02:00"]);
  });
});
