import type { FailoverConfig } from "../config.ts";
import { attributionOf, type Attribution } from "../audit-trail.ts";
import type { OverrideLease } from "../lease.ts";
import type { Decision } from "../policy/decide.ts";
import type { PolicyMemory } from "../policy/memory.ts";
import type { PracticeChange } from "../policy/practice.ts";
import { normalWeights, pickWeights } from "../policy/weights.ts";
import type { FailoverEvent, LeaseSummary } from "../slack/failover-event.ts";
import { votesOf } from "../state-document.ts";
import type { Weights } from "../types.ts";

/** What a decider round did, as {@link roundEvent} needs it. */
export interface RoundChange {
  config: FailoverConfig;
  decision: Decision;
  /** Epoch seconds of the decision. */
  at: number;
  controlRegion: string;
  /** Weights in Route 53 when it decided. */
  from: Weights;
  /** The policy memory it decided from (undefined: fresh). */
  priorMemory: PolicyMemory | undefined;
  /** The lease record it read (possibly expired). */
  lease: OverrideLease | undefined;
  /** Who took that lease and why, from the audit trail. @default both "(audit unavailable)" */
  leaseAttribution?: Attribution;
  /** This decider won the compare-and-swap that moved the weights. */
  switched: boolean;
  /** This decider wrote anything (weights or memory). */
  applied: boolean;
  changeId?: string | undefined;
}

/**
 * The event a decider round announces, or undefined when it has nothing to
 * tell (nothing written, or only memory that moves no traffic). Pure.
 * Only the round that won the compare-and-swap has `applied`, so the other
 * control region's decider, deciding the same thing, announces nothing.
 */
export function roundEvent(change: RoundChange): FailoverEvent | undefined {
  const { config, decision, at, priorMemory } = change;
  if (!change.applied) return undefined;
  const ids = config.targets.map((target) => target.id);
  const base = {
    type: "regional-failover.event" as const,
    v: 1 as const,
    at,
    by: { mode: "automatic" as const, controlRegion: change.controlRegion },
    reason: decision.reason,
    from: pickWeights(change.from, ids),
    to: change.switched ? decision.weights : pickWeights(change.from, ids),
    normal: normalWeights(config.targets),
    ...(change.changeId ? { changeId: change.changeId } : {}),
  };
  if (decision.kind === "override-ended") {
    const ended = change.lease !== undefined && change.lease.id === priorMemory?.lease ? change.lease : undefined;
    return {
      ...base,
      kind: "override-expired",
      ...(ended ? { lease: leaseSummary({ ...ended, ...attributionOf(undefined), ...change.leaseAttribution }) } : {}),
    };
  }
  if ((decision.kind === "practice-start" || decision.kind === "practice-end") && decision.practice !== undefined)
    return practiceEvent(base, decision.practice);
  if (!change.switched) return undefined;
  const votes = votesOf(decision.verdicts);
  const drained = decision.changes.find((moved) => moved.direction === "drain");
  if ((decision.kind === "drain" || decision.kind === "flap-hold") && drained !== undefined) {
    const held = decision.memory.targets[drained.target]?.mode === "held";
    return {
      ...base,
      kind: "drain",
      target: drained.target,
      votes,
      ...(held
        ? {
            held: {
              drains: decision.memory.drains[drained.target]?.length ?? config.policy.flapBudget.maxDrains,
              windowSeconds: config.policy.flapBudget.windowSeconds,
            },
          }
        : {}),
    };
  }
  if (decision.kind === "ramp") {
    const ramping = ids.find(
      (id) => decision.memory.targets[id]?.mode === "ramp" && (change.from[id] ?? 0) !== (decision.weights[id] ?? 0),
    );
    const step = ramping === undefined ? undefined : (decision.memory.targets[ramping]?.step ?? 0);
    return {
      ...base,
      kind: "ramp",
      votes,
      ...(ramping !== undefined && step !== undefined
        ? {
            target: ramping,
            ramp: {
              percent: config.policy.rampPercents[step] ?? 100,
              step: step + 1,
              steps: config.policy.rampPercents.length,
            },
          }
        : {}),
    };
  }
  if (decision.kind === "restore") {
    const back = ids.find((id) => priorMemory?.targets[id] !== undefined && decision.memory.targets[id] === undefined);
    const drainedAt = back === undefined ? undefined : priorMemory?.drains[back]?.at(-1);
    return {
      ...base,
      kind: "restored",
      votes,
      ...(back !== undefined ? { target: back } : {}),
      ...(drainedAt !== undefined && drainedAt <= at ? { outSeconds: at - drainedAt } : {}),
    };
  }
  if (decision.kind === "fail-open") return { ...base, kind: "fail-open", votes };
  const active =
    decision.leaseActive && change.lease !== undefined
      ? leaseSummary({ ...change.lease, ...attributionOf(undefined), ...change.leaseAttribution })
      : undefined;
  return { ...base, kind: "shift", ...(active ? { lease: active } : { votes }) };
}

/**
 * The Slack event of a practice run's start or end (a skip is only recorded), built on a round's event
 * fields: the run's own reason, its target, and once ended its outcome and length.
 */
export function practiceEvent(base: Omit<FailoverEvent, "kind">, change: PracticeChange): FailoverEvent | undefined {
  if (change.kind === "skip") return undefined;
  const { run } = change;
  const practice = { id: run.id, by: run.by, percent: run.percent, startedAt: run.since, until: run.until };
  if (change.kind === "start") return { ...base, kind: "practice-started", target: run.target, practice };
  return {
    ...base,
    kind: "practice-ended",
    target: run.target,
    reason: `${change.outcome}: ${change.reason}`,
    practice: { ...practice, outcome: change.outcome, seconds: Math.max(0, Math.round(change.at - run.since)) },
  };
}

/** What a person's change did, as {@link manualChangeEvent} needs it. */
export interface ManualChange {
  config: FailoverConfig;
  action: "promote" | "drain" | "pin" | "release" | "release-hold";
  actor: string;
  /** The person's reason. */
  reason: string;
  /** Epoch seconds. */
  at: number;
  from: Weights;
  to: Weights;
  /** The policy's reason for the weights now in place. */
  decisionReason: string;
  /** The lease written (promote/drain/pin) or released (release), with who took it and why. */
  lease: AttributedLease | undefined;
  /** The active lease a new one replaced. */
  replaced: AttributedLease | undefined;
  releasedHolds: readonly string[];
  /** The release-hold target. */
  target?: string | undefined;
  changeId?: string | undefined;
}

/**
 * The event a person's change announces (override taken, replaced,
 * released, flap hold released), or undefined when it changed nothing
 * (a release with no lease and no hold). Pure.
 */
export function manualChangeEvent(change: ManualChange): FailoverEvent | undefined {
  const { config } = change;
  const ids = config.targets.map((target) => target.id);
  const base = {
    type: "regional-failover.event" as const,
    v: 1 as const,
    at: change.at,
    by: { mode: "manual" as const, actor: change.actor },
    reason: change.reason,
    detail: change.decisionReason,
    from: pickWeights(change.from, ids),
    to: pickWeights(change.to, ids),
    normal: normalWeights(config.targets),
    ...(change.changeId ? { changeId: change.changeId } : {}),
  };
  const holds = change.releasedHolds.length > 0 ? { releasedHolds: [...change.releasedHolds] } : {};
  const lease = change.lease ? { lease: leaseSummary(change.lease) } : {};
  switch (change.action) {
    case "promote":
    case "drain":
    case "pin":
      return change.replaced
        ? { ...base, kind: "override-replaced", ...lease, replaced: leaseSummary(change.replaced) }
        : { ...base, kind: "override-taken", ...lease };
    case "release": {
      const moved = ids.some((id) => (change.from[id] ?? 0) !== (change.to[id] ?? 0));
      if (change.lease === undefined && change.releasedHolds.length === 0 && !moved) return undefined;
      return { ...base, kind: "override-released", ...lease, ...holds };
    }
    case "release-hold":
      if (change.releasedHolds.length === 0) return undefined;
      return { ...base, kind: "hold-released", ...(change.target ? { target: change.target } : {}), ...holds };
  }
}

/** A lease with who took it and why (from the audit trail: the lease record holds neither). */
export type AttributedLease = OverrideLease & Attribution;

function leaseSummary(lease: AttributedLease): LeaseSummary {
  return {
    id: lease.id,
    action: lease.action,
    ...(lease.target !== undefined ? { target: lease.target } : {}),
    ...(lease.weights !== undefined ? { weights: lease.weights } : {}),
    actor: lease.actor,
    reason: lease.reason,
    expiresAt: lease.expiresAt,
  };
}
