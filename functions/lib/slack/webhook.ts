import type { ParameterStore } from "../aws/ssm.ts";
import { FailoverError } from "../errors.ts";

/**
 * The Slack webhook URL, a secret: an SSM SecureString parameter in each
 * control region (stacks/secrets.ts declares it with a placeholder; on-call
 * sets the value), read once per container by the notifier. It is never in
 * the function's configuration, environment or bundle, so reading those
 * (lambda:GetFunctionConfiguration) does not reveal it; only a principal
 * allowed ssm:GetParameter on that one parameter can.
 */

/** Value stacks/ create the parameter with; the notifier treats it as "not set". */
export const WEBHOOK_PLACEHOLDER = "unset";

/** Name of the webhook parameter of a deployment (the same in every control region). */
export function slackWebhookParameterName(configName: string): string {
  return `/${configName}/slack-webhook`;
}

/** The command on-call runs to set the webhook (the URL is read from the shell, never written here). */
export function setWebhookCommand(parameter: string, region: string): string {
  return `aws ssm put-parameter --region ${region} --name ${parameter} --type SecureString --overwrite --value "$SLACK_WEBHOOK_URL"`;
}

/**
 * A reader of the webhook from `store` that asks SSM once and keeps the
 * answer for the container's life; a failed read is not kept (the next
 * notification asks again). Throws SLACK_WEBHOOK_MISSING (never with the
 * URL) when the parameter is absent, still the placeholder, or empty.
 */
export function webhookFromParameterStore(
  store: Pick<ParameterStore, "get" | "region">,
  parameter: string,
): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= readWebhook(store, parameter).catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}

async function readWebhook(store: Pick<ParameterStore, "get" | "region">, parameter: string): Promise<string> {
  const value = (await store.get(parameter, { decrypt: true }))?.trim();
  if (value !== undefined && value !== "" && value !== WEBHOOK_PLACEHOLDER) return value;
  const state = value === undefined ? "does not exist" : "is not set (it holds the deploy's placeholder)";
  throw new FailoverError(
    "SLACK_WEBHOOK_MISSING",
    `no Slack webhook: SSM parameter ${parameter} in ${store.region} ${state}; nothing was posted`,
    { hint: `Set it: ${setWebhookCommand(parameter, store.region)}` },
  );
}
