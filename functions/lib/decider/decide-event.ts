import * as z from "zod";
import { ValidationError } from "../errors.ts";
import { parseWith } from "../validate.ts";

/** The EventBridge scheduled event SST's Cron sends; its other fields (id, time, account...) are not read. */
const scheduledEventSchema = z.lazy(() =>
  z.looseObject({
    source: z.literal("aws.events"),
    "detail-type": z.literal("Scheduled Event").optional(),
  }),
);

/**
 * Checks a decider invocation's event. The decider reads nothing from it,
 * so it accepts the scheduled event, `{}` or no payload, and refuses
 * anything else before a round runs: a hand-made `{ "dryRun": true }` must
 * not run for real. Throws ValidationError naming the field.
 */
export function checkDecideEvent(event: unknown): void {
  if (event === undefined || event === null) return;
  const isScheduled = typeof event === "object" && !Array.isArray(event) && "source" in event;
  try {
    parseWith(isScheduled ? scheduledEventSchema : z.strictObject({}), event, "decider event");
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError("decider event", error.issues, {
      cause: error,
      hint: "The decider takes no input: invoke it with {} (a dry run is config.dryRun or env FAILOVER_DRY_RUN=1; one change by hand is `failover promote|drain|pin`).",
    });
  }
}
