import { describeError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { FailoverEvent } from "../slack/failover-event.ts";

/** Where an event was published, or why it was not (for the logs and the manual function's `problems`). */
export interface AnnounceOutcome {
  /** The control region whose topic took it; undefined when none did. */
  region: string | undefined;
  problems: string[];
}

/** Publishes one failover event for Slack; never throws (a failed announcement must not fail the change). */
export type Announce = (event: FailoverEvent) => Promise<AnnounceOutcome>;

export interface SnsAnnouncerOptions {
  /** Alert topic ARN by control region (each region's notifier is subscribed to its own). */
  topics: Record<string, string>;
  /** The region this writer runs in: its topic is tried first. */
  ownRegion: string;
  /** Publishes `message` to `topicArn` in `region` (functions/lib/aws/sns.ts). */
  publish: (region: string, topicArn: string, message: string) => Promise<unknown>;
  log: Logger;
}

/**
 * The announcer of the writer that made a change: publishes the event once,
 * to its own control region's alert topic, or, when that fails, to the next
 * control region's. Exactly one writer wins each compare-and-swap and only
 * the winner announces, so each event reaches one notifier: no cross-region
 * check is needed (unlike alarms, which both regions raise). The one way to
 * get two posts is a publish that succeeded but whose answer was lost, then
 * retried; the way to get none is every topic failing (logged as an error).
 */
export function snsAnnouncer(options: SnsAnnouncerOptions): Announce {
  const order = [
    options.ownRegion,
    ...Object.keys(options.topics).filter((region) => region !== options.ownRegion),
  ].filter((region) => options.topics[region] !== undefined);
  return async (event) => {
    const problems: string[] = [];
    const message = JSON.stringify(event);
    for (const region of order) {
      try {
        await options.publish(region, options.topics[region] as string, message);
        options.log.info("failover event published for Slack", { kind: event.kind, region, changeId: event.changeId });
        return { region, problems };
      } catch (error) {
        problems.push(
          `publishing the ${event.kind} event to the alert topic in ${region} failed: ${describeError(error)}`,
        );
      }
    }
    if (order.length === 0)
      problems.push(
        "no alert topic configured (FAILOVER_ALERT_TOPICS, the stack output alertTopics): Slack was not told about this change",
      );
    options.log.error("failover event not published: Slack was not told", { kind: event.kind, problems });
    return { region: undefined, problems };
  };
}

/** For callers that wire no announcer (tests of other parts): logs that Slack was not told, adds no problem. */
export function unannounced(log: Logger): Announce {
  return async (event) => {
    log.warn("no announcer wired: Slack was not told about this change", { kind: event.kind });
    return { region: undefined, problems: [] };
  };
}
