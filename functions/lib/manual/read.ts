import { pickWeights } from "../policy/weights.ts";
import { decideOn, leaseViewOf, readRounds, switchViews, targetRows, type ManualContext } from "./context.ts";
import { describeError } from "../errors.ts";
import { readDataPlaneStatus, type DataPlaneStatus } from "../dataplane-link/status.ts";
import type { PlanResult, StatusResult } from "./result.ts";
import { describeShift } from "../control/zone-change.ts";
import { signalStatus } from "../dataplane/signal-status.ts";

/** `status`: the weights, each target's health and mode, the lease, the last switches and what the policy would do. */
export async function manualStatus(ctx: ManualContext, now: number): Promise<StatusResult> {
  const problems: string[] = [];
  const [rounds, snapshot] = await Promise.all([readRounds(ctx, now, problems), ctx.switcher.read()]);
  const { doc, decision } = decideOn(ctx, snapshot, rounds, now, problems);
  const [dataPlane, signal] = await Promise.all([
    dataPlaneOf(ctx, snapshot, problems),
    ctx.signals ? ctx.signals.readAll().then((reads) => signalStatus(reads, now, ctx.ids)) : undefined,
  ]);
  return {
    action: "status",
    at: now,
    problems,
    weights: pickWeights(snapshot.weights, ctx.ids),
    targets: targetRows(ctx, snapshot, decision),
    lease: await leaseViewOf(ctx, snapshot.lease, now, problems),
    switches: await switchViews(ctx, doc?.switches ?? [], problems),
    policy: { kind: decision.kind, reason: decision.reason },
    ...(dataPlane ? { dataPlane } : {}),
    ...(signal ? { signal } : {}),
  };
}

/** The data-plane view, or undefined (with the reason in `problems`) when health checks cannot be read. */
async function dataPlaneOf(
  ctx: ManualContext,
  snapshot: Parameters<typeof readDataPlaneStatus>[1],
  problems: string[],
): Promise<DataPlaneStatus | undefined> {
  if (ctx.healthChecks === undefined) return undefined;
  try {
    return await readDataPlaneStatus(ctx.healthChecks, snapshot, ctx.ids, problems);
  } catch (error) {
    problems.push(`health checks unreadable, DNS answers unknown: ${describeError(error)}`);
    return undefined;
  }
}

/** `plan`: what the decider would write now, and why; reads only. */
export async function manualPlan(ctx: ManualContext, now: number): Promise<PlanResult> {
  const problems: string[] = [];
  const [rounds, snapshot] = await Promise.all([readRounds(ctx, now, problems), ctx.switcher.read()]);
  const { decision } = decideOn(ctx, snapshot, rounds, now, problems);
  const current = pickWeights(snapshot.weights, ctx.ids);
  return {
    action: "plan",
    at: now,
    problems,
    current,
    proposed: decision.weights,
    changed: decision.changed,
    shift: describeShift(current, decision.weights, ctx.ids),
    kind: decision.kind,
    reason: decision.reason,
    changes: decision.changes,
    targets: targetRows(ctx, snapshot, decision),
    lease: await leaseViewOf(ctx, snapshot.lease, now, problems),
  };
}
