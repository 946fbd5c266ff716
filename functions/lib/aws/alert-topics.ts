import { alertTopicsFromEnv, snsAnnouncer, type Announce } from "../control/announcer.ts";
import type { Logger } from "../log.ts";
import type { AwsClientOptions } from "./client-config.ts";
import { SnsPublisher } from "./sns.ts";

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
        publisher = new SnsPublisher({ ...aws, region });
        publishers.set(region, publisher);
      }
      return publisher.publish(topicArn, message);
    },
  });
}
