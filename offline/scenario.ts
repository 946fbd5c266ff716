import { existsSync } from "node:fs";
import * as z from "zod";
import {
  exampleConfigPath,
  mergeConfig,
  parseConfig,
  readJsonFile,
  type FailoverConfig,
} from "../functions/lib/config.ts";
import { ValidationError, type ValidationIssue } from "../functions/lib/errors.ts";
import type { OverrideLease } from "../functions/lib/lease.ts";
import { parseWith } from "../functions/lib/validate.ts";
import { resolveRoles, roleTargets } from "./scenario-roles.ts";
import { defaultTiming, timingSchema } from "./timing.ts";

/**
 * A described incident the replay runs the policy over: faults on targets
 * and vantages over time, optional config overrides, and what must hold.
 * Times are seconds from the scenario start.
 */
const seconds = z
  .int({ error: "expected a whole number of seconds" })
  .min(0, { error: "expected a whole number of seconds, 0 or more" });
const ratio = z
  .number({ error: "expected a number from 0 to 1" })
  .min(0, { error: "expected a number from 0 to 1" })
  .max(1, { error: "expected a number from 0 to 1" });

const faultBase = {
  /** Seconds from the scenario start. */
  start: seconds,
  /** Seconds from the scenario start; the fault ends just before. */
  end: seconds,
  /** Target id. @default every target */
  target: z.string().min(1).optional(),
  /** Vantages that see the fault. @default every vantage */
  vantages: z.array(z.string().min(1)).min(1).optional(),
};

/** Faults of AWS itself rather than of a target or vantage: they never fail a probe or a client request. */
const awsFaultBase = {
  /** Seconds from the scenario start. */
  start: seconds,
  /** Seconds from the scenario start; the fault ends just before. */
  end: seconds,
};

/** Every fault kind. */
export const faultKinds = [
  "down",
  "blackhole",
  "status",
  "latency",
  "loss",
  "partition",
  "vantage-down",
  "route53-api-down",
  "cloudwatch-down",
  "votes-down",
  "control-region-down",
  "signal-store-down",
] as const;

/** Fault kinds that hit AWS's own services (the control path), not targets or vantages. */
export const awsFaultKinds = [
  "route53-api-down",
  "cloudwatch-down",
  "votes-down",
  "control-region-down",
  "signal-store-down",
] as const;

/**
 * Fault kinds that hit clients as well as probes: a request to the target
 * fails as a check would (from the share of clients behind the faulted
 * vantages, when `vantages` is set). `loss` (lossy checker networks),
 * `partition` (the vantages' network path to the target is cut) and
 * `vantage-down` (a probe region that can neither check nor publish) hit
 * only probes; the AWS faults hit neither: no client notices them.
 */
export const clientFaultKinds: ReadonlySet<(typeof faultKinds)[number]> = new Set([
  "down",
  "blackhole",
  "status",
  "latency",
]);

export const faultSchema = z.discriminatedUnion(
  "kind",
  [
    /** Connection refused. */
    z.strictObject({ ...faultBase, kind: z.literal("down") }),
    /** Connect hangs until the probe timeout. */
    z.strictObject({ ...faultBase, kind: z.literal("blackhole") }),
    /** The target answers `status` for `ratio` of requests. */
    z.strictObject({
      ...faultBase,
      kind: z.literal("status"),
      status: z.int().min(100).max(599),
      ratio: ratio.default(1),
    }),
    /** Added milliseconds; fails a probe above `probe.maxLatencyMs` (or the timeout). */
    z.strictObject({ ...faultBase, kind: z.literal("latency"), ms: z.int().min(1).max(600000) }),
    /** Random probe failure with `ratio` (seeded); clients are not affected. */
    z.strictObject({ ...faultBase, kind: z.literal("loss"), ratio }),
    /** The vantages' path to the target is cut: their checks hang until the timeout; clients are not affected. */
    z.strictObject({ ...faultBase, kind: z.literal("partition") }),
    /** The vantage can neither probe nor publish: it has no vote. */
    z.strictObject({ ...faultBase, kind: z.literal("vantage-down") }),
    /** Every Route 53 API call fails (the control plane, hosted in us-east-1); DNS answers and health checks go on. */
    z.strictObject({ ...awsFaultBase, kind: z.literal("route53-api-down") }),
    /** CloudWatch in one control region fails every call: no alarm metrics there (the votes are elsewhere). */
    z.strictObject({ ...awsFaultBase, kind: z.literal("cloudwatch-down"), region: z.string().min(1) }),
    /** One control region's votes table fails every call: its decider is blind, probes cannot vote there. */
    z.strictObject({ ...awsFaultBase, kind: z.literal("votes-down"), region: z.string().min(1) }),
    /**
     * A whole control region is lost: its decider, its signal store and endpoint, and its CloudWatch fail (the
     * endpoint unreachable, its checks count healthy: serve). It comes back with whatever its store held.
     */
    z.strictObject({ ...awsFaultBase, kind: z.literal("control-region-down"), region: z.string().min(1) }),
    /** Writes to one control region's signal store fail; Route 53's checkers still read what it holds. */
    z.strictObject({ ...awsFaultBase, kind: z.literal("signal-store-down"), region: z.string().min(1) }),
  ],
  {
    error:
      'expected a fault kind: "down", "blackhole", "status", "latency", "loss", "partition", "vantage-down", "route53-api-down", "cloudwatch-down", "votes-down", "control-region-down" or "signal-store-down"',
  },
);

export const expectSchema = z.strictObject({
  /** Most times a target's weight may go from above 0 to 0. */
  maxFailovers: z.int().min(0).optional(),
  /** Longest detection (outage start to drain) of any detected episode, seconds. */
  maxDetectSeconds: z.number().min(0).optional(),
  /** Most drains by the policy with no outage of that target in the 120 s before. @default 0 (checked when absent too) */
  maxFalseSwitches: z.int().min(0).optional(),
  /** Most outage episodes of 60 s or more that were never drained. @default 0 (checked when absent too) */
  maxMissedOutages: z.int().min(0).optional(),
  /** Weights at the end, by target id. */
  finalWeights: z.record(z.string(), z.int().min(0).max(255)).optional(),
  /** Highest share of client requests that may fail. */
  maxClientErrorRate: ratio.optional(),
  /**
   * The drill's Slack steps (`via: "slack"`): this many confirmed changes, each with exactly one lease (a lease
   * action) or none left (a release), one message in the alert channel, and an audit entry naming the Slack user.
   * The replay does not model people and ignores it.
   */
  slackChanges: z.int().min(0).optional(),
  /** The practice runs' outcomes, in the order they started (skipped tries not counted). */
  practiceOutcomes: z
    .array(z.enum(["PENDING", "SUCCEEDED", "FAILED", "INTERRUPTED"]))
    .max(100)
    .optional(),
});

/**
 * One manual step in a drill (the manual failover function's event, checked again when it is sent). `via: "slack"`:
 * on-call runs it as `/failover …` in Slack, signed requests to the Slack command's handler, confirming the modal
 * with `reason` and `ttlSeconds` as its Slack user `actor`; only such a step may be a `status`.
 */
export const manualStepSchema = z
  .strictObject({
    at: seconds,
    action: z.enum(["status", "promote", "drain", "pin", "release", "release-hold"]),
    target: z.string().min(1).max(64).optional(),
    weights: z.record(z.string(), z.int().min(0).max(255)).optional(),
    reason: z.string().min(1).max(500).optional(),
    actor: z.string().min(1).max(128).default("drill"),
    ttlSeconds: z.int().positive().optional(),
    /** How on-call sends it: the CLI (`failover <action> --direct`) or the Slack command. @default "cli" */
    via: z.enum(["cli", "slack"]).default("cli"),
  })
  .superRefine((step, ctx) => {
    const fail = (path: string, message: string) =>
      ctx.addIssue({ code: "custom", path: [path], message, input: undefined });
    if (step.action === "status" && step.via !== "slack")
      fail("action", 'status is a step only via "slack" (the CLI\'s status changes nothing to drill)');
    if (step.action !== "status" && step.reason === undefined)
      fail("reason", `is required for ${step.action} (say why; it is shown to everyone)`);
  });

export type ManualStep = z.output<typeof manualStepSchema>;

export const scenarioSchema = z
  .strictObject({
    /** Scenario name, e.g. `clerk-2025-08-06`. */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
      error: "expected a name of lowercase letters, digits, dots, dashes and underscores",
    }),
    description: z.string().max(4000).default(""),
    /** Simulated length in seconds. */
    durationSeconds: z
      .int()
      .min(10)
      .max(7 * 86400),
    /** Seed of the random probe outcomes (status ratios, loss). @default 1 */
    seed: z.int().default(1),
    /** Partial overrides merged onto the config the scenario runs with (the example's, or `--config`): objects merge, arrays replace. @default {} */
    config: z.record(z.string(), z.unknown()).default({}),
    // The kind is checked first so a bad kind is named as such, not as a union mismatch.
    faults: z
      .array(z.looseObject({ kind: z.enum(faultKinds) }).pipe(faultSchema))
      .max(1000)
      .default([]),
    /** AWS's timing the replay and the drill run under (./timing.ts). @default the realistic defaults */
    timing: timingSchema.default(defaultTiming),
    expect: expectSchema.default({}),
    /**
     * On-call's changes, for the drill: at `at` seconds it sends this event
     * to the manual failover logic (as `failover <action> … --direct` does).
     * The replay takes the lease a promote, drain or pin step would hold (until its TTL or a release) as the
     * deciders' lease input (`manualLeaseAt`), its changes counted as on-call's; the other steps it ignores. @default []
     */
    manual: z.array(manualStepSchema).max(100).default([]),
    /**
     * Practice alarms changing state (the config's `practice.blockingAlarms` and `outcomeAlarms`, each OK at the
     * start): the replay's deciders read them, the drill sets them in the emulator's CloudWatch. @default []
     */
    alarms: z
      .array(
        z.strictObject({
          at: seconds,
          name: z.string().min(1).max(255),
          region: z.string().min(1).max(32),
          state: z.enum(["OK", "ALARM", "INSUFFICIENT_DATA"]),
        }),
      )
      .max(1000)
      .default([]),
  })
  .superRefine((scenario, ctx) => {
    for (const [index, fault] of scenario.faults.entries()) {
      if (fault.end <= fault.start)
        ctx.addIssue({
          code: "custom",
          path: ["faults", index, "end"],
          message: `expected more than start (${fault.start}), got ${fault.end}`,
          input: fault.end,
        });
    }
  });

export type Fault = z.output<typeof faultSchema>;
/** A fault of a target or a vantage (what probes and clients can see). */
export type TargetFault = Exclude<Fault, { kind: (typeof awsFaultKinds)[number] }>;
/** A fault of AWS's own services. */
export type AwsFault = Extract<Fault, { kind: (typeof awsFaultKinds)[number] }>;

/** True for faults of a target or a vantage; false for AWS service faults. */
export function isTargetFault(fault: Fault): fault is TargetFault {
  return !(awsFaultKinds as readonly string[]).includes(fault.kind);
}

/** True when the Route 53 API is down at scenario second `second`. */
export function route53ApiDown(faults: readonly Fault[], second: number): boolean {
  return faults.some((fault) => fault.kind === "route53-api-down" && faultActive(fault, second));
}

/** Control regions whose CloudWatch is down at scenario second `second` (a lost control region's too). */
export function cloudwatchDownRegions(faults: readonly Fault[], second: number): Set<string> {
  return regionsWith(faults, second, ["cloudwatch-down", "control-region-down"]);
}

/** Control regions whose votes table is down at scenario second `second` (a lost control region's too): their deciders are blind. */
export function votesDownRegions(faults: readonly Fault[], second: number): Set<string> {
  return regionsWith(faults, second, ["votes-down", "control-region-down"]);
}

/** Control regions lost whole at scenario second `second`: decider, signal store and endpoint, CloudWatch. */
export function controlRegionsDown(faults: readonly Fault[], second: number): Set<string> {
  return regionsWith(faults, second, ["control-region-down"]);
}

/** Control regions whose signal store refuses writes at scenario second `second` (a lost region's too). */
export function signalStoresUnwritable(faults: readonly Fault[], second: number): Set<string> {
  return regionsWith(faults, second, ["signal-store-down", "control-region-down"]);
}

function regionsWith(faults: readonly Fault[], second: number, kinds: readonly Fault["kind"][]): Set<string> {
  const regions = new Set<string>();
  for (const fault of faults)
    if (kinds.includes(fault.kind) && "region" in fault && faultActive(fault, second)) regions.add(fault.region);
  return regions;
}

/** A fault is active from `start` (inclusive) to `end` (exclusive), in scenario seconds. The replay and the drill both read faults through this and {@link faultApplies}. */
export function faultActive(fault: Fault, second: number): boolean {
  return fault.start <= second && second < fault.end;
}

/** A fault applies to `target` (unset: every target) and, when a vantage is given, to that vantage (unset `vantages`: every vantage). */
export function faultApplies(fault: Fault, target: string, vantage?: string): fault is TargetFault {
  if (!isTargetFault(fault)) return false;
  return (
    (fault.target === undefined || fault.target === target) &&
    (vantage === undefined || fault.vantages === undefined || fault.vantages.includes(vantage))
  );
}
export type ScenarioExpect = z.output<typeof expectSchema>;
export type ScenarioInput = z.output<typeof scenarioSchema>;

/** A validated scenario with its config resolved (example config + overrides). */
export interface Scenario extends ScenarioInput {
  resolvedConfig: FailoverConfig;
}

/**
 * Validates a scenario object: its own fields, its merged config (issues
 * named `config.<path>`), and that every fault and expectation names a
 * configured target and vantage. Throws one ValidationError listing all.
 */
export function parseScenario(raw: unknown, baseConfig: unknown = readJsonFile(exampleConfigPath, "config")): Scenario {
  const issues: ValidationIssue[] = [];
  const parsed = collect(issues, () => parseWith(scenarioSchema, raw, "scenario"));
  const overrides = typeof raw === "object" && raw !== null && "config" in raw ? raw.config : undefined;
  const config = collect(issues, () => parseConfig(mergeConfig(baseConfig, overrides ?? {})), "config");
  if (parsed === undefined || config === undefined) throw new ValidationError("scenario", issues);
  const scenario = resolveRoles(parsed, config);
  const targets = new Set(config.targets.map((t) => t.id));
  const roles = Object.entries(roleTargets(config))
    .filter(([role, id]) => id !== undefined && id !== role)
    .map(([role, id]) => `${role} = ${id}`);
  const known = `${[...targets].join(", ")}${roles.length > 0 ? `, or a role: ${roles.join(", ")}` : ""}`;
  const vantages = new Set(config.vantages);
  for (const [index, fault] of scenario.faults.entries()) {
    if ("region" in fault && !config.controlRegions.includes(fault.region))
      issues.push({
        path: `faults[${index}].region`,
        message: `expected a control region of the config (${config.controlRegions.join(", ")}), got "${fault.region}"`,
      });
    if (!isTargetFault(fault)) continue;
    if (fault.target !== undefined && !targets.has(fault.target))
      issues.push({
        path: `faults[${index}].target`,
        message: `expected a target of the config (${known}), got "${fault.target}"`,
      });
    for (const [i, vantage] of (fault.vantages ?? []).entries()) {
      if (!vantages.has(vantage))
        issues.push({
          path: `faults[${index}].vantages[${i}]`,
          message: `expected a vantage of the config (${[...vantages].join(", ")}), got "${vantage}"`,
        });
    }
  }
  issues.push(...alarmIssues(scenario, config));
  for (const id of Object.keys(scenario.expect.finalWeights ?? {})) {
    if (!targets.has(id))
      issues.push({
        path: `expect.finalWeights.${id}`,
        message: `expected a target of the config (${known})`,
      });
  }
  if (issues.length > 0) throw new ValidationError("scenario", issues);
  return { ...scenario, resolvedConfig: config };
}

/** Every alarm step names a practice alarm of the config. */
function alarmIssues(scenario: ScenarioInput, config: FailoverConfig): ValidationIssue[] {
  const practice = config.practice;
  const known = [...(practice?.blockingAlarms ?? []), ...(practice?.outcomeAlarms ?? [])];
  const names = known.map((alarm) => `${alarm.name} (${alarm.region})`).join(", ");
  return scenario.alarms.flatMap((step, index) =>
    known.some((alarm) => alarm.name === step.name && alarm.region === step.region)
      ? []
      : [
          {
            path: `alarms[${index}]`,
            message:
              practice === undefined
                ? "expected a practice alarm, but the config has no practice block"
                : `expected one of the config's practice alarms (${names}), got ${step.name} (${step.region})`,
          },
        ],
  );
}

/**
 * The practice alarms' states at scenario second `second` by `region:name`
 * (functions/lib/policy/practice.ts alarmKey): OK until a step says otherwise.
 */
export function practiceAlarmStates(
  scenario: Pick<Scenario, "alarms" | "resolvedConfig">,
  second: number,
): Record<string, "OK" | "ALARM" | "INSUFFICIENT_DATA"> {
  const practice = scenario.resolvedConfig.practice;
  const states: Record<string, "OK" | "ALARM" | "INSUFFICIENT_DATA"> = {};
  for (const alarm of [...(practice?.blockingAlarms ?? []), ...(practice?.outcomeAlarms ?? [])])
    states[`${alarm.region}:${alarm.name}`] = "OK";
  for (const step of [...scenario.alarms].sort((a, b) => a.at - b.at))
    if (step.at <= second) states[`${step.region}:${step.name}`] = step.state;
  return states;
}

/**
 * On-call's override lease in force at scenario second `second`, from the
 * manual steps (promote, drain, pin until their TTL or a release), as the
 * lease record holds it. The replay's deciders read it; the drill's come
 * from the manual function.
 */
export function manualLeaseAt(
  scenario: Pick<Scenario, "manual" | "resolvedConfig">,
  epochAt: (second: number) => number,
  second: number,
): OverrideLease | undefined {
  const steps = scenario.manual.filter((step) => step.at <= second && step.action !== "status");
  const last = steps.at(-1);
  if (last === undefined || last.action === "release" || last.action === "release-hold") return undefined;
  const ttl = last.ttlSeconds ?? scenario.resolvedConfig.lease.defaultTtlSeconds;
  const action = last.action as OverrideLease["action"];
  return {
    id: `manual-${last.at}`,
    action,
    ...(last.target === undefined ? {} : { target: last.target }),
    ...(last.weights === undefined ? {} : { weights: last.weights }),
    createdAt: epochAt(last.at),
    expiresAt: epochAt(last.at + ttl),
  };
}

/** Runs a validation, adding its issues (under `prefix`) to `issues` instead of throwing. */
function collect<T>(issues: ValidationIssue[], run: () => T, prefix?: string): T | undefined {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const under = (path: string) => (prefix === undefined ? path : path === "(root)" ? prefix : `${prefix}.${path}`);
    // The scenario and its merged config are checked separately; a problem both find (a `__proto__` key) is named once.
    const seen = new Set(issues.map((issue) => `${issue.path}\n${issue.message}`));
    for (const issue of error.issues.map((i) => ({ path: under(i.path), message: i.message })))
      if (!seen.has(`${issue.path}\n${issue.message}`)) issues.push(issue);
    return undefined;
  }
}

/**
 * Reads and validates a scenario file; errors name the file and each bad
 * field, never a raw parse error. The scenario's `config` overrides are
 * merged onto `configPath` (a user's own config; its faults may name roles,
 * see ./scenario-roles.ts). @default the example config
 */
export function loadScenario(path: string | URL, configPath: string | URL = exampleConfigPath): Scenario {
  return parseScenario(readJsonFile(path, "scenario"), readJsonFile(configPath, "config"));
}

/**
 * The config a replay or drill runs with: `--config`, else
 * `$FAILOVER_CONFIG_FILE`, else `failover.config.json` in the working
 * directory when there is one, else the example config.
 */
export function configPathFor(flag: string | undefined, env: Record<string, string | undefined>): string | URL {
  const named = flag ?? env.FAILOVER_CONFIG_FILE;
  if (named !== undefined) return named;
  return existsSync("failover.config.json") ? "failover.config.json" : exampleConfigPath;
}
