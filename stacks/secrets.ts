import { slackWebhookParameterName, WEBHOOK_PLACEHOLDER } from "../functions/lib/slack/webhook.ts";
import { slackParameterNames } from "../functions/lib/slack-command/secrets.ts";
import type { Settings } from "./settings.ts";
import { logicalName, providerFor } from "./regions.ts";

/** The Slack webhook parameter of each control region (its name is the same in every region). */
export interface Secrets {
  /** SSM parameter name of the webhook, e.g. `/regional-failover/slack-webhook`. */
  webhookParameter: string;
  /** The parameter resource per control region. */
  webhookParameters: Map<string, aws.ssm.Parameter>;
}

/**
 * The Slack incoming-webhook URL: an SSM SecureString (account's `aws/ssm`
 * key) in each control region, created with a placeholder value that later
 * deploys leave alone (`ignoreChanges`), so the URL is never in the app's
 * code, state or a function's configuration. On-call sets it per region
 * after the first deploy (README, "Slack webhook"); only the notifier of
 * that region may read it (stacks/iam.ts, notifyPermissions).
 */
export function createSecrets({ config }: Settings): Secrets {
  const webhookParameter = slackWebhookParameterName(config.name);
  const webhookParameters = new Map(
    config.controlRegions.map((region) => [
      region,
      new aws.ssm.Parameter(
        logicalName("SlackWebhook", region),
        {
          name: webhookParameter,
          type: "SecureString",
          tier: "Standard",
          value: WEBHOOK_PLACEHOLDER,
          description: "regional-failover Slack webhook URL; set with aws ssm put-parameter --type SecureString",
        },
        { provider: providerFor(region), ignoreChanges: ["value"] },
      ),
    ]),
  );
  if (config.slack !== undefined) createSlackCommandSecrets(config);
  return { webhookParameter, webhookParameters };
}

/**
 * The Slack command's signing secret, bot token and on-call list (Slack
 * user ids): SecureStrings beside the webhook in each control region,
 * created with the placeholder and left alone by later deploys; on-call
 * sets them (README, "Acting from Slack"). Only that region's Slack command
 * may read them (stacks/iam.ts, slackCommandPermissions).
 */
function createSlackCommandSecrets(config: Settings["config"]): void {
  const names = slackParameterNames(config.name);
  const what = { signingSecret: "signing secret", botToken: "bot token", onCall: "on-call Slack user ids" } as const;
  for (const region of config.controlRegions)
    for (const [key, name] of Object.entries(names) as Array<[keyof typeof names, string]>)
      new aws.ssm.Parameter(
        logicalName(`Slack${key.charAt(0).toUpperCase()}${key.slice(1)}`, region),
        {
          name,
          type: "SecureString",
          tier: "Standard",
          value: WEBHOOK_PLACEHOLDER,
          description: `regional-failover Slack command ${what[key]}; set with aws ssm put-parameter --type SecureString`,
        },
        { provider: providerFor(region), ignoreChanges: ["value"] },
      );
}
