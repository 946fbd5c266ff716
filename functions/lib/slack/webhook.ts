import type { ParameterStore } from "../aws/ssm.ts";
import { systemClock, type Clock } from "../clock.ts";
import { FailoverError } from "../errors.ts";

/**
 * The Slack webhook URL, a secret: an SSM SecureString parameter in each
 * control region (stacks/secrets.ts declares it with a placeholder; on-call
 * sets the value), kept by a warm notifier for a few minutes at most. It is never in
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
  return setSecretCommand(parameter, region, "SLACK_WEBHOOK_URL");
}

/** The command that sets a SecureString `parameter` in `region` from the shell variable `variable` (never a literal). */
export function setSecretCommand(parameter: string, region: string, variable: string): string {
  return `aws ssm put-parameter --region ${region} --name ${parameter} --type SecureString --overwrite --value "$${variable}"`;
}

/** Where a control region's webhook parameter stands: `set` is the only state a notifier can post with. */
export type WebhookState = "missing" | "placeholder" | "not-secure" | "set";

/**
 * The webhook parameter's state in `store`'s region. Existence and type come
 * from its metadata (DescribeParameters); whether it still holds the
 * deploy's placeholder is compared here and only the state leaves this
 * function: the value is never returned, logged or put in an error. (The
 * version cannot tell: a parameter created by hand with the URL is at
 * version 1 like the deploy's placeholder.)
 */
export async function webhookState(
  store: Pick<ParameterStore, "describe" | "get">,
  parameter: string,
): Promise<WebhookState> {
  const meta = await store.describe(parameter);
  if (meta === undefined) return "missing";
  if (meta.type !== "SecureString") return "not-secure";
  const value = (await store.get(parameter, { decrypt: true }))?.trim();
  if (value === undefined) return "missing";
  return value === "" || value === WEBHOOK_PLACEHOLDER ? "placeholder" : "set";
}

/** A state in words, e.g. `does not exist`, for a line naming the parameter and region. */
export function describeWebhookState(state: WebhookState): string {
  switch (state) {
    case "missing":
      return "does not exist";
    case "placeholder":
      return `holds the placeholder "${WEBHOOK_PLACEHOLDER}"`;
    case "not-secure":
      return "is not a SecureString (its URL is readable by anyone allowed to read parameters): set it again as a SecureString";
    case "set":
      return "set";
  }
}

/** Reads the webhook; `fresh` asks SSM again whatever was kept (after Slack answered 404/410: rotated). */
export type WebhookSource = (options?: { fresh?: boolean }) => Promise<string>;

/** How long a notifier keeps the webhook before asking SSM again: a rotation is picked up within this even with no 404. */
export const WEBHOOK_MAX_AGE_MS = 5 * 60_000;

/**
 * A reader of the webhook from `store` that keeps the answer for
 * `maxAgeMs`, then asks SSM again; `fresh` asks at once (the notifier does
 * when Slack answers 404/410: the webhook was revoked, on-call may have set
 * a new one). A failed read is not kept: the next call asks again, and
 * after the age ran out the value kept is used meanwhile (a rotation waits,
 * the post does not). Throws SLACK_WEBHOOK_MISSING (never with the URL)
 * when the parameter is absent, still the placeholder, or empty.
 */
export function webhookFromParameterStore(
  store: Pick<ParameterStore, "get" | "region">,
  parameter: string,
  options: {
    /** @default {@link WEBHOOK_MAX_AGE_MS} */
    maxAgeMs?: number;
    /** @default the system clock */
    clock?: Pick<Clock, "now">;
  } = {},
): WebhookSource {
  const maxAgeMs = options.maxAgeMs ?? WEBHOOK_MAX_AGE_MS;
  const clock = options.clock ?? systemClock;
  let kept: { url: string; readAt: number } | undefined;
  let reading: Promise<string> | undefined;
  return async ({ fresh = false } = {}) => {
    if (kept !== undefined && !fresh && clock.now() - kept.readAt < maxAgeMs) return kept.url;
    const stale = fresh ? undefined : kept?.url;
    reading ??= readWebhook(store, parameter).then(
      (url) => {
        kept = { url, readAt: clock.now() };
        reading = undefined;
        return url;
      },
      (error: unknown) => {
        reading = undefined;
        throw error;
      },
    );
    return stale === undefined ? reading : reading.catch(() => stale);
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
