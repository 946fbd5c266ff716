import { functionMemoryMb, slackCommandFunctionName } from "../functions/lib/deployment.ts";
import { manualExtraPermissions, slackCommandPermissions, type PermissionStatement } from "./iam.ts";
import { functionArgs, logicalName, providerFor } from "./regions.ts";
import { reservedConcurrency, slackConcurrencyEnv, type Settings } from "./settings.ts";

/** Most concurrent Slack command invocations per region: on-call types a few commands; a flood of forged requests is throttled, not billed. */

/**
 * The `/failover` Slack command in one control region (only with a `slack`
 * block in the config): a function URL without IAM auth, since Slack sends
 * none; every request is checked against Slack's signature, the team and
 * the on-call list in the function. It runs the manual failover logic
 * itself (the same entry point, so the same rights as the manual function)
 * and reads its secrets from this region's SSM SecureStrings. Work after
 * the answer is an asynchronous self-invocation, never retried by Lambda (a
 * release sent twice would be two releases).
 */
export function createSlackCommand(
  { config, configJson }: Settings,
  region: string,
  environment: Record<string, $util.Input<string>>,
  manualPermissions: $util.Output<PermissionStatement[]>,
): sst.aws.Function {
  const provider = providerFor(region);
  const name = slackCommandFunctionName(config, $app.stage);
  const slackReserved = reservedConcurrency(slackConcurrencyEnv);
  const { accountId } = aws.getCallerIdentityOutput({}, { provider });
  const slack = new sst.aws.Function(
    logicalName("SlackCommand", region),
    {
      ...functionArgs({
        handler: "functions/slack-command.handler",
        description: `regional-failover Slack command /failover (control region ${region})`,
        configJson,
        environment,
        permissions: manualPermissions.apply((statements) =>
          accountId.apply((account) => [
            ...statements,
            ...manualExtraPermissions(config, region, account),
            ...slackCommandPermissions(config, region, account, name),
          ]),
        ),
        timeoutSeconds: 60,
        memoryMb: functionMemoryMb.slack,
      }),
      name,
      url: { authorization: "none", cors: false },
      // Optional: a reservation caps a flood of forged requests, but Lambda refuses one on an account whose
      // concurrency quota is 10 (new accounts), which would fail the whole deploy.
      ...(slackReserved !== undefined ? { concurrency: { reserved: slackReserved } } : {}),
    },
    { provider },
  );
  new aws.lambda.FunctionEventInvokeConfig(
    logicalName("SlackCommandAsync", region),
    { functionName: slack.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 300 },
    { provider },
  );
  return slack;
}
