import {
  loadConfig,
  mergeConfig,
  parseConfig,
  readJsonFile,
  exampleConfigPath,
  type FailoverConfig,
} from "../../../functions/lib/config.ts";
import { decide, type Decision } from "../../../functions/lib/policy/decide.ts";
import type { PolicyMemory } from "../../../functions/lib/policy/memory.ts";
import type { OverrideLease } from "../../../functions/lib/lease.ts";
import type { PracticeView } from "../../../functions/lib/policy/practice.ts";
import type { ProbeRound, Weights } from "../../../functions/lib/types.ts";

/** The example config (primary 90 / failover 10; vantages us-east-1, us-west-2, eu-west-1), with overrides. */
export function exampleConfig(overrides: unknown = {}): FailoverConfig {
  return overrides === undefined
    ? loadConfig()
    : parseConfig(mergeConfig(readJsonFile(exampleConfigPath, "config"), overrides));
}

/** A config with three targets a/b/c of the given weights. */
export function threeTargets(weights: [number, number, number]): FailoverConfig {
  const target = (id: string, weight: number) => ({
    id,
    region: "us-east-1",
    healthUrl: `https://${id}.example.com/health`,
    weight,
    records: { "api.example.com": { values: ["192.0.2.1"] } },
  });
  return exampleConfig({ targets: [target("a", weights[0]), target("b", weights[1]), target("c", weights[2])] });
}

export const T0 = 1754447400;

/**
 * A round from a compact vote string per target, one character per vantage
 * in config order: `u` passed, `d` failed, `-` silent. `primary: "ddu"`.
 * A target left out is up everywhere.
 */
export function roundOf(config: FailoverConfig, at: number, spec: Record<string, string>): ProbeRound {
  const votes: ProbeRound["votes"] = {};
  config.vantages.forEach((vantage, v) => {
    for (const target of config.targets) {
      const c = (spec[target.id] ?? "u".repeat(config.vantages.length))[v] ?? "u";
      if (c === "-") continue;
      votes[vantage] ??= {};
      votes[vantage][target.id] = c === "u";
    }
  });
  return { at, votes };
}

/** Runs the decider round by round like the real one (memory written back only when changed); returns every decision. */
export function simulate(
  config: FailoverConfig,
  script: Array<Record<string, string>>,
  options: {
    lease?: (now: number) => OverrideLease | undefined;
    start?: Weights;
    memory?: PolicyMemory;
    /** Epoch seconds of the first round (a run that goes on from another's memory starts after it). @default T0 */
    from?: number;
    /** The practice alarms' states at each decision. @default unset: the practice step reads no alarms */
    practice?: (now: number) => PracticeView | undefined;
  } = {},
): Decision[] {
  const interval = config.probe.intervalSeconds;
  let current: Weights = options.start ?? Object.fromEntries(config.targets.map((t) => [t.id, t.weight]));
  let memory = options.memory;
  const rounds: ProbeRound[] = [];
  return script.map((spec, k) => {
    const at = (options.from ?? T0) + k * interval;
    rounds.push(roundOf(config, at, spec));
    const now = at + interval;
    const decision = decide({
      now,
      config,
      rounds,
      current,
      memory,
      lease: options.lease?.(now),
      practice: options.practice?.(now),
    });
    current = decision.weights;
    if (decision.memoryChanged) memory = decision.memory;
    return decision;
  });
}

/** `n` copies of one round spec. */
export function times<T>(n: number, spec: T): T[] {
  return Array.from({ length: n }, () => spec);
}

export const UP = {};
export const PRIMARY_DOWN = { primary: "ddd" };
export const FAILOVER_DOWN = { failover: "ddd" };
export const BOTH_DOWN = { primary: "ddd", failover: "ddd" };

/** Vantages a generated config takes its first N from. */
export const VANTAGES = ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1", "sa-east-1"];

/**
 * A config from generated figures: targets t0… with `weights`, the first
 * `vantages` of {@link VANTAGES}, `minVantages` and a fixed `quorum` clipped
 * to them, plus any other policy settings.
 */
export function generatedConfig(
  p: { weights: number[]; vantages: number; minVantages: number; quorum: "majority" | number },
  policy: Record<string, unknown> = {},
  probe: Record<string, unknown> = {},
): FailoverConfig {
  return parseConfig({
    hostedZone: { id: "Z1", name: "example.com" },
    records: [{ name: "api.example.com" }],
    targets: p.weights.map((weight, i) => ({
      id: `t${i}`,
      // Outside every vantage's region: a lone vantage in a target's region is refused.
      region: "ca-central-1",
      healthUrl: `https://t${i}.example.com/`,
      weight,
      records: { "api.example.com": { values: ["192.0.2.1"] } },
    })),
    vantages: VANTAGES.slice(0, p.vantages),
    controlRegions: ["us-east-2"],
    probe,
    policy: {
      minVantages: Math.min(p.minVantages, p.vantages),
      quorum: p.quorum === "majority" ? p.quorum : Math.min(p.quorum, p.vantages),
      ...policy,
    },
  });
}
