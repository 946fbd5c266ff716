import type { UpdateResult } from "../aws/route53.ts";
import { ValidationError } from "../errors.ts";
import { leaseActive, type OverrideLease } from "../lease.ts";
import { leaseWeights, type Decision } from "../policy/decide.ts";
import { releaseFlapHold, type PolicyMemory } from "../policy/memory.ts";
import { pickWeights } from "../policy/weights.ts";
import { manualChangeEvent } from "./change-event.ts";
import type { AuditEntry } from "../audit.ts";
import { decideOn, followSync, leaseView, leaseViewOf, readRounds, type ManualContext } from "./manual-context.ts";
import type { InvocationOrigin } from "./manual-context.ts";
import type { ManualEvent } from "./manual-event.ts";
import type { ChangeResult, LeaseView } from "./manual-result.ts";
import { describeShift, readStateDocument, zoneChangeFor } from "./zone-change.ts";

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
  const rounds = await readRounds(ctx, now, problems);
  // Before the lease record changes: a lease in DNS never points at an audit entry that was not written.
  // A repeated request (same requestId, same lease id) writes the same entry again, which changes nothing.
  problems.push(...(await ctx.audit.write(auditEntry(event, lease.id, now, invocation))));
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
  return changeResult(ctx, event, now, problems, result, result.decided.decision, {
    lease: leaseView(lease, now, { actor: event.actor, reason: event.reason }),
    replaced: await leaseViewOf(ctx, result.decided.replaced, now, problems),
    releasedHolds: [],
  });
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
function auditEntry(
  event: LeaseEvent | GiveBackEvent,
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
  if (announcement !== undefined) problems.push(...(await ctx.announce(announcement)).problems);
  return {
    action,
    at: now,
    problems,
    from,
    to,
    shift: describeShift(from, to, ctx.ids),
    ...leases,
    reason: decision.reason,
    changeId,
    attempts: result.attempts,
    sync: await followSync(ctx, changeId, problems),
  };
}
