import * as z from "zod";
import { parseWith } from "../validate.ts";

/** The SNS → Lambda event: one record per notification (SNS sends one; a few are accepted). */
const snsEventSchema = z.lazy(() =>
  z.object({
    Records: z
      .array(
        z.object({
          EventSource: z.literal("aws:sns"),
          Sns: z.object({
            Message: z.string(),
            Subject: z.string().nullish(),
            Timestamp: z.string().optional(),
          }),
        }),
      )
      .min(1)
      .max(10),
  }),
);

export interface SnsNotification {
  message: string;
  subject?: string;
}

/** Validates an SNS event; throws ValidationError naming the field (`Records[0].Sns.Message: …`). */
export function parseSnsEvent(event: unknown): SnsNotification[] {
  return parseWith(snsEventSchema, event, "SNS event").Records.map(({ Sns }) =>
    Sns.Subject ? { message: Sns.Message, subject: Sns.Subject } : { message: Sns.Message },
  );
}
