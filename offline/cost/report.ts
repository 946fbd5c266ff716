import {
  builtinProfiles,
  parseConfigWithProfile,
  profileNames,
  type FailoverConfig,
} from "../../functions/lib/config.ts";
import {
  defaultCostAssumptions,
  estimateCost,
  route53NativeCost,
  type CostAssumptions,
  type CostEstimate,
  type Route53NativeEstimate,
} from "./model.ts";
import type { PriceTable } from "./prices.ts";

/**
 * What `failover cost` reports: every profile of a config priced line by
 * line, and Route 53's own health checks beside them. Pure (the CLI
 * renders it, cli/commands/cost.ts).
 */
export interface CostReport {
  /** Where the prices come from and when they were read. */
  prices: { region: string; readOn: string; status: string };
  /** Profile the config file selects. */
  selectedProfile: string;
  profiles: Record<string, CostEstimate & { description: string }>;
  route53Native: Route53NativeEstimate;
  assumptions: CostAssumptions;
}

/**
 * Prices each of `profiles` (default: every profile the config knows) for
 * the raw config `input` (as read from its file).
 */
export function buildCostReport(
  input: unknown,
  prices: PriceTable,
  options: { profiles?: string[]; assumptions?: Partial<CostAssumptions> } = {},
): CostReport {
  const selected: FailoverConfig = parseConfigWithProfile(input, profileOf(input));
  const names = options.profiles ?? profileNames(selected);
  const profiles: CostReport["profiles"] = {};
  for (const name of names) {
    const config = parseConfigWithProfile(input, name);
    profiles[name] = {
      description: describeProfile(selected, name),
      ...estimateCost(config, prices, options.assumptions),
    };
  }
  // Route 53's checks do not depend on our profile: priced for the targets as configured.
  const route53Native = route53NativeCost(selected, prices, options.assumptions);
  const assumptions: CostAssumptions = { ...defaultCostAssumptions, ...options.assumptions };
  return {
    prices: { region: prices.region, readOn: prices.readOn, status: prices.status },
    selectedProfile: selected.profile,
    profiles,
    route53Native,
    assumptions,
  };
}

function profileOf(input: unknown): string {
  const profile = (input as { profile?: unknown } | undefined)?.profile;
  return typeof profile === "string" ? profile : "default";
}

function describeProfile(config: FailoverConfig, name: string): string {
  if (name in config.profiles) return `your profile: ${JSON.stringify(config.profiles[name])}`;
  return builtinProfiles[name]?.description ?? name;
}
