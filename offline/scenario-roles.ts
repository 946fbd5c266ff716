import type { FailoverConfig } from "../functions/lib/config.ts";

/** The roles a scenario may name instead of target ids, so one scenario runs on any config. */
export const TARGET_ROLES = ["primary", "failover"] as const;

/**
 * Target id of each role in a config: `primary` is the target with the
 * highest normal weight, `failover` the one with the next highest (config
 * order breaks ties). A config with a target whose id is a role's name keeps
 * that meaning: the example config's `primary` is its primary either way.
 */
export function roleTargets(config: FailoverConfig): Record<(typeof TARGET_ROLES)[number], string | undefined> {
  const ids = new Set(config.targets.map((target) => target.id));
  const byWeight = [...config.targets].sort((a, b) => b.weight - a.weight);
  const pick = (role: string, rank: number) => (ids.has(role) ? role : byWeight[rank]?.id);
  return { primary: pick("primary", 0), failover: pick("failover", 1) };
}

/** The parts of a scenario that name targets (./scenario.ts). */
interface NamesTargets {
  faults: ReadonlyArray<object & { target?: string }>;
  expect: { finalWeights?: Record<string, number> };
  manual: ReadonlyArray<{ target?: string; weights?: Record<string, number> }>;
}

/**
 * The scenario with every role name that is not a target id of the config
 * replaced by the role's target: fault targets, final-weight keys, manual
 * steps' targets and pinned weights. Names that are neither stay, for the
 * validation to name.
 */
export function resolveRoles<S extends NamesTargets>(scenario: S, config: FailoverConfig): S {
  const roles = roleTargets(config);
  const ids = new Set(config.targets.map((target) => target.id));
  const idOf = (name: string): string =>
    ids.has(name) ? name : ((roles as Record<string, string | undefined>)[name] ?? name);
  const rekey = <T>(record: Record<string, T> | undefined) =>
    record === undefined ? undefined : Object.fromEntries(Object.entries(record).map(([key, v]) => [idOf(key), v]));
  const finalWeights = rekey(scenario.expect.finalWeights);
  return {
    ...scenario,
    faults: scenario.faults.map((fault) =>
      "target" in fault && fault.target !== undefined ? { ...fault, target: idOf(fault.target) } : fault,
    ),
    expect: { ...scenario.expect, ...(finalWeights ? { finalWeights } : {}) },
    manual: scenario.manual.map((step) => ({
      ...step,
      ...(step.target === undefined ? {} : { target: idOf(step.target) }),
      ...(step.weights === undefined ? {} : { weights: rekey(step.weights) }),
    })),
  };
}
