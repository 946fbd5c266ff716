import type { UpdateResult } from "../records/zone-update.ts";
import { describeError, ValidationError } from "../errors.ts";
import { leaseActive, type OverrideLease } from "../lease.ts";
import { leaseWeights, type Decision, type WeightChange } from "../policy/decide.ts";
import { releaseFlapHold, type PolicyMemory } from "../policy/memory.ts";
import { applyPracticeChange } from "../policy/practice-record.ts";
import { formatWeights, normalWeights, pickWeights } from "../policy/weights.ts";
import type { Weights } from "../types.ts";
import { manualChangeEvent, practiceEvent } from "../control/change-event.ts";
import { AuditConflictError, sameRequest, type AuditEntry } from "../audit-trail.ts";
import { decideOn, followSync, leaseView, leaseViewOf, readRounds, type ManualContext } from "./context.ts";
import type { InvocationOrigin } from "./context.ts";
import type { ManualEvent } from "./event.ts";
import type { ChangeResult, LeaseView } from "./result.ts";
import { describeShift, readStateDocument, zoneChangeFor } from "../control/zone-change.ts";
import { writeSignalOverride } from "./signal-override.ts";

/** A validated manual event that takes a lease. */
export type LeaseEvent = ManualEvent & { action: "promote" | "drain" | "pin"; reason: string };

/** A validated manual event that gives control back to the policy. */
export type GiveBackEvent = ManualEvent & { action: "release" | "release-hold"; reason: string };

/** promote / drain / pin: a new lease and the weights it asks for, in one CAS batch with the state document. */
export async function takeLease(
  ctx: ManualContext,
  event: LeaseEvent,
  now: number,
  invocation: InvocationOrigin = {},
): Promise<ChangeResult> {
  const lease = newLease(ctx, event, now);
  const problems: string[] = [];
  const entry = auditEntry(event, lease.id, now, invocation);
  const [rounds] = await Promise.all([readRounds(ctx, now, problems), recordAudit(ctx, event, entry, problems)]);
  const result = await ctx.switcher.update((snapshot) => {
    // The lease of this very request is in place: an earlier delivery applied it. Writing again could undo nothing
    // useful and would count a second switch.
    if (event.requestId !== undefined && snapshot.lease?.id === event.requestId)
      return { change: undefined, decided: undefined };
    const decided = decideOn(ctx, snapshot, rounds, now, problems, { lease });
    return {
      change: zoneChangeFor(decided.decision, snapshot, {
        now,
        doc: decided.doc,
        mode: "manual",
        audit: lease.id,
        lease,
      }),
      decided: { decision: decided.decision, replaced: leaseActive(snapshot.lease, now) ? snapshot.lease : undefined },
    };
  });
  if (result.decided === undefined) return repeatedResult(ctx, event, now, problems, result);
  if (result.applied)
    problems.push(
      ...(await writeSignalOverride(ctx.signals, {
        lease: lease.id,
        weights: result.decided.decision.weights,
        now,
        until: lease.expiresAt,
      })),
    );
  return changeResult(ctx, event, now, problems, result, result.decided.decision, {
    lease: leaseView(lease, now, { actor: event.actor, reason: event.reason }),
    replaced: await leaseViewOf(ctx, result.decided.replaced, now, problems),
    releasedHolds: [],
  });
}

/**
 * Writes the lease's audit entry before the lease record changes, so a lease
 * in DNS never points at an entry that was not attempted. The entry is
 * written once, by the request that creates the lease: a repeated request
 * id is a retry only when action, actor and reason match the entry
 * ({@link AuditConflictError} otherwise). The lease id is public (the TXT
 * record), so when the lease of `requestId` is already in place nothing is
 * written at all, only compared: a lease whose entry was never stored
 * (SSM down when it was taken) cannot be claimed afterwards.
 */
async function recordAudit(
  ctx: ManualContext,
  event: LeaseEvent,
  entry: AuditEntry,
  problems: string[],
): Promise<void> {
  if (event.requestId !== undefined && (await ctx.switcher.read()).lease?.id === event.requestId) {
    const stored = await ctx.audit.read(event.requestId);
    if (stored.entry !== undefined && !sameRequest(stored.entry, entry))
      throw new AuditConflictError(stored.entry, entry);
    if (stored.entry === undefined)
      problems.push(
        `request ${event.requestId}: its lease is in place but its audit entry could not be read${stored.problem ? ` (${stored.problem})` : ""}, so this cannot be confirmed as a retry; nothing was written`,
      );
    return;
  }
  problems.push(...(await ctx.audit.write(entry)));
}

/** The answer to a repeated delivery of a lease request: what the first delivery put in place, nothing written. */
async function repeatedResult(
  ctx: ManualContext,
  event: LeaseEvent,
  now: number,
  problems: string[],
  result: UpdateResult,
): Promise<ChangeResult> {
  const weights = pickWeights(result.snapshot.weights, ctx.ids);
  problems.push(`request ${event.requestId} was already applied (its lease is in place); nothing was written again`);
  ctx.log.warn(`manual ${event.action}: repeated request ${event.requestId}, already applied`, {
    action: event.action,
    requestId: event.requestId,
  });
  return {
    action: event.action,
    at: now,
    problems,
    from: weights,
    to: weights,
    shift: describeShift(weights, weights, ctx.ids),
    lease: await leaseViewOf(ctx, result.snapshot.lease, now, problems),
    replaced: null,
    releasedHolds: [],
    reason: "an earlier delivery of this request took the lease",
    changeId: "",
    attempts: result.attempts,
    sync: null,
    repeated: true,
  };
}

/** The lease an event asks for; a drain that would leave no target with traffic is refused before anything is read. */
function newLease(ctx: ManualContext, event: LeaseEvent, now: number): OverrideLease {
  const lease: OverrideLease = {
    id: event.requestId ?? ctx.newLeaseId(),
    action: event.action,
    ...(event.target !== undefined ? { target: event.target } : {}),
    ...(event.weights !== undefined ? { weights: pickWeights(event.weights, ctx.ids) } : {}),
    createdAt: now,
    expiresAt: now + (event.ttlSeconds ?? ctx.config.lease.defaultTtlSeconds),
  };
  if (leaseWeights(ctx.config, lease) === undefined) {
    // Only a drain can get here (pin weights are checked by the event schema): every other target has normal weight 0.
    throw new ValidationError("manual failover event", [
      {
        path: "target",
        message: `draining ${event.target ?? "?"} would leave no target with traffic (every other target has normal weight 0); promote another target instead`,
      },
    ]);
  }
  return lease;
}

/**
 * release: delete the lease, clear every flap hold, and apply at once what
 * the policy decides without the lease (the decider would within a round).
 * release-hold: clear one target's flap hold, lease untouched.
 */
export async function giveBack(
  ctx: ManualContext,
  event: GiveBackEvent,
  now: number,
  invocation: InvocationOrigin = {},
): Promise<ChangeResult> {
  const problems: string[] = [];
  const rounds = await readRounds(ctx, now, problems);
  const releasing = event.action === "release";
  const auditId = ctx.newReleaseId();
  problems.push(...(await ctx.audit.write(auditEntry(event, auditId, now, invocation))));
  const result = await ctx.switcher.update((snapshot) => {
    const { doc } = readStateDocument(snapshot);
    const holds = releasing ? ctx.ids : [event.target ?? ""];
    let memory = doc?.memory;
    const releasedHolds = holds.filter((id) => memory?.targets[id]?.mode === "held");
    for (const id of releasedHolds) memory = releaseFlapHold(memory as PolicyMemory, id, now);
    const lease = releasing ? undefined : snapshot.lease;
    const decided = decideOn(ctx, snapshot, rounds, now, problems, { lease, memory });
    return {
      change: zoneChangeFor(decided.decision, snapshot, {
        now,
        doc: decided.doc,
        mode: "manual",
        audit: auditId,
        ...(releasing ? { lease: null } : {}),
      }),
      decided: { decision: decided.decision, released: releasing ? snapshot.lease : undefined, releasedHolds },
    };
  });
  const { decision, released, releasedHolds } = result.decided;
  if (!releasing && releasedHolds.length === 0)
    problems.push(`${event.target ?? "?"} was not held by its flap budget; nothing to release`);
  if (releasing && released === undefined) problems.push("no override lease was in place");
  if (released !== undefined)
    problems.push(...(await writeSignalOverride(ctx.signals, { lease: released.id, weights: {}, now, until: now })));
  return changeResult(ctx, event, now, problems, result, decision, {
    // The released lease no longer holds, whatever its expiry said.
    lease:
      released === undefined
        ? null
        : { ...((await leaseViewOf(ctx, released, now, problems)) as LeaseView), active: false },
    replaced: null,
    releasedHolds,
  });
}

/** The audit entry of a change: who asked, why, and what the platform says about the request. */
export function auditEntry(
  event: Pick<AuditEntry, "action" | "actor" | "reason">,
  id: string,
  now: number,
  invocation: InvocationOrigin,
): AuditEntry {
  return {
    v: 1,
    id,
    action: event.action,
    actor: event.actor,
    reason: event.reason,
    at: now,
    ...(invocation.lambdaRequestId !== undefined ? { lambdaRequestId: invocation.lambdaRequestId } : {}),
    ...(invocation.caller !== undefined ? { caller: invocation.caller } : {}),
  };
}

/**
 * A lease that ends a practice run (the lowest-precedence lease) is the write that carried the run's end:
 * it records the end and tells it, once, as a decider would have.
 */
async function endedPracticeRun(
  ctx: ManualContext,
  decision: Decision,
  moment: { at: number; from: Weights; to: Weights },
  problems: string[],
): Promise<void> {
  const change = decision.practice;
  if (change === undefined) return;
  if (ctx.practiceHistory !== undefined) {
    const prior = change.kind === "end" ? await ctx.practiceHistory.read(change.run.id) : undefined;
    problems.push(...(await ctx.practiceHistory.write(applyPracticeChange(change, prior))));
  }
  const event = practiceEvent(
    {
      type: "regional-failover.event",
      v: 1,
      at: moment.at,
      by: { mode: "automatic", controlRegion: ctx.region },
      reason: decision.reason,
      from: moment.from,
      to: moment.to,
      normal: normalWeights(ctx.config.targets),
    },
    change,
  );
  if (event !== undefined) problems.push(...(await ctx.announce(event)).problems);
}

/**
 * Counts a manual switch on the Switchover metric in every control region,
 * as a decider counts its own: the decider never sees this change as one of
 * its own (the weights already match the lease), so without this a manual
 * switch would be missing from the switchover alarm and dashboards. Slack
 * hears of it once, from the change event (the alarm is not announced).
 */
async function countSwitch(ctx: ManualContext, now: number, moved: WeightChange[], problems: string[]): Promise<void> {
  if (moved.length === 0) return;
  const switchovers = moved.map((change) => ({
    target: change.target,
    direction: change.direction,
    mode: "manual" as const,
  }));
  const results = await ctx.bus.publishSwitchovers(now, switchovers);
  for (const failed of results.filter((one) => !one.ok))
    problems.push(
      `Switchover metric not published in ${failed.region} (its switchover alarm misses this switch): ${describeError(failed.error)}`,
    );
}

/**
 * A release that leaves other than the normal weights in place, with no
 * lease holding them: surprising unless said (with no probe data the policy
 * never moves traffic, so a drained target stays drained).
 */
function keptAsTheyAre(ctx: ManualContext, action: string, to: Weights): { kept?: string } {
  const normal = Object.fromEntries(ctx.config.targets.map((target) => [target.id, target.weight]));
  if (action !== "release" || ctx.ids.every((id) => to[id] === normal[id])) return {};
  return {
    kept: `The weights stay at ${formatWeights(to, ctx.ids, { named: true })} (normal: ${formatWeights(normal, ctx.ids, { named: true })}) with no lease: the policy moves traffic only on probe votes it can act on, and unknown never moves it. They return to normal through recovery and the ramp once the probes vote the targets up; to set them now, use failover pin.`,
  };
}

/** Logs the manual switch, announces it for Slack, and answers it once Route 53 has synced or the short wait is over. */
async function changeResult(
  ctx: ManualContext,
  event: LeaseEvent | GiveBackEvent,
  now: number,
  problems: string[],
  result: UpdateResult,
  decision: Decision,
  leases: Pick<ChangeResult, "lease" | "replaced" | "releasedHolds">,
): Promise<ChangeResult> {
  const { action } = event;
  const from = pickWeights(result.snapshot.weights, ctx.ids);
  const to = result.applied && result.change?.weights !== undefined ? decision.weights : from;
  ctx.log.warn(`manual ${action}: ${describeShift(from, to, ctx.ids)}`, {
    action,
    from,
    to,
    reason: decision.reason,
    lease: leases.lease,
    releasedHolds: leases.releasedHolds,
    attempts: result.attempts,
    changeId: result.changeId,
  });
  const changeId = result.changeId ?? "";
  const announcement = result.applied
    ? manualChangeEvent({
        config: ctx.config,
        action,
        actor: event.actor,
        reason: event.reason,
        at: now,
        from,
        to,
        decisionReason: decision.reason,
        lease: leases.lease ?? undefined,
        replaced: leases.replaced ?? undefined,
        releasedHolds: leases.releasedHolds,
        target: event.target,
        changeId,
      })
    : undefined;
  const moved = result.applied && result.change?.weights !== undefined ? decision.changes : [];
  const [announced] = await Promise.all([
    announcement === undefined ? undefined : ctx.announce(announcement),
    countSwitch(ctx, now, moved, problems),
    result.applied ? endedPracticeRun(ctx, decision, { at: now, from, to }, problems) : undefined,
  ]);
  if (announced !== undefined) problems.push(...announced.problems);
  return {
    action,
    at: now,
    problems,
    from,
    to,
    shift: describeShift(from, to, ctx.ids),
    ...leases,
    ...keptAsTheyAre(ctx, action, to),
    reason: decision.reason,
    changeId,
    attempts: result.attempts,
    sync: await followSync(ctx, changeId, problems),
    ...(result.readBack ? { readBack: true as const } : {}),
  };
}
