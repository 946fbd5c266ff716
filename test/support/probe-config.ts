import { type FailoverConfig, parseConfig } from "../../functions/lib/config.ts";

/**
 * A valid config whose targets probe the given health URLs (2-50 of them),
 * with `probe` overrides. Target ids are `t0`, `t1`, … .
 */
export function configForTargets(
  healthUrls: string[],
  probe: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): FailoverConfig {
  return parseConfig({
    hostedZone: { id: "Z0TEST", name: "example.com" },
    records: [{ name: "api.example.com" }],
    targets: healthUrls.map((healthUrl, index) => ({
      id: `t${index}`,
      region: "us-east-1",
      healthUrl,
      weight: 10,
      records: { "api.example.com": { values: [`192.0.2.${index + 1}`] } },
    })),
    vantages: ["us-east-1", "us-west-2", "eu-west-1"],
    controlRegions: ["us-east-2", "us-west-1"],
    probe: { timeoutMs: 2000, ...probe },
    ...extra,
  });
}
