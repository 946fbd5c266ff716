import { LambdaInvoker } from "./lib/aws/lambda.ts";
import { ParameterStore } from "./lib/aws/ssm.ts";
import { systemClock } from "./lib/clock.ts";
import { configFromEnv } from "./lib/env-config.ts";
import { FailoverError } from "./lib/errors.ts";
import { log } from "./lib/log.ts";
import { manualDepsFromEnv } from "./lib/wiring/manual.ts";
import { createSlackCommand, type HttpAnswer } from "./lib/slack-command/handler.ts";
import { isSlackJob } from "./lib/slack-command/job.ts";
import type { FunctionUrlEvent } from "./lib/slack-command/request.ts";
import { slackSecretsFrom } from "./lib/slack-command/secrets.ts";
import { slackApi } from "./lib/slack-command/slack-api.ts";

let wired: ReturnType<typeof createSlackCommand> | undefined;

/**
 * The `/failover` Slack command (function URL, no IAM auth: Slack signs
 * each request and functions/lib/slack-command checks it). A function URL
 * request is answered at once; the work after the answer is this function
 * invoking itself asynchronously with a job event (./lib/slack-command/job.ts).
 * Config from env FAILOVER_CONFIG; secrets from this region's SSM SecureStrings.
 */
export const handler = async (
  event: unknown,
  context?: { awsRequestId?: string; functionName?: string },
): Promise<HttpAnswer | { ok: boolean }> => {
  try {
    wired ??= wire(context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? "");
  } catch (error) {
    log.error("Slack command function misconfigured", { error });
    return {
      statusCode: 503,
      headers: {},
      body: "The failover command is misconfigured (see its log); nothing was changed.",
    };
  }
  if (isSlackJob(event))
    return wired.job(event, context?.awsRequestId ? { lambdaRequestId: context.awsRequestId } : {});
  return wired.http(event as FunctionUrlEvent);
};

function wire(functionName: string): ReturnType<typeof createSlackCommand> {
  const config = configFromEnv();
  if (config.slack === undefined || functionName === "")
    throw new FailoverError(
      "SLACK_NOT_CONFIGURED",
      "no slack block in the config, or no function name to hand work to",
    );
  const manual = manualDepsFromEnv(config);
  const lambda = new LambdaInvoker({ region: manual.region, retry: { budgetMs: 1500, attemptTimeoutMs: 1000 } });
  return createSlackCommand({
    config,
    manual,
    secrets: slackSecretsFrom(new ParameterStore({ region: manual.region }), config.name, systemClock),
    slack: slackApi({ apiUrl: config.slack.apiUrl }),
    defer: (job) => lambda.invokeAsync(functionName, job),
    countRefused: async (at) => {
      const result = await manual.bus.publishSlackRefused(manual.region, at);
      if (!result.ok) log.warn("refused Slack request not counted", { error: result.error });
    },
  });
}
