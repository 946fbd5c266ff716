import * as z from "zod";
import { parseWith } from "../validate.ts";

/**
 * What the probe function accepts: the EventBridge scheduled event SST's
 * Cron sends (its fields are ignored), or `{}` / no payload for a manual
 * run, optionally with `maxRounds` (the drill and on-call use it to run one
 * round). Anything else is refused before a single check runs.
 */
const probeEventSchema = z.lazy(() =>
  z.preprocess(
    (event) => event ?? {},
    z.object({
      source: z.literal("aws.events").optional(),
      "detail-type": z.literal("Scheduled Event").optional(),
      time: z.iso.datetime({ offset: true }).optional(),
      /** Stop after this many rounds. @default as many as fit the budget */
      maxRounds: z.int().min(1).max(100).optional(),
    }),
  ),
);

export interface ProbeEvent {
  maxRounds?: number;
}

/** Validates a probe invocation's event; throws ValidationError naming the field. */
export function parseProbeEvent(event: unknown): ProbeEvent {
  const parsed = parseWith(probeEventSchema, event, "probe event");
  return parsed.maxRounds === undefined ? {} : { maxRounds: parsed.maxRounds };
}
