import { snsAnnouncer, type Announce } from "../control/announcer.ts";
import type { Logger } from "../log.ts";
import type { AwsClientOptions } from "../aws/client-config.ts";
import { SnsPublisher } from "../aws/sns.ts";

/**
 * One attempt per topic, given time: a publish whose answer is lost may
 * still have been delivered, and publishing it again (or to the next
 * region) would post it twice; the next region is tried only after this
 * attempt failed or timed out.
 */
export const announceRetry = { maxAttempts: 1, attemptTimeoutMs: 10_000, budgetMs: 10_000 } as const;

/**
 * The announcer the deployed decider and manual failover function use: the
 * alert topics the stacks put in `FAILOVER_ALERT_TOPICS`, one SNS client
 * per region, created when first needed.
 */
export function alertAnnouncer(
  ownRegion: string,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
  aws: AwsClientOptions = {},
): Announce {
  const publishers = new Map<string, SnsPublisher>();
  return snsAnnouncer({
    topics: alertTopicsFromEnv(env),
    ownRegion,
    log,
    publish: (region, topicArn, message) => {
      let publisher = publishers.get(region);
      if (publisher === undefined) {
        publisher = new SnsPublisher({ ...aws, region, retry: announceRetry });
        publishers.set(region, publisher);
      }
      return publisher.publish(topicArn, message);
    },
  });
}

/** Alert topics from `FAILOVER_ALERT_TOPICS` (JSON `{ "<region>": "<topic arn>" }`, set by the stacks); `{}` when unset or unreadable. */
export function alertTopicsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const raw = env.FAILOVER_ALERT_TOPICS;
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  } catch {
    return {};
  }
}
