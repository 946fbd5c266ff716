import { Resource } from "sst/resource";
import { FailoverError } from "../errors.ts";

/**
 * The Slack webhook URL, a secret. Deployed: SST's linked `SlackWebhookUrl`
 * secret, read with `sst/resource` (the SDK's small resource entry: it
 * finds the link in `SST_RESOURCE_SlackWebhookUrl` or in the encrypted
 * resource file SST bundles with the function). Locally and in the drill:
 * env `SLACK_WEBHOOK_URL`, which wins when set.
 */
export async function slackWebhookUrl(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.SLACK_WEBHOOK_URL) return env.SLACK_WEBHOOK_URL;
  let linked: unknown;
  try {
    linked = (Resource as unknown as Record<string, { value?: unknown } | undefined>).SlackWebhookUrl?.value;
  } catch {
    linked = undefined; // SST throws when nothing is linked; reported below
  }
  if (typeof linked === "string" && linked !== "") return linked;
  throw new FailoverError(
    "SLACK_WEBHOOK_MISSING",
    "no Slack webhook: the SlackWebhookUrl secret is not linked to this function and SLACK_WEBHOOK_URL is not set",
    {
      hint: "Run `npx sst secret set SlackWebhookUrl <url> --stage <stage>` and deploy (or export SLACK_WEBHOOK_URL for a local run).",
    },
  );
}
