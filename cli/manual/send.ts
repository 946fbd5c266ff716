import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { practiceHistoryFor } from "../../functions/lib/practice-history.ts";
import { SignalStore } from "../../functions/lib/dataplane/signal-store.ts";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { VoteTable } from "../../functions/lib/aws/vote-table.ts";
import { LambdaInvoker } from "../../functions/lib/aws/lambda.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { HealthCheckAdmin } from "../../functions/lib/aws/route53-health-checks.ts";
import { SIGNAL_ENDPOINTS_ENV, signalEndpointsFrom } from "../../functions/lib/dataplane/endpoints.ts";
import { canaryTopicArn } from "../../functions/lib/dataplane/canary-alarm.ts";
import { systemClock } from "../../functions/lib/clock.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { auditTrailFor } from "../../functions/lib/audit-trail.ts";
import { alertAnnouncer, alertTopicsFromEnv } from "../../functions/lib/wiring/alert-announcer.ts";
import { handleManualEvent, type ManualDeps } from "../../functions/lib/manual/handle-event.ts";
import type { ManualResponse } from "../../functions/lib/manual/result.ts";
import { manualFunctionName } from "../../functions/lib/deployment.ts";
import { FailoverError } from "../../functions/lib/errors.ts";
import { createLogger } from "../../functions/lib/log.ts";
import { slackWebhookParameterName, webhookState } from "../../functions/lib/slack/webhook.ts";
import type { CliIO } from "../command.ts";

/** Where a manual failover event goes. */
export interface SendOptions {
  /** Run the manual logic in this process against the AWS APIs of the environment (AWS_ENDPOINT_URL for the emulator). @default false: invoke the deployed function */
  direct: boolean;
  /** Control region to invoke (or, with `direct`, to read the probe window in). @default config.controlRegions, first one that answers */
  region?: string;
  /** Deployed function name. @default manualFunctionName(config, stage) */
  functionName?: string;
  /** SST stage of the deployment. @default "production" */
  stage: string;
  /** With `direct`: the function's JSON logs on stderr. @default false */
  verbose: boolean;
}

/** Lambda failures worth trying the other control region for (it may be the region that is down). */
const regionalFailures = new Set(["LAMBDA_UNAVAILABLE", "LAMBDA_THROTTLED", "LAMBDA_NOT_FOUND"]);

/**
 * Sends one event to the manual failover logic and returns its answer. By
 * default it invokes the deployed function in the first control region and,
 * when that region does not answer (and no `--region` was given), in the
 * other. With `direct` it runs the same code here.
 */
export async function sendManualEvent(
  event: Record<string, unknown>,
  config: FailoverConfig,
  options: SendOptions,
  io: CliIO,
): Promise<ManualResponse> {
  const endpoint = io.env.AWS_ENDPOINT_URL || undefined;
  const refused = (text: string) => endpoint !== undefined && /ECONNREFUSED/.test(text);
  // The likely cause, named: a local emulator that is not running (or restarted on another port).
  const emulatorHint = `Nothing answers at AWS_ENDPOINT_URL=${endpoint}: is \`npm run emulator\` running? Its port changes on every restart: paste the export line it printed again.`;
  try {
    const response = await send(event, config, options, io);
    if (!response.ok && refused(response.error.message))
      return { ...response, error: { ...response.error, hint: emulatorHint } };
    return response;
  } catch (error) {
    if (error instanceof FailoverError && refused(error.message))
      throw new FailoverError(error.code, error.message, { cause: error, hint: emulatorHint });
    throw error;
  }
}

async function send(
  event: Record<string, unknown>,
  config: FailoverConfig,
  options: SendOptions,
  io: CliIO,
): Promise<ManualResponse> {
  if (options.direct) {
    const region = options.region ?? config.controlRegions[0] ?? "us-east-1";
    const log = createLogger({ write: options.verbose ? io.stderr : () => {}, base: { fn: "failover-cli" } });
    const endpoint = io.env.AWS_ENDPOINT_URL || undefined;
    const deps: ManualDeps = {
      config,
      region,
      clock: systemClock,
      switcher: new Route53Switcher(config, endpoint ? { endpoint } : {}),
      bus: new MetricsBus(config, endpoint ? { endpoint } : {}),
      votes: new VoteTable(config, endpoint ? { endpoint } : {}),
      log,
      // Announced like the function's own changes: to the alert topics in FAILOVER_ALERT_TOPICS (else reported as not told).
      announce: alertAnnouncer(region, log, io.env, endpoint ? { endpoint } : {}),
      audit: auditTrailFor(config, region, endpoint ? { endpoint } : {}),
      ...(config.practice ? { practiceHistory: practiceHistoryFor(config, endpoint ? { endpoint } : {}) } : {}),
      healthChecks: new HealthCheckAdmin(config, endpoint ? { endpoint } : {}),
      signals: new SignalStore(
        config,
        new Map(
          config.controlRegions.map((r) => [r, new ParameterStore({ region: r, ...(endpoint ? { endpoint } : {}) })]),
        ),
      ),
    };
    // Your credentials may read the webhook: its state is checked here, its value never leaves webhookState.
    const parameter = slackWebhookParameterName(config.name);
    deps.webhook = (r) => webhookState(new ParameterStore({ region: r, ...(endpoint ? { endpoint } : {}) }), parameter);
    const signalEndpoints = signalEndpointsFrom(io.env[SIGNAL_ENDPOINTS_ENV], config);
    if (signalEndpoints !== undefined) deps.signalEndpoints = signalEndpoints;
    const canaryTopic = canaryTopicArn(alertTopicsFromEnv(io.env));
    if (canaryTopic !== undefined) deps.canaryTopic = canaryTopic;
    return handleManualEvent(deps, event);
  }
  const functionName = options.functionName ?? manualFunctionName(config, options.stage);
  const regions = options.region ? [options.region] : config.controlRegions;
  // Reads, and leases carrying a request id (the function applies one request id once), may be sent again; a
  // release is not: a second one could end a lease someone took in between.
  const repeatable = !changingActions.has(String(event.action)) || typeof event.requestId === "string";
  let lastError: FailoverError | undefined;
  for (const region of regions) {
    try {
      const endpoint = io.env.AWS_ENDPOINT_URL || undefined;
      const invoker = new LambdaInvoker({ region, ...(endpoint ? { endpoint } : {}) });
      return checkAnswer(await invoker.invoke(functionName, event, { repeatable }), functionName);
    } catch (error) {
      if (error instanceof FailoverError && error.code === "LAMBDA_OUTCOME_UNKNOWN")
        throw await withCurrentState(error, event, config, options, io);
      if (!(error instanceof FailoverError) || !regionalFailures.has(error.code)) throw error;
      lastError = error;
      if (region !== regions.at(-1))
        io.stderr(
          `failover: ${functionName} in ${region} did not answer (${error.code}); trying the next control region\n`,
        );
    }
  }
  if (lastError !== undefined && lastError.code !== "LAMBDA_NOT_FOUND")
    throw await noAnswer(lastError, functionName, regions, event, config, options, io);
  if (lastError?.code === "LAMBDA_NOT_FOUND") {
    const others = config.controlRegions.filter((region) => !regions.includes(region));
    throw new FailoverError("LAMBDA_NOT_FOUND", `function ${functionName} does not exist in ${regions.join(" or ")}`, {
      cause: lastError,
      hint: [
        `Check --stage (${options.stage}) and --function, or deploy it (npx sst deploy --stage ${options.stage}).`,
        others.length > 0 ? `Try the other control region: --region ${others.join(" or --region ")}.` : "",
        "Or run the same logic here against the AWS APIs with your credentials: --direct.",
      ]
        .filter(Boolean)
        .join(" "),
    });
  }
  throw lastError ?? new FailoverError("CONFIG_INVALID", "no control region to invoke");
}

/** Actions that change records. */
const changingActions = new Set(["promote", "drain", "pin", "release", "release-hold", "init"]);

/**
 * The function answered in none of the regions tried. The hint names only
 * what can help: another control region when one was left out (`--region`),
 * else `--direct`; a change may have run, so what is in place is read first.
 */
async function noAnswer(
  error: FailoverError,
  functionName: string,
  regions: readonly string[],
  event: Record<string, unknown>,
  config: FailoverConfig,
  options: SendOptions,
  io: CliIO,
): Promise<FailoverError> {
  const others = config.controlRegions.filter((region) => !regions.includes(region));
  const where = regions.length === 1 ? `in ${regions[0]}` : `in any control region (${regions.join(", ")})`;
  const changing = changingActions.has(String(event.action));
  const hint = [
    others.length > 0 ? `Try the other control region: --region ${others.join(" or --region ")}.` : "",
    `Or run the same logic here against the AWS APIs with your credentials: --direct${changing ? " (check `failover status --direct` first)" : ""}.`,
  ]
    .filter(Boolean)
    .join(" ");
  const unanswered = new FailoverError(
    error.code,
    `${functionName} did not answer ${where}; last: ${error.message}${changing ? "; if it ran, the change was applied" : ""}`,
    { cause: error, hint },
  );
  if (!changing) return unanswered;
  const withState = await withCurrentState(unanswered, event, config, options, io);
  return new FailoverError(withState.code, withState.message, { cause: error, hint });
}

/** The outcome-unknown error with what Route 53 holds now (a read is safe to repeat), so on-call sees what happened. */
async function withCurrentState(
  error: FailoverError,
  event: Record<string, unknown>,
  config: FailoverConfig,
  options: SendOptions,
  io: CliIO,
): Promise<FailoverError> {
  const status = await sendManualEvent({ action: "status", actor: event.actor }, config, options, io).catch(
    () => undefined,
  );
  const now =
    status?.ok && status.action === "status"
      ? `Now in Route 53: weights ${Object.entries(status.weights)
          .map(([id, w]) => `${id}=${w}`)
          .join(
            " ",
          )}; lease: ${status.lease ? `${status.lease.id} (${status.lease.action}${status.lease.target ? ` ${status.lease.target}` : ""})` : "none"}; last switch: ${status.switches[0] ? new Date(status.switches[0].at * 1000).toISOString() : "none"}.`
      : "The current state could not be read either.";
  return new FailoverError(error.code, `${error.message}. ${now}`, {
    cause: error,
    hint: "Compare with what you asked for before you repeat the command (`failover status` shows it in full).",
  });
}

function checkAnswer(answer: unknown, functionName: string): ManualResponse {
  const ok = (answer as { ok?: unknown } | null)?.ok;
  if (
    typeof answer !== "object" ||
    answer === null ||
    typeof ok !== "boolean" ||
    (ok === false && typeof (answer as { error?: { code?: unknown } }).error?.code !== "string")
  ) {
    throw new FailoverError(
      "LAMBDA_BAD_ANSWER",
      `function ${functionName} answered something that is not a manual failover response`,
      {
        hint: "Check that --function names the manual failover function (functions/failover.ts) and that it is up to date.",
      },
    );
  }
  return answer as ManualResponse;
}
