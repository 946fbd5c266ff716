import type { FailoverConfig } from "../config.ts";
import { leaseActive, type OverrideLease } from "../lease.ts";
import type { ProbeRound, Weights } from "../types.ts";
import { emptyPolicyMemory, type PolicyMemory, type PracticeRun } from "./memory.ts";
import {
  resumeStep,
  runEnding,
  tryStart,
  type PracticeChange,
  type PracticeOutcome,
  type PracticeView,
} from "./practice.ts";
import { stepTargets, type TargetEvent } from "./target-modes.ts";
import { describeHealth, describeEvent, describeModes, clock } from "./reasons.ts";
import type { SuspectChecker } from "./suspects.ts";
import { targetVerdict, type TargetVerdict } from "./verdict.ts";
import { formatWeights, normalWeights, pickWeights, sameWeights, splitWeights, type TargetShare } from "./weights.ts";

export type { TargetHealth } from "./votes.ts";
export type { TargetVerdict } from "./verdict.ts";

/** Everything one decision needs; the engine reads no clock and does no I/O. */
export interface DecisionInput {
  /** Epoch seconds. */
  now: number;
  /** Uses targets, vantages, probe.intervalSeconds and policy. */
  config: FailoverConfig;
  /** The probe window, oldest first (at least {@link windowSeconds} of it). */
  rounds: ProbeRound[];
  /** Weights now in Route 53, by target id. */
  current: Weights;
  /** From the state record; undefined = fresh start (derived from `current`). */
  memory: PolicyMemory | undefined;
  /** From the lease record (already validated); may be expired. */
  lease: OverrideLease | undefined;
  /**
   * The practice alarms' states (./practice.ts). Unset: no practice run starts or ends by its alarms or time
   * (a caller that does not read them, such as a plan's preview); a run in progress keeps its shift and still
   * ends on a lease or a real failover decision.
   */
  practice?: PracticeView | undefined;
}

export interface WeightChange {
  target: string;
  from: number;
  to: number;
  direction: "drain" | "restore" | "ramp" | "pin";
}

export interface Decision {
  /** Desired weights: integers 0-255, never all zero. */
  weights: Weights;
  /** Weights differ from `input.current`. */
  changed: boolean;
  /** To store back, in the same CAS batch as the weights. */
  memory: PolicyMemory;
  /** Memory must be written even if the weights did not change. */
  memoryChanged: boolean;
  kind:
    | "steady"
    | "drain"
    | "ramp"
    | "restore"
    | "fail-open"
    | "override"
    | "override-ended"
    | "flap-hold"
    | "unknown"
    | "practice-start"
    | "practice-end";
  /** A practice run started, ended or was skipped in this decision (./practice.ts); recorded and announced once. */
  practice?: PracticeChange | undefined;
  /** For people: `primary down from 2/3 vantages for 2 rounds (…)`. */
  reason: string;
  verdicts: Record<string, TargetVerdict>;
  changes: WeightChange[];
  /** Every target down: fail open (normal weights) and alert. */
  allDown: boolean;
  /** Targets held drained by a spent flap budget. */
  flapHeld: string[];
  leaseActive: boolean;
  /** Vantages set aside as suspect checkers, per target (see ./suspects.ts): alarmed, not counted. */
  suspects: Array<SuspectChecker & { target: string }>;
  /**
   * Something looks wrong: a vote is down, or the newest round is missing a
   * vantage that voted in the round before (its checks are still being
   * re-checked or published). The decider then decides again within the
   * round as soon as more votes are readable, instead of at the next round.
   */
  attention: boolean;
}

/**
 * Seconds of probe history {@link decide} needs: enough rounds to count
 * `drainAfterRounds` and the round that confirms a split vote, and to see a
 * target up for `recoverAfterSeconds`, plus one round of slack.
 */
export function windowSeconds(config: FailoverConfig): number {
  const interval = config.probe.intervalSeconds;
  const rounds = Math.max(
    config.policy.drainAfterRounds + 1,
    Math.ceil(config.policy.recoverAfterSeconds / interval) + 1,
  );
  return (rounds + 1) * interval;
}

/**
 * The failover policy: from the probe window, the current weights, the
 * memory and any override lease, the desired weights and why.
 *
 * Order: an unexpired lease wins; with no verdict at all nothing moves;
 * otherwise each target steps through in service → drained (→ held) → ramp
 * → in service, the split gives drained weight to healthy targets in
 * proportion to their normal weights, and when every target is down the
 * normal weights stay (fail open).
 */
export function decide(input: DecisionInput): Decision {
  const { config, now } = input;
  const ids = config.targets.map((target) => target.id);
  const normal = normalWeights(config.targets);
  const window = windowSeconds(config);
  const verdicts: Record<string, TargetVerdict> = {};
  for (const id of ids) verdicts[id] = targetVerdict(config, input.rounds, id, now, window);
  const prior = input.memory ?? memoryFromWeights(config, input.current, now);
  const active = leaseActive(input.lease, now) ? input.lease : undefined;
  const seen: Seen = { input, ids, verdicts, basis: newestBasis(ids, verdicts), leaseActive: active !== undefined };
  const finish = (outcome: Outcome) => finishDecision(seen, outcome);

  // Decisions only move forward: with a view older than the one the decision in force was made on
  // (its votes not yet readable here), this decider keeps what is there and waits to catch up.
  const basis = seen.basis;
  if (prior.basis !== undefined && basis !== undefined && basis < prior.basis && validWeights(input.current, ids))
    return finish({
      weights: pickWeights(input.current, ids),
      memory: prior,
      kind: "steady",
      reason: `newest round read ${clock(basis)} is older than ${clock(prior.basis)}, the round the decision in force was made on: nothing moves until this decider reads it`,
    });

  if (active !== undefined) {
    // A person's lease outranks a practice run: it ends the run (INTERRUPTED), and none starts under it.
    const practiced = practiceUnderLease(input, ids, verdicts, prior, active);
    const stepped = stepTargets(config.policy, ids, practiced.memory, verdicts, now, false);
    const weights = leaseWeights(config, active) ?? normal;
    const what = active.action === "pin" ? "pin" : `${active.action} ${active.target ?? "?"}`;
    return finish({
      weights,
      memory: clearHoldsGivenTraffic({ ...stepped.memory, lease: active.id }, weights, ids),
      kind: "override",
      // Who and why are in the audit trail, not here: this reason goes into the public state record.
      reason: `override lease ${active.id} (${what}) until ${clock(active.expiresAt)}${practiced.said}`,
      pinned: true,
      practice: practiced.change,
    });
  }

  const endedLease = prior.lease;
  const { lease: _ended, ...withoutLease } = prior;
  const automatic = decideWithPractice(input, ids, normal, verdicts, withoutLease);
  if (endedLease === undefined) return finish(automatic);
  return finish({
    ...automatic,
    kind: "override-ended",
    reason: `override lease ${endedLease} ended, automatic policy resumes; ${automatic.reason}`,
  });
}

/** What a decision read: the same for every way it can end. */
interface Seen {
  input: DecisionInput;
  ids: string[];
  verdicts: Record<string, TargetVerdict>;
  /** The newest round any verdict is from (./decide.ts newestBasis). */
  basis: number | undefined;
  leaseActive: boolean;
}

/** How a decision ends, before the changes and the rest are derived from it. */
interface Outcome {
  weights: Weights;
  memory: PolicyMemory;
  kind: Decision["kind"];
  reason: string;
  /** @default false */
  allDown?: boolean;
  /** The weights are a person's (a lease): every change is a pin. @default false */
  pinned?: boolean;
  /** What happened to a practice run. @default undefined */
  practice?: PracticeChange | undefined;
}

function finishDecision(seen: Seen, outcome: Outcome): Decision {
  const { input, ids, verdicts, basis } = seen;
  const { weights, kind, reason, allDown = false, pinned = false, practice } = outcome;
  let memory = outcome.memory;
  const changes = ids
    .filter((id) => (input.current[id] ?? 0) !== (weights[id] ?? 0))
    .map((id) => ({
      target: id,
      from: input.current[id] ?? 0,
      to: weights[id] ?? 0,
      direction: directionOf(id, input.current[id] ?? 0, weights[id] ?? 0, memory, pinned),
    }));
  const changed = changes.length > 0 || !sameWeights(input.current, weights, Object.keys(input.current));
  const differs = input.memory === undefined || canonical(memory) !== canonical(input.memory);
  // A change records the newest round it was decided on, so an older view cannot undo it (decide above).
  if ((changed || differs) && basis !== undefined) memory = { ...memory, basis: Math.max(basis, memory.basis ?? 0) };
  const moved = changed
    ? `: weights ${formatWeights(input.current, ids)} → ${formatWeights(weights, ids)}`
    : `; weights ${formatWeights(weights, ids)}`;
  return {
    verdicts,
    leaseActive: seen.leaseActive,
    suspects: Object.entries(verdicts).flatMap(([id, verdict]) =>
      verdict.suspects.map((suspect) => ({ ...suspect, target: id })),
    ),
    attention: needsAttention(input.config, input.rounds, verdicts, memory, input.now),
    weights,
    changed,
    memory,
    memoryChanged: differs || memory.basis !== input.memory?.basis,
    kind,
    reason: reason + moved,
    changes,
    allDown,
    flapHeld: ids.filter((id) => memory.targets[id]?.mode === "held"),
    ...(practice === undefined ? {} : { practice }),
  };
}

interface Automatic {
  weights: Weights;
  memory: PolicyMemory;
  kind: Decision["kind"];
  reason: string;
  allDown: boolean;
  /** A real failover decision: a drain, a flap hold, or failing open (it ends a practice run). */
  real: boolean;
  practice?: PracticeChange | undefined;
}

/**
 * The automatic policy with the practice step (./practice.ts): a run in
 * progress ends on a real failover decision, on-call's cancel, a blocking or
 * outcome alarm, or its time, and the decision is made again without it (the
 * real drain proceeds in the same decision); with no run, one may start (the
 * decision is made again with the run's shift) or be skipped with the reason.
 */
function decideWithPractice(
  input: DecisionInput,
  ids: string[],
  normal: Weights,
  verdicts: Record<string, TargetVerdict>,
  prior: PolicyMemory,
): Automatic {
  const { config, now } = input;
  const settings = config.practice;
  const automatic = decideAutomatic(input, ids, normal, verdicts, prior);
  const run = prior.practice?.run;
  if (run !== undefined) {
    const ending = automatic.real
      ? { outcome: "INTERRUPTED" as const, reason: "a real failover decision" }
      : settings === undefined
        ? { outcome: "INTERRUPTED" as const, reason: "practice runs are no longer configured" }
        : runEnding(settings, prior.practice ?? {}, input.practice, now);
    if (ending === undefined) return automatic;
    const keepOut = automatic.memory.targets[run.target] !== undefined;
    const ended = endRun(config.policy.rampPercents, prior, run, ending.outcome, now, keepOut);
    const after = decideAutomatic(input, ids, normal, verdicts, ended);
    const practice: PracticeChange = { kind: "end", run, ...ending, at: now };
    const said = `practice run ${run.id} (${run.target}) ${ending.outcome}: ${ending.reason}`;
    // A real decision keeps its kind (it is announced as the incident it is); the run's end rides along.
    if (automatic.real) return { ...after, reason: `${after.reason}; ${said}`, practice };
    return { ...after, kind: "practice-end", reason: said, practice };
  }
  if (settings === undefined || input.practice === undefined) return automatic;
  const checks = { settings, view: input.practice, memory: automatic.memory, verdicts, ids, leaseActive: false };
  const tried = tryStart(checks, now);
  if (tried.change === undefined) return automatic;
  if (tried.change.kind !== "start")
    return { ...automatic, memory: { ...automatic.memory, practice: tried.practice }, practice: tried.change };
  const started = decideAutomatic(input, ids, normal, verdicts, { ...prior, practice: tried.practice });
  const { target, percent, until, id } = tried.change.run;
  const reason = `practice run ${id}: ${percent === 100 ? "drain" : `shift ${percent}% of`} ${target} until ${clock(until)}`;
  return { ...started, kind: "practice-start", reason, practice: tried.change };
}

/** Under a lease: a run in progress ends INTERRUPTED; a due or requested run is skipped with the reason. */
function practiceUnderLease(
  input: DecisionInput,
  ids: string[],
  verdicts: Record<string, TargetVerdict>,
  prior: PolicyMemory,
  lease: OverrideLease,
): { memory: PolicyMemory; change: PracticeChange | undefined; said: string } {
  const { config, now } = input;
  const run = prior.practice?.run;
  if (run !== undefined) {
    const reason = `override lease ${lease.id}`;
    const memory = endRun(config.policy.rampPercents, prior, run, "INTERRUPTED", now, false);
    const said = `; practice run ${run.id} (${run.target}) INTERRUPTED: ${reason}`;
    return { memory, change: { kind: "end", run, outcome: "INTERRUPTED", reason, at: now }, said };
  }
  const settings = config.practice;
  if (settings === undefined || input.practice === undefined) return { memory: prior, change: undefined, said: "" };
  const tried = tryStart({ settings, view: input.practice, memory: prior, verdicts, ids, leaseActive: true }, now);
  return { memory: { ...prior, practice: tried.practice }, change: tried.change, said: "" };
}

/**
 * The memory once a run ends: no run, no cancel; the target back through the
 * normal ramp, or at once after a FAILED run (its outcome alarm says the
 * others are hurting) or when the shift kept more than the ramp's last
 * step but one. A target the same decision drained for real stays out.
 */
function endRun(
  rampPercents: readonly number[],
  memory: PolicyMemory,
  run: PracticeRun,
  outcome: PracticeOutcome,
  now: number,
  keepOut: boolean,
): PolicyMemory {
  const { run: _run, cancel: _cancel, ...practice } = memory.practice ?? {};
  const step = outcome === "FAILED" ? undefined : resumeStep(rampPercents, run.percent);
  if (keepOut || step === undefined || memory.targets[run.target] !== undefined) return { ...memory, practice };
  return { ...memory, practice, targets: { ...memory.targets, [run.target]: { mode: "ramp", since: now, step } } };
}

function decideAutomatic(
  input: DecisionInput,
  ids: string[],
  normal: Weights,
  verdicts: Record<string, TargetVerdict>,
  prior: PolicyMemory,
): Automatic {
  const { config, now } = input;
  const health = describeHealth(config, ids, verdicts);

  // Unknown never moves traffic: with no verdict at all, keep what Route 53 has.
  if (ids.every((id) => verdicts[id]?.health === "unknown") && validWeights(input.current, ids)) {
    return {
      weights: pickWeights(input.current, ids),
      memory: prior,
      kind: "unknown",
      reason: `no verdict, nothing moves: ${health}`,
      allDown: false,
      real: false,
    };
  }

  const stepped = stepTargets(config.policy, ids, prior, verdicts, now, true);
  const inService = (memory: PolicyMemory) =>
    ids.filter((id) => memory.targets[id] === undefined || memory.targets[id]?.mode === "ramp");
  if (ids.every((id) => verdicts[id]?.health === "down") && inService(stepped.memory).length === 0) {
    return {
      weights: normal,
      memory: prior,
      kind: "fail-open",
      reason: `every target down, failing open to the normal weights: ${health}`,
      allDown: true,
      real: true,
    };
  }

  let memory = stepped.memory;
  let events = stepped.events;
  let weights = splitWeights(shares(config, memory, verdicts));
  let note = "";
  if (weights === undefined) {
    // Nobody left to take traffic: a drain this round would empty everything, so it waits.
    const cancelled = new Set(events.filter((e) => e.kind === "drain" || e.kind === "hold").map((e) => e.target));
    memory = { ...memory, targets: { ...memory.targets }, drains: { ...memory.drains } };
    for (const id of cancelled) {
      restoreEntry(memory.targets, id, prior.targets[id]);
      restoreEntry(memory.drains, id, prior.drains[id]);
    }
    events = events.filter((e) => !cancelled.has(e.target));
    weights = splitWeights(shares(config, memory, verdicts));
    if (cancelled.size > 0)
      note = `; ${[...cancelled].join(", ")} kept in service: no other target can take its traffic`;
  }
  if (weights === undefined) {
    return {
      weights: normal,
      memory,
      kind: "fail-open",
      reason: `no target can take traffic, failing open to the normal weights: ${health}`,
      allDown: false,
      real: true,
    };
  }

  const emergency = ids.filter(
    (id) => memory.targets[id] !== undefined && memory.targets[id]?.mode !== "ramp" && (weights?.[id] ?? 0) > 0,
  );
  if (emergency.length > 0)
    note += `; ${emergency.join(", ")} carries traffic before its recovery: no target in service can`;
  const kind = kindOf(events, input.current, weights, ids);
  const said = events.map((event) => describeEvent(config, event, verdicts));
  const modes = describeModes(config, ids, memory, verdicts, now);
  const reason = [said.length > 0 ? said.join("; ") : health, ...(said.length > 0 ? [] : modes)].join("; ") + note;
  const real = events.some((event) => event.kind === "drain" || event.kind === "hold");
  return { weights, memory, kind, reason, allDown: false, real };
}

/** How each target takes part in the split, from its mode and verdict. */
function shares(config: FailoverConfig, memory: PolicyMemory, verdicts: Record<string, TargetVerdict>): TargetShare[] {
  return config.targets.map((target) => {
    const state = memory.targets[target.id];
    // One tier for every target in service: the split goes by normal weight, so a weight-0 standby
    // takes traffic only when every target in service has normal weight 0.
    const run = memory.practice?.run;
    // A practice run's target keeps what the shift leaves it; it absorbs only when no target in service can,
    // so a real drain of another target is never held back by a practice run (the run then ends).
    if (state === undefined && run?.target === target.id)
      return { id: target.id, normal: target.weight, factor: (100 - run.percent) / 100, tier: 1 };
    if (state === undefined) return { id: target.id, normal: target.weight, factor: 1, tier: 0 };
    if (state.mode === "ramp")
      return {
        id: target.id,
        normal: target.weight,
        factor: (config.policy.rampPercents[state.step ?? 0] ?? 100) / 100,
        tier: 2,
      };
    // A drained target that is up takes traffic only when no target in service or ramping can.
    return {
      id: target.id,
      normal: target.weight,
      factor: 0,
      tier: verdicts[target.id]?.health === "up" ? 3 : undefined,
    };
  });
}

/** Weights an active lease asks for; undefined when they would be all zero. */
export function leaseWeights(config: FailoverConfig, lease: OverrideLease): Weights | undefined {
  if (lease.action === "pin") {
    const weights = Object.fromEntries(config.targets.map((t) => [t.id, lease.weights?.[t.id] ?? 0]));
    return Object.values(weights).some((w) => w > 0) ? weights : undefined;
  }
  if (!config.targets.some((t) => t.id === lease.target)) return undefined;
  return splitWeights(
    config.targets.map((t) => {
      const chosen = t.id === lease.target;
      if (lease.action === "promote")
        return { id: t.id, normal: t.weight, factor: chosen ? 1 : 0, tier: chosen ? 0 : undefined };
      return { id: t.id, normal: t.weight, factor: chosen ? 0 : 1, tier: chosen ? undefined : 0 };
    }),
  );
}

/** A person who sends traffic to a flap-held target has released it. */
function clearHoldsGivenTraffic(memory: PolicyMemory, weights: Weights, ids: string[]): PolicyMemory {
  const released = ids.filter((id) => memory.targets[id]?.mode === "held" && (weights[id] ?? 0) > 0);
  if (released.length === 0) return memory;
  const targets = { ...memory.targets };
  const drains = { ...memory.drains };
  for (const id of released) {
    delete targets[id];
    delete drains[id];
  }
  return { ...memory, targets, drains };
}

/** Fresh start (no state record): a target at 0 whose normal weight is not is taken as drained, so nothing is flung back. */
function memoryFromWeights(config: FailoverConfig, current: Weights, now: number): PolicyMemory {
  const memory = emptyPolicyMemory();
  for (const target of config.targets) {
    if (target.weight > 0 && current[target.id] === 0) memory.targets[target.id] = { mode: "drained", since: now };
  }
  return memory;
}

function kindOf(events: TargetEvent[], current: Weights, weights: Weights, ids: string[]): Decision["kind"] {
  const has = (kind: TargetEvent["kind"]) => events.some((event) => event.kind === kind);
  if (has("hold")) return "flap-hold";
  if (has("drain")) return "drain";
  if (has("restore")) return "restore";
  if (has("ramp-start") || has("ramp-step")) return "ramp";
  if (sameWeights(current, weights, ids)) return "steady";
  return ids.some((id) => (weights[id] ?? 0) === 0 && (current[id] ?? 0) > 0) ? "drain" : "restore";
}

function directionOf(
  id: string,
  from: number,
  to: number,
  memory: PolicyMemory,
  pinned: boolean,
): WeightChange["direction"] {
  if (pinned) return "pin";
  if (to === 0) return "drain";
  if (memory.targets[id]?.mode === "ramp") return "ramp";
  return to > from ? "restore" : "ramp";
}

function validWeights(weights: Weights, ids: string[]): boolean {
  const values = ids.map((id) => weights[id]);
  return (
    values.every((w) => Number.isInteger(w) && (w ?? -1) >= 0 && (w ?? 256) <= 255) && values.some((w) => (w ?? 0) > 0)
  );
}

function restoreEntry<T>(record: Record<string, T>, id: string, value: T | undefined): void {
  if (value === undefined) delete record[id];
  else record[id] = value;
}

/** JSON with sorted keys, so equal memories compare equal whatever order their keys were built in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/**
 * A down vote on a target in service (drained and held targets come back
 * slowly anyway), or a newest round (begun less than an interval ago) still
 * missing a vantage that voted in the round before and is not set aside.
 */
function needsAttention(
  config: FailoverConfig,
  rounds: readonly ProbeRound[],
  verdicts: Record<string, TargetVerdict>,
  memory: PolicyMemory,
  now: number,
): boolean {
  const inService = (id: string) => memory.targets[id] === undefined || memory.targets[id]?.mode === "ramp";
  if (Object.entries(verdicts).some(([id, verdict]) => inService(id) && verdict.downVotes.length > 0)) return true;
  const interval = config.probe.intervalSeconds;
  const newest = rounds.find((round) => round.at <= now && round.at > now - interval);
  const before = newest && rounds.find((round) => round.at === newest.at - interval);
  if (newest === undefined || before === undefined) return false;
  // A suspect checker's late vote is not awaited: it would not count.
  const aside = new Set(Object.values(verdicts).flatMap((verdict) => verdict.setAside));
  return Object.keys(before.votes).some((vantage) => newest.votes[vantage] === undefined && !aside.has(vantage));
}

/** The newest round any target's verdict is from (undefined when no target has one). */
function newestBasis(ids: string[], verdicts: Record<string, TargetVerdict>): number | undefined {
  const known = ids.flatMap((id) => {
    const verdict = verdicts[id];
    return verdict === undefined || verdict.health === "unknown" ? [] : [verdict.at];
  });
  return known.length === 0 ? undefined : Math.max(...known);
}
