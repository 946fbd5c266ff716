import type { ManualAction, ManualEvent } from "./event.ts";
import { parseManualEvent } from "./event.ts";
import { followSync, manualContext, type InvocationOrigin, type ManualContext, type ManualDeps } from "./context.ts";
import { giveBack, takeLease } from "./lease-change.ts";
import { requestPractice } from "./practice-request.ts";
import { manualPlan, manualStatus } from "./read.ts";
import { manualVerify } from "./verify.ts";
import { linkDataPlane, refuseBadSignalEndpoints } from "../dataplane-link/link.ts";
import { retireSupersededChecks } from "../dataplane-link/retire.ts";
import { ensureCanaryAlarms } from "./canary-alarms.ts";
import { FailoverError } from "../errors.ts";
import type { InitOutcome } from "../aws/route53.ts";
import { manualErrorBody, type InitResult, type ManualResponse, type ManualResult } from "./result.ts";

export type { ManualDeps } from "./context.ts";

export type { InvocationOrigin } from "./context.ts";

/**
 * The manual failover logic shared by the Lambda function and `failover
 * --direct`: validate the event (a bad one changes nothing), then read, or
 * write an override lease and its weights in one compare-and-swap batch.
 * Every failure becomes `{ ok: false, error }` (code, message, hint, issues).
 */
export async function handleManualEvent(
  deps: ManualDeps,
  raw: unknown,
  invocation: InvocationOrigin = {},
): Promise<ManualResponse> {
  const ctx = manualContext(deps);
  const now = Math.floor(ctx.clock.now() / 1000);
  let action: ManualAction | undefined;
  try {
    const event = parseManualEvent(raw, ctx.config);
    action = event.action;
    ctx.log.info("manual failover event", {
      action: event.action,
      target: event.target,
      weights: event.weights,
      actor: event.actor,
      reason: event.reason,
      ttlSeconds: event.ttlSeconds,
      requestId: event.requestId,
      // `actor` is what the caller says; this id finds the caller's real identity in CloudTrail.
      lambdaRequestId: invocation.lambdaRequestId,
    });
    return { ok: true, ...(await runManualEvent(ctx, event, now, invocation)) };
  } catch (error) {
    ctx.log.error("manual failover failed", { action, error });
    return { ok: false, error: manualErrorBody(error) };
  }
}

/** Runs one validated event: status and plan read; the others write through {@link takeLease} or {@link giveBack}. */
export async function runManualEvent(
  ctx: ManualContext,
  event: ManualEvent,
  now: number,
  invocation: InvocationOrigin = {},
): Promise<ManualResult> {
  switch (event.action) {
    case "status":
      return manualStatus(ctx, now);
    case "plan":
      return manualPlan(ctx, now);
    case "verify":
      return manualVerify(ctx, now);
    case "init":
      return initRecords(ctx, event, now);
    case "promote":
    case "drain":
    case "pin":
      return takeLease(ctx, { ...event, action: event.action, reason: event.reason ?? "" }, now, invocation);
    case "release":
    case "release-hold":
      return giveBack(ctx, { ...event, action: event.action, reason: event.reason ?? "" }, now, invocation);
    case "practice-start":
    case "practice-cancel":
      return requestPractice(ctx, { ...event, action: event.action, reason: event.reason ?? "" }, now, invocation);
  }
}

/**
 * `init`: creates the weighted records with the config's weights, then (with
 * signal endpoints and health-check access) creates the data-plane health
 * checks and ties the records to them. Records that all exist already are
 * adopted as they are (weights unchanged): a rerun changes nothing and says
 * so (`unchanged`).
 */
async function initRecords(ctx: ManualContext, event: ManualEvent, now: number): Promise<InitResult> {
  const problems: string[] = [];
  const { healthChecks, signalEndpoints } = ctx;
  let created: InitOutcome = { created: [], replaced: [], changeId: "" };
  let adopted = false;
  // A wrong endpoint would point every health check at a host that cannot say drain: refuse before any change.
  if (healthChecks !== undefined && signalEndpoints !== undefined)
    await refuseBadSignalEndpoints(ctx.config, signalEndpoints, ctx.fetchText);
  try {
    created = await ctx.switcher.init({ dryRun: event.dryRun === true });
    if (!event.dryRun)
      ctx.log.warn("manual init: weighted records created", { ...created, changeId: undefined, actor: event.actor });
  } catch (error) {
    const exists = error instanceof FailoverError && error.code === "ROUTE53_EXISTS";
    if (!exists || healthChecks === undefined || signalEndpoints === undefined) throw withEndpointsHint(error, exists);
    adopted = true;
  }
  adopted ||= created.unchanged !== undefined;
  const linking = healthChecks !== undefined && signalEndpoints !== undefined;
  const result = (rest: Partial<InitResult>, unchanged: boolean): InitResult => ({
    action: "init",
    at: now,
    problems,
    created: created.created,
    replaced: created.replaced,
    adopted,
    changeId: created.changeId,
    sync: null,
    ...(created.readBack ? { readBack: true as const } : {}),
    ...rest,
    ...(unchanged ? { unchanged: true as const } : {}),
  });
  if (event.dryRun) return result({ changeId: "", dryRun: true }, adopted && !linking);
  const sync = await followSync(ctx, created.changeId, problems);
  if (healthChecks === undefined || signalEndpoints === undefined) {
    problems.push(
      "data-plane health checks not linked: no signal endpoints (set FAILOVER_SIGNAL_ENDPOINTS to the deploy's signalEndpoints output and run init again)",
    );
    return result({ sync }, adopted);
  }
  const dataPlane = await linkDataPlane(ctx.config, signalEndpoints, healthChecks, ctx.switcher, ctx.fetchText);
  ctx.log.warn("manual init: data plane linked", { ...dataPlane, actor: event.actor });
  // The canary alarms follow the canary checks at once (a replaced check moves its alarm in the same run).
  const canaryAlarms = await ensureCanaryAlarms(ctx.bus, ctx.config, dataPlane.canary, ctx.canaryTopic);
  // Checks a replacement superseded cost money until deleted: gone once nothing refers to them.
  const retired = await retireSupersededChecks(
    ctx.config,
    healthChecks,
    ctx.switcher,
    canaryAlarms.problems.length === 0,
  );
  dataPlane.deleted.push(...retired.deleted);
  problems.push(...dataPlane.problems, ...canaryAlarms.problems, ...retired.problems);
  const linked =
    dataPlane.created.length +
      dataPlane.repaired.length +
      dataPlane.tied.length +
      dataPlane.deleted.length +
      canaryAlarms.put.length >
    0;
  return result({ sync, dataPlane, canaryAlarms }, adopted && !linked);
}

/** Records exist and there is nothing to link: say how to adopt them. */
function withEndpointsHint(error: unknown, exists: boolean): unknown {
  if (!exists || !(error instanceof FailoverError)) return error;
  return new FailoverError(error.code, error.message, {
    cause: error,
    hint: `${error.hint ?? ""} To adopt them (weights kept) and tie them to the data-plane health checks, set FAILOVER_SIGNAL_ENDPOINTS to the deploy's signalEndpoints output.`.trim(),
  });
}
