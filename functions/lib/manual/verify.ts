import { alarmDefinitions } from "../alarms.ts";
import type { HealthCheckRead } from "../aws/route53-health-checks.ts";
import { CANARY_TARGET, currentCheck, healthCheckReference } from "../dataplane/health-checks.ts";
import { describeError, FailoverError } from "../errors.ts";
import { describeWebhookState, setWebhookCommand, slackWebhookParameterName } from "../slack/webhook.ts";
import { canaryAlarmProblems } from "./canary-alarms.ts";
import { verifyDataPlane, type BrokenLink } from "../dataplane-link/link.ts";
import type { ManualContext } from "./context.ts";
import type { SetupStep, VerifyResult } from "./result.ts";

const INIT = "failover init --direct --yes";
const DEPLOY = "npx sst deploy";

/**
 * `verify`: tells what is not set up yet (a part of which nothing exists:
 * no weighted record, no data-plane health check, no alarm in a region, the
 * Slack webhook missing or the placeholder), each with the step that sets it
 * up, from what is broken (a part that exists with a link missing or wrong:
 * the data-plane chain, an alarm, a webhook that is not a SecureString),
 * each with its fix. Reads only; the webhook's value never leaves
 * {@link ManualContext.webhook}.
 */
export async function manualVerify(ctx: ManualContext, now: number): Promise<VerifyResult> {
  const problems: string[] = [];
  const broken: BrokenLink[] = [];
  const notSetUp: SetupStep[] = [];
  const records = await recordsState(ctx, notSetUp, broken);
  if (ctx.healthChecks === undefined) problems.push("health checks not readable here: the data plane was not checked");
  else if (records === "partial") problems.push("data plane not checked: the weighted records are not whole");
  else if (records === "none" || !(await anyDataPlaneCheck(ctx, ctx.healthChecks))) notSetUp.push(dataPlaneStep(ctx));
  else {
    broken.push(
      ...(await verifyDataPlane(
        ctx.config,
        ctx.signalEndpoints ?? {},
        ctx.healthChecks,
        ctx.switcher,
        ...(ctx.fetchText ? [ctx.fetchText] : []),
      )),
    );
    const checks = canaryCheckIds(ctx.config, await ctx.healthChecks.list());
    const canary = await canaryAlarmProblems(ctx.bus, ctx.config, checks, ctx.canaryTopic, `${INIT} (puts them)`);
    broken.push(...canary.broken);
    problems.push(...canary.problems);
  }
  await verifyAlarms(ctx, notSetUp, broken, problems);
  await verifyWebhook(ctx, notSetUp, broken, problems);
  return { action: "verify", at: now, problems, broken, notSetUp };
}

/** Whether the weighted records are all there (`all`), none is (`none`: a step), or only some (`partial`: broken). */
async function recordsState(
  ctx: ManualContext,
  notSetUp: SetupStep[],
  broken: BrokenLink[],
): Promise<"all" | "none" | "partial"> {
  try {
    const plan = await ctx.switcher.init({ dryRun: true });
    if (plan.unchanged !== undefined) return "all";
    const takeOver = plan.replaced.length > 0 ? `; init takes over ${plan.replaced.join("; ")} in the same batch` : "";
    notSetUp.push({
      part: "records",
      message: `no weighted record yet (${plan.created.join(", ")})${takeOver}`,
      run: INIT,
    });
    return "none";
  } catch (error) {
    if (!(error instanceof FailoverError) || error.code !== "ROUTE53_EXISTS") throw error;
    broken.push({
      link: "record",
      message: error.message,
      fix: `delete the weighted records of this config by hand (failover status shows them), then ${INIT}`,
    });
    return "partial";
  }
}

/** True when any of the config's data-plane health checks exists (then a missing one is broken, not "not set up"). */
async function anyDataPlaneCheck(
  ctx: ManualContext,
  admin: NonNullable<ManualContext["healthChecks"]>,
): Promise<boolean> {
  const checks = await admin.list();
  const references = ctx.config.targets.flatMap((target) => [
    healthCheckReference(ctx.config, target.id),
    ...ctx.config.controlRegions.map((region) => healthCheckReference(ctx.config, target.id, region)),
  ]);
  return references.some((reference) => currentCheck(checks, reference) !== undefined);
}

/** Each control region's current canary check id (a region without one is left out: verify names the missing check). */
function canaryCheckIds(config: ManualContext["config"], checks: readonly HealthCheckRead[]): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const region of config.controlRegions) {
    const check = currentCheck(checks, healthCheckReference(config, CANARY_TARGET, region));
    if (check !== undefined) ids[region] = check.id;
  }
  return ids;
}

/** The data plane's set-up step: init with the deploy's signal endpoints. */
function dataPlaneStep(ctx: ManualContext): SetupStep {
  if (ctx.signalEndpoints !== undefined)
    return { part: "data plane", message: "no data-plane health check yet", run: INIT };
  return {
    part: "data plane",
    message: "no data-plane health check yet, and no signal endpoint known (FAILOVER_SIGNAL_ENDPOINTS)",
    run: `${DEPLOY}, then FAILOVER_SIGNAL_ENDPOINTS='<the deploy's signalEndpoints output>' ${INIT}`,
  };
}

/** Every alarm in every control region: a region with none is not set up; one missing beside others is broken. */
async function verifyAlarms(
  ctx: ManualContext,
  notSetUp: SetupStep[],
  broken: BrokenLink[],
  problems: string[],
): Promise<void> {
  for (const region of ctx.config.controlRegions) {
    const missing: string[] = [];
    const alarms = alarmDefinitions(ctx.config, region);
    try {
      for (const alarm of alarms)
        if ((await ctx.bus.alarmState(region, alarm.name)) === undefined) missing.push(alarm.name);
    } catch (error) {
      problems.push(`alarms in ${region} unreadable: ${describeError(error)}`);
      continue;
    }
    if (missing.length > 0 && missing.length === alarms.length)
      notSetUp.push({ part: "alarms", message: `no alarm in ${region} yet`, run: `${DEPLOY} (creates them)` });
    else
      for (const name of missing)
        broken.push({
          link: "alarm",
          message: `alarm ${name} missing in ${region}`,
          fix: `${DEPLOY} (the stacks create every alarm in every control region)`,
        });
  }
}

/** The Slack webhook parameter in every control region; only its state is seen here, never its value. */
async function verifyWebhook(
  ctx: ManualContext,
  notSetUp: SetupStep[],
  broken: BrokenLink[],
  problems: string[],
): Promise<void> {
  const parameter = slackWebhookParameterName(ctx.config.name);
  if (ctx.webhook === undefined) {
    problems.push(
      `Slack webhook ${parameter} not checked: the manual function may not read it; \`failover verify --direct\` or \`failover slack-test\` checks it with your credentials`,
    );
    return;
  }
  for (const region of ctx.config.controlRegions) {
    let state: Awaited<ReturnType<NonNullable<ManualContext["webhook"]>>>;
    try {
      state = await ctx.webhook(region);
    } catch (error) {
      problems.push(`Slack webhook ${parameter} in ${region} unreadable: ${describeError(error)}`);
      continue;
    }
    const message = `${parameter} in ${region} ${describeWebhookState(state)}`;
    if (state === "missing" || state === "placeholder")
      notSetUp.push({ part: "Slack webhook", message, run: setWebhookCommand(parameter, region) });
    else if (state === "not-secure")
      broken.push({ link: "webhook", message, fix: setWebhookCommand(parameter, region) });
  }
}
