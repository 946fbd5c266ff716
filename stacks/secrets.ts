import { slackWebhookParameterName, WEBHOOK_PLACEHOLDER } from "../functions/lib/slack/webhook.ts";
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
  return { webhookParameter, webhookParameters };
}
