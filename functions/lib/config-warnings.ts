import type { FailoverConfig } from "./config.ts";
import type { ValidationIssue } from "./errors.ts";
import { sharedMetro } from "./metros.ts";

/**
 * What a valid config risks without being wrong: a lone control region or a
 * lone vantage in the same metro as a target on another provider (the same
 * AWS region is refused by validation). One event there takes out the
 * target and the only decider (nothing fails over), or the only vantage
 * (no vote: nothing fails over either). Pure; the CLI prints these.
 */
export function configWarnings(config: FailoverConfig): ValidationIssue[] {
  const warnings: ValidationIssue[] = [];
  const alone = (regions: readonly string[]) => (regions.length === 1 ? regions[0] : undefined);
  const control = alone(config.controlRegions);
  const vantage = alone(config.vantages);
  for (const target of config.targets) {
    const controlMetro = control && sharedMetro(control, target.provider, target.region);
    if (controlMetro)
      warnings.push({
        path: "controlRegions[0]",
        message: `the only control region ${control} is in the same metro (${controlMetro}) as target ${target.id} (${target.provider} ${target.region}): one event there can take out the target and the only decider, and nothing fails over. Add a second control region elsewhere.`,
      });
    const vantageMetro = vantage && sharedMetro(vantage, target.provider, target.region);
    if (vantageMetro)
      warnings.push({
        path: "vantages[0]",
        message: `the only vantage ${vantage} is in the same metro (${vantageMetro}) as target ${target.id} (${target.provider} ${target.region}): one event there can silence it with the target, so there is no vote and nothing fails over. Add vantages elsewhere.`,
      });
  }
  return warnings;
}
