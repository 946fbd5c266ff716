import type { AlarmStateValue } from "../aws/cloudwatch.ts";
import { describeError, FailoverError } from "../errors.ts";
import { log as defaultLog, type Logger } from "../log.ts";
import { parseAlarmMessage, type CloudWatchAlarmMessage } from "./alarm.ts";
import { regionsToAsk, shouldAnnounce, type Announcement, type FirstRegionAnswer } from "./announce.ts";
import { parseFailoverEvent } from "./failover-event.ts";
import { buildSlackMessage, type NotifyContext } from "./message.ts";
import { postToSlack, type PostOptions } from "./post.ts";
import { parseSnsEvent } from "./sns-event.ts";
import type { WebhookSource } from "./webhook.ts";
import { slackTestId, type SlackTestDelivery } from "./slack-test.ts";

export interface NotifyDeps {
  /** The Slack webhook URL (a secret: registered with the logger so it is masked); throws when it is not set. `fresh` asks its store again (Slack said the one kept is gone). */
  webhookUrl: WebhookSource;
  /** Weights, lease and last switch; a failure here is logged and the alarm posted without them. @default none */
  loadContext?: () => Promise<NotifyContext | undefined>;
  /** HTTP client and retry policy for Slack. @default postToSlack's defaults */
  post?: Omit<PostOptions, "log">;
  /** @default the process logger */
  log?: Logger;
  /**
   * Post only what another control region will not announce (./announce.ts):
   * this notifier's region, the control regions, and a bounded lookup of an
   * alarm's state in a region and since when (undefined: no such alarm;
   * throws: no answer).
   * @default none: every notification is posted
   */
  announce?: {
    controlRegions: readonly string[];
    ownRegion: string;
    alarmStatus: (
      region: string,
      alarmName: string,
    ) => Promise<{ state: AlarmStateValue; sinceMs?: number | undefined } | undefined>;
  };
  /**
   * Records the delivery of a `failover slack-test` message (./slack-test.ts) for the CLI to read back.
   * @default none: test messages are posted, not recorded
   */
  recordTest?: (delivery: Omit<SlackTestDelivery, "region">) => Promise<void>;
}

/** The part of Lambda's context the notifier uses. */
export interface LambdaContext {
  getRemainingTimeInMillis?: () => number;
}

export interface NotifyResult {
  posted: number;
  /** Notifications left to the first control region's notifier. */
  skipped: number;
  withContext: boolean;
}

/** The notifier: SNS alarm notifications → Slack messages. A malformed event is refused before anything is posted. */
export function createNotifyHandler(deps: NotifyDeps) {
  const log = deps.log ?? defaultLog;
  const posted = recentKeys(200);
  return async (event: unknown, lambda?: LambdaContext): Promise<NotifyResult> => {
    const remaining = lambda?.getRemainingTimeInMillis;
    const budget = remaining === undefined ? {} : { remainingMs: () => remaining.call(lambda) };
    const notifications = parseSnsEvent(event);
    const toPost: Array<{ alarm: CloudWatchAlarmMessage | undefined; rawText: string; note?: string }> = [];
    for (const { message: rawText } of notifications) {
      const key = eventKey(rawText);
      if (key !== undefined && posted.has(key)) {
        log.info("failover event already posted by this notifier: not posted again", { event: key });
        continue;
      }
      const alarm = parseAlarmMessage(rawText);
      const decision = await announcement(deps.announce, alarm, log);
      if (decision.announce) toPost.push({ alarm, rawText, ...(decision.note ? { note: decision.note } : {}) });
      else log.info(decision.reason, { alarm: alarm?.AlarmName, state: alarm?.NewStateValue });
    }
    const skipped = notifications.length - toPost.length;
    if (toPost.length === 0) return { posted: 0, skipped, withContext: false };
    let url: string;
    try {
      url = await deps.webhookUrl();
    } catch (error) {
      // SNS redelivers; the error names the parameter and how to set it, never the URL.
      log.error(`Slack webhook unavailable: ${toPost.length} notification(s) not posted`, { error });
      throw error;
    }
    log.addSecret(url);
    const context = await deps
      .loadContext?.()
      .catch((error: unknown) => void log.warn("notifying without context: Route 53 not readable", { error }));
    const failures: FailoverError[] = [];
    for (const { alarm, rawText, note } of toPost) {
      try {
        const message = buildSlackMessage({
          alarm,
          rawText,
          ...(context ? { context } : {}),
          ...(note ? { note } : {}),
        });
        const post = (to: string) => postToSlack(to, message, { ...deps.post, ...budget, log });
        const result = await post(url).catch(async (error: unknown) => {
          const rotated = await webhookAfter(error, url, deps.webhookUrl, log);
          url = rotated;
          return post(rotated);
        });
        const key = eventKey(rawText);
        if (key !== undefined) posted.remember(key);
        await recordTest(deps, rawText, result, log);
        log.info("posted to Slack", {
          ...(key !== undefined ? { event: key } : {}),
          alarm: alarm?.AlarmName ?? "(not an alarm)",
          state: alarm?.NewStateValue,
          attempts: result.attempts,
        });
      } catch (error) {
        failures.push(
          error instanceof FailoverError
            ? error
            : new FailoverError("SLACK_UNAVAILABLE", "the Slack webhook post failed", { cause: error }),
        );
        // The last word of this invocation: Lambda's timeout must never cut it off (postToSlack keeps time for it).
        log.error("Slack post failed; SNS redelivers the notification", { alarm: alarm?.AlarmName, error });
      }
    }
    const [first] = failures;
    if (first)
      throw new FailoverError(
        "NOTIFY_FAILED",
        `${failures.length} of ${toPost.length} notification(s) did not reach Slack: ${first.message}`,
        { hint: first.hint, cause: first },
      );
    return { posted: toPost.length, skipped, withContext: context !== undefined };
  };
}

/** After posting a test message: its delivery recorded (a failed record is logged; the post stands). */
async function recordTest(
  deps: NotifyDeps,
  rawText: string,
  result: { status: number; attempts: number },
  log: Logger,
): Promise<void> {
  const id = slackTestId(rawText);
  if (id === undefined || deps.recordTest === undefined) return;
  await deps
    .recordTest({ id, status: result.status, attempts: result.attempts, at: Date.now() })
    .catch((error: unknown) => log.warn("Slack test message posted, but its delivery record failed", { id, error }));
}

/**
 * After a post Slack answered 404/410 (the webhook was revoked): the
 * webhook read again from its store, when on-call has set a new one. Any
 * other failure, or the same webhook still in the store, is thrown as it was.
 */
async function webhookAfter(error: unknown, url: string, source: WebhookSource, log: Logger): Promise<string> {
  if (!(error instanceof FailoverError) || error.code !== "SLACK_WEBHOOK_GONE") throw error;
  const next = await source({ fresh: true }).catch((readError: unknown) => {
    log.warn("the Slack webhook is gone and its parameter could not be read again", { error: readError });
    return url;
  });
  if (next === url) throw error;
  log.addSecret(next);
  log.warn("the Slack webhook was gone; the webhook parameter holds a new one: posting there");
  return next;
}

/**
 * A failover event's identity (kind and Route 53 change, else time): SNS
 * may deliver one publish twice, and a publish whose answer was lost may be
 * sent again; a warm notifier that posted it already stays quiet.
 */
function eventKey(rawText: string): string | undefined {
  const event = parseFailoverEvent(rawText);
  return event === undefined ? undefined : `${event.kind}:${event.changeId ?? event.at}`;
}

/** The last `size` keys seen, oldest forgotten first. */
function recentKeys(size: number): { has(key: string): boolean; remember(key: string): void } {
  const keys = new Set<string>();
  return {
    has: (key) => keys.has(key),
    remember: (key) => {
      keys.add(key);
      for (const old of keys) {
        if (keys.size <= size) break;
        keys.delete(old);
      }
    },
  };
}

/** Asks the control regions about `alarm` when this notifier must (a failed lookup is an answer too: no answer), then decides. */
async function announcement(
  announce: NotifyDeps["announce"],
  alarm: CloudWatchAlarmMessage | undefined,
  log: Logger,
): Promise<Announcement> {
  if (announce === undefined) return { announce: true };
  const subject = alarm && { name: alarm.AlarmName, state: alarm.NewStateValue };
  const asked = regionsToAsk(announce.controlRegions, announce.ownRegion, subject);
  const answers = await Promise.all(
    asked.map((region) =>
      announce.alarmStatus(region, subject?.name ?? "").then(
        (status): FirstRegionAnswer => (status === undefined ? { kind: "missing" } : { kind: "state", ...status }),
        (error: unknown): FirstRegionAnswer => {
          const posting = region === announce.controlRegions[0] ? `: posting from ${announce.ownRegion}` : "";
          log.warn(`no answer from ${region} about the alarm${posting}`, { alarm: subject?.name, error });
          return { kind: "unreachable", problem: describeError(error) };
        },
      ),
    ),
  );
  const byRegion = Object.fromEntries(asked.map((region, index) => [region, answers[index] as FirstRegionAnswer]));
  const [first] = announce.controlRegions;
  return shouldAnnounce({
    controlRegions: announce.controlRegions,
    ownRegion: announce.ownRegion,
    alarm: subject,
    firstRegion: first === announce.ownRegion ? undefined : byRegion[first ?? ""],
    own: byRegion[announce.ownRegion],
    others: byRegion,
  });
}
