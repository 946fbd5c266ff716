import * as z from "zod";
import { parseWith } from "../validate.ts";

/**
 * Work the command function does after it has answered Slack (a read, or a
 * confirmed change), handed to itself by an asynchronous invocation: Slack
 * waits 3 s for an answer, a cold start plus Route 53 and CloudWatch can
 * take longer, and a function URL answers only when the handler returns.
 * Such an event cannot come through the function URL (that wraps every
 * request as an HTTP event), only from a principal allowed to invoke the
 * function: its own role.
 */
const jobSchema = z.strictObject({
  slackJob: z.literal(1),
  /** The manual function's event: a read (`status`, `plan`) or the confirmed change. */
  event: z.record(z.string(), z.unknown()),
  /** Who asked, as Slack says (user and channel names and ids): the audit entry's `caller`. */
  caller: z.string().max(512),
  /** Where the result goes back to the person who asked (Slack's `response_url`). */
  responseUrl: z.url({ protocol: /^https?$/ }),
});

export type SlackJob = z.output<typeof jobSchema>;

/** True for an event shaped as a job (a function URL request never is). */
export function isSlackJob(event: unknown): boolean {
  return typeof event === "object" && event !== null && "slackJob" in event;
}

/** Validates a job event; throws a ValidationError naming the field. */
export function parseSlackJob(event: unknown): SlackJob {
  return parseWith(jobSchema, event, "Slack command job");
}
