/**
 * `failover slack-test`: a test message sent through the deployed alert
 * path (SNS topic → notifier → Slack webhook). The notifier posts it like
 * any other notification and then records the delivery (the webhook's
 * HTTP status, never its URL) in a String parameter of its region, which
 * the CLI reads back to report the last hops. Pure text and parsing.
 */

/** First words of every test message; the notifier recognises one by them. */
const PREFIX = "regional-failover Slack test";

/** What the notifier records after posting a test message. */
export interface SlackTestDelivery {
  /** The test's id (from the message). */
  id: string;
  /** Control region of the notifier that posted it. */
  region: string;
  /** HTTP status the webhook answered. */
  status: number;
  /** Posts it took (retries included). */
  attempts: number;
  /** When it was posted, epoch ms. */
  at: number;
}

/** Name of the delivery record of a deployment (the same in every control region). */
export function slackTestParameterName(configName: string): string {
  return `/${configName}/slack-test`;
}

/** The SNS message of test `id` (8-64 letters, digits, dashes), sent by `actor` to `region`'s topic. */
export function slackTestMessage(id: string, region: string, actor: string): string {
  return `${PREFIX} ${id}: sent by ${actor} with \`failover slack-test\` through the ${region} alert topic. Alerts reach this channel.`;
}

/** The test id of a test message; undefined for anything else. */
export function slackTestId(rawText: string): string | undefined {
  const match = new RegExp(`^${PREFIX} ([A-Za-z0-9-]{8,64}):`).exec(rawText);
  return match?.[1];
}

/** A delivery record as read back; undefined when it is not one (absent, or written by something else). */
export function parseSlackTestDelivery(value: string | undefined): SlackTestDelivery | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<SlackTestDelivery> | null;
    if (
      typeof parsed?.id === "string" &&
      typeof parsed.region === "string" &&
      typeof parsed.status === "number" &&
      typeof parsed.attempts === "number" &&
      typeof parsed.at === "number"
    )
      return parsed as SlackTestDelivery;
  } catch {
    // Not JSON: not a delivery record.
  }
  return undefined;
}
