import type { ParameterStore } from "../aws/ssm.ts";
import type { Clock } from "../clock.ts";
import { FailoverError } from "../errors.ts";
import { WEBHOOK_PLACEHOLDER } from "../slack/webhook.ts";

/**
 * The Slack command's secrets: the app's signing secret, its bot token (for
 * `views.open`) and the on-call allowlist (Slack user ids), each an SSM
 * SecureString in every control region beside the webhook (stacks/secrets.ts
 * creates them with a placeholder; on-call sets the values). Never in the
 * function's configuration, environment, logs or errors.
 */
export interface SlackSecrets {
  signingSecret: string;
  botToken: string;
  /** Slack user ids allowed to act (and read) through the command. */
  onCall: ReadonlySet<string>;
}

/** The parameter names of a deployment (the same in every control region). */
export function slackParameterNames(configName: string) {
  return {
    signingSecret: `/${configName}/slack-signing-secret`,
    botToken: `/${configName}/slack-bot-token`,
    onCall: `/${configName}/slack-oncall`,
  } as const;
}

/** How long a read is reused: an on-call list change or a rotated secret takes effect within a minute. */
const CACHE_MS = 60_000;

/**
 * A reader of the secrets from `store`, reusing one read for a minute; a
 * failed read is not kept. Throws SLACK_SECRETS_MISSING (naming the
 * parameter, never a value) when one is absent, empty or the placeholder,
 * and SLACK_ONCALL_INVALID when the allowlist holds something that is not a
 * user id (so a typo refuses everyone rather than letting a wrong entry in).
 */
export function slackSecretsFrom(
  store: Pick<ParameterStore, "get" | "region">,
  configName: string,
  clock: Pick<Clock, "now">,
): () => Promise<SlackSecrets> {
  let cached: { at: number; secrets: Promise<SlackSecrets> } | undefined;
  return () => {
    const now = clock.now();
    if (cached === undefined || now - cached.at >= CACHE_MS) {
      const secrets = readSecrets(store, configName);
      cached = { at: now, secrets };
      secrets.catch(() => {
        if (cached?.secrets === secrets) cached = undefined;
      });
    }
    return cached.secrets;
  };
}

async function readSecrets(store: Pick<ParameterStore, "get" | "region">, configName: string): Promise<SlackSecrets> {
  const names = slackParameterNames(configName);
  const [signingSecret, botToken, onCall] = await Promise.all(
    [names.signingSecret, names.botToken, names.onCall].map(async (name) => {
      const value = (await store.get(name, { decrypt: true }))?.trim();
      if (value === undefined || value === "" || value === WEBHOOK_PLACEHOLDER)
        throw new FailoverError(
          "SLACK_SECRETS_MISSING",
          `the Slack command is not set up: SSM parameter ${name} in ${store.region} ${value === undefined ? "does not exist" : "is not set"}`,
          {
            hint: `Set it (README, "Acting from Slack"): aws ssm put-parameter --region ${store.region} --name ${name} --type SecureString --overwrite --value '…'`,
          },
        );
      return value;
    }),
  );
  const ids = (onCall ?? "").split(/[\s,]+/).filter(Boolean);
  const bad = ids.filter((id) => !/^[UW][A-Z0-9]{2,31}$/.test(id)).length;
  if (bad > 0)
    throw new FailoverError(
      "SLACK_ONCALL_INVALID",
      `the on-call allowlist ${names.onCall} in ${store.region} holds ${bad} entr${bad === 1 ? "y" : "ies"} that ${bad === 1 ? "is not a" : "are not"} Slack user id${bad === 1 ? "" : "s"} (U… or W…); every request is refused until it is fixed`,
      {
        hint: "Separate user ids with commas or spaces, e.g. U0123ABCD,U0456EFGH (Slack: profile → ⋮ → Copy member ID).",
      },
    );
  return { signingSecret: signingSecret ?? "", botToken: botToken ?? "", onCall: new Set(ids) };
}
