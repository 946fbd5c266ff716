import { configFromEnv } from "./lib/env-config.ts";
import { FailoverError } from "./lib/errors.ts";
import { log as defaultLog, type Logger } from "./lib/log.ts";
import { parseAlarmMessage } from "./lib/slack/alarm.ts";
import { loadNotifyContext } from "./lib/slack/context.ts";
import { buildSlackMessage, type NotifyContext } from "./lib/slack/message.ts";
import { postToSlack, type PostOptions } from "./lib/slack/post.ts";
import { parseSnsEvent } from "./lib/slack/sns-event.ts";
import { slackWebhookUrl } from "./lib/slack/webhook.ts";

export interface NotifyDeps {
  /** The Slack webhook URL (a secret: registered with the logger so it is masked). */
  webhookUrl: () => Promise<string>;
  /** Weights, lease and last switch; a failure here is logged and the alarm posted without them. @default none */
  loadContext?: () => Promise<NotifyContext | undefined>;
  /** HTTP client and retry policy for Slack. @default postToSlack's defaults */
  post?: Omit<PostOptions, "log">;
  /** @default the process logger */
  log?: Logger;
}

export interface NotifyResult {
  posted: number;
  withContext: boolean;
}

/** The notifier: SNS alarm notifications → Slack messages. A malformed event is refused before anything is posted. */
export function createNotifyHandler(deps: NotifyDeps) {
  const log = deps.log ?? defaultLog;
  return async (event: unknown): Promise<NotifyResult> => {
    const notifications = parseSnsEvent(event);
    const url = await deps.webhookUrl();
    log.addSecret(url);
    const context = await deps.loadContext?.().catch((error: unknown) => void log.warn("notifying without context: Route 53 not readable", { error }));
    const failures: FailoverError[] = [];
    for (const { message: rawText } of notifications) {
      const alarm = parseAlarmMessage(rawText);
      try {
        const result = await postToSlack(url, buildSlackMessage({ alarm, rawText, ...(context ? { context } : {}) }), { ...deps.post, log });
        log.info("posted to Slack", { alarm: alarm?.AlarmName ?? "(not an alarm)", state: alarm?.NewStateValue, attempts: result.attempts });
      } catch (error) {
        failures.push(error instanceof FailoverError ? error : new FailoverError("SLACK_UNAVAILABLE", "the Slack webhook post failed", { cause: error }));
        log.error("Slack post failed", { alarm: alarm?.AlarmName, error });
      }
    }
    const [first] = failures;
    if (first) throw new FailoverError("NOTIFY_FAILED", `${failures.length} of ${notifications.length} notification(s) did not reach Slack: ${first.message}`, { hint: first.hint });
    return { posted: notifications.length, withContext: context !== undefined };
  };
}

let wired: ReturnType<typeof createNotifyHandler> | undefined;

/** Lambda entry: webhook from the linked SST secret (or SLACK_WEBHOOK_URL), context from Route 53 via env FAILOVER_CONFIG. */
export const handler = async (event: unknown): Promise<NotifyResult> => {
  wired ??= createNotifyHandler({ webhookUrl: () => slackWebhookUrl(), loadContext: () => loadNotifyContext(configFromEnv(), { log: defaultLog }) });
  return wired(event);
};
