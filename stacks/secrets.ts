/**
 * The Slack incoming-webhook URL, set per stage with
 * `npx sst secret set SlackWebhookUrl <url> --stage <stage>`. Linked only to
 * the notifier (stacks/control.ts): no other function can read it.
 */
export function createSecrets(): { slackWebhookUrl: sst.Secret } {
  return { slackWebhookUrl: new sst.Secret("SlackWebhookUrl") };
}
