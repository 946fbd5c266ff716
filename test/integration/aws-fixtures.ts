import { parseConfig, type FailoverConfig, type FailoverConfigInput } from "../../functions/lib/config.ts";

/** The two test targets on api.example.com: primary in us-east-1, failover in us-west-2, with these normal weights. */
export function testTargets(weights: { primary: number; failover: number }): FailoverConfigInput["targets"] {
  return [
    {
      id: "primary",
      region: "us-east-1",
      healthUrl: "https://use1.example.com/health",
      weight: weights.primary,
      records: { "api.example.com": { values: ["198.51.100.10"] } },
    },
    {
      id: "failover",
      region: "us-west-2",
      healthUrl: "https://usw2.example.com/health",
      weight: weights.failover,
      records: { "api.example.com": { values: ["203.0.113.20"] } },
    },
  ];
}

/** A valid config for zone `zoneId` (example.com): targets primary (90) and failover (10) on api.example.com, plus any overrides. */
export function testConfig(zoneId: string, overrides: Partial<FailoverConfigInput> = {}): FailoverConfig {
  return parseConfig({
    hostedZone: { id: zoneId, name: "example.com" },
    records: [{ name: "api.example.com", type: "A", ttl: 60 }],
    targets: testTargets({ primary: 90, failover: 10 }),
    vantages: ["us-east-1", "us-west-2", "eu-west-1"],
    controlRegions: ["us-east-2", "us-west-1"],
    ...overrides,
  });
}

/** Fast retries for tests: small backoffs, short budget. */
export const fastRetry = { budgetMs: 1500, attemptTimeoutMs: 500, baseDelayMs: 5, maxDelayMs: 40 };
