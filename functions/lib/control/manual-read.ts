import { pickWeights } from "../policy/weights.ts";
import { decideOn, leaseViewOf, readRounds, switchViews, targetRows, type ManualContext } from "./manual-context.ts";
import { describeError } from "../errors.ts";
import { alarmDefinitions } from "../alarms.ts";
import { readDataPlaneStatus, type DataPlaneStatus } from "./data-plane-status.ts";
import { verifyDataPlane, type BrokenLink } from "./link-data-plane.ts";
import type { PlanResult, StatusResult, VerifyResult } from "./manual-result.ts";
import { describeShift } from "./zone-change.ts";
import { signalStatus } from "../dataplane/signal-status.ts";
import { CANARY_TARGET, currentCheck, healthCheckReference } from "../dataplane/health-checks.ts";
import type { HealthCheckRead } from "../aws/route53-health-checks.ts";
import { canaryAlarmProblems } from "./canary-alarms.ts";

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

/**
 * `verify`: the whole data-plane chain (signal endpoints, signal and
 * calculated checks, records tied) and every control region's alarms; each
 * broken link with what to run to fix it. Reads only.
 */
export async function manualVerify(ctx: ManualContext, now: number): Promise<VerifyResult> {
  const problems: string[] = [];
  const broken: BrokenLink[] = [];
  if (ctx.healthChecks === undefined) problems.push("health checks not readable here: the data plane was not checked");
  else
    broken.push(
      ...(await verifyDataPlane(
        ctx.config,
        ctx.signalEndpoints ?? {},
        ctx.healthChecks,
        ctx.switcher,
        ...(ctx.fetchText ? [ctx.fetchText] : []),
      )),
    );
  if (ctx.healthChecks !== undefined) {
    const canary = await canaryAlarmProblems(
      ctx.bus,
      ctx.config,
      canaryCheckIds(ctx.config, await ctx.healthChecks.list()),
      ctx.canaryTopic,
      "failover init --direct --yes (puts the canary alarms)",
    );
    broken.push(...canary.broken);
    problems.push(...canary.problems);
  }
  for (const region of ctx.config.controlRegions)
    for (const alarm of alarmDefinitions(ctx.config, region)) {
      try {
        if ((await ctx.bus.alarmState(region, alarm.name)) === undefined)
          broken.push({
            link: "alarm",
            message: `alarm ${alarm.name} missing in ${region}`,
            fix: "npx sst deploy (the stacks create every alarm in every control region)",
          });
      } catch (error) {
        problems.push(`alarms in ${region} unreadable: ${describeError(error)}`);
        break;
      }
    }
  return { action: "verify", at: now, problems, broken };
}

/** Each control region's current canary check id (a region without one is left out: verify names it as a missing check). */
function canaryCheckIds(config: ManualContext["config"], checks: readonly HealthCheckRead[]): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const region of config.controlRegions) {
    const check = currentCheck(checks, healthCheckReference(config, CANARY_TARGET, region));
    if (check !== undefined) ids[region] = check.id;
  }
  return ids;
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
