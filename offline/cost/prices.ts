import * as z from "zod";
import { readJsonFile } from "../../functions/lib/config.ts";
import { parseWith } from "../../functions/lib/validate.ts";

/**
 * The list prices the cost model uses, from prices.json (beside this file):
 * each with its unit, the AWS pricing page it comes from and what it was
 * checked against, and the date they were read.
 */
const priceSchema = z.strictObject({
  /** USD for `per` units. */
  usd: z.number().min(0),
  /** How many units `usd` buys, e.g. 1000000 requests. */
  per: z.number().positive(),
  unit: z.string().min(1),
  what: z.string().min(1),
  page: z.string().min(1),
  url: z.url(),
  checked: z.string().min(1),
});

/** Every price id the model reads; a file missing one is refused. */
export const priceIds = [
  "lambda.requests",
  "lambda.arm64.gbSecond",
  "cloudwatch.metric",
  "cloudwatch.putMetricData",
  "cloudwatch.alarm.standard",
  "cloudwatch.alarm.highResolution",
  "cloudwatch.logs.ingestion",
  "dynamodb.writeRequest",
  "dynamodb.readRequest",
  "sns.publish",
  "dataTransfer.interRegion",
  "dataTransfer.internetOut",
  "route53.hostedZone",
  "route53.standardQueries",
  "route53.recordChanges",
  "route53.healthCheck.aws",
  "route53.healthCheck.nonAws",
  "route53.healthCheckOption.aws",
  "route53.healthCheckOption.nonAws",
  "route53.healthCheck.calculated",
  "ssm.standardParameter",
] as const;
export type PriceId = (typeof priceIds)[number];
export type Price = z.output<typeof priceSchema>;

const priceTableSchema = z.strictObject({
  $comment: z.string().optional(),
  region: z.string(),
  currency: z.literal("USD"),
  /** Date the prices were read, YYYY-MM-DD. */
  readOn: z.iso.date(),
  status: z.string(),
  /** Hours in the billing month the model assumes (AWS uses 730). */
  hoursPerMonth: z.number().positive(),
  prices: z.record(z.string(), priceSchema).superRefine((prices, ctx) => {
    for (const id of priceIds)
      if (!(id in prices))
        ctx.addIssue({
          code: "custom",
          path: [id],
          message: "is required (the cost model reads it)",
          input: undefined,
        });
  }),
});
export type PriceTable = Omit<z.output<typeof priceTableSchema>, "prices"> & { prices: Record<PriceId, Price> };

/** Where the shipped price list lives. */
export const pricesPath = new URL("./prices.json", import.meta.url);

/** Validates a parsed price list. Throws ValidationError naming the bad field. */
export function parsePrices(input: unknown): PriceTable {
  return parseWith(priceTableSchema, input, "price list") as PriceTable;
}

/** Reads and validates the price list (the shipped one by default). */
export function loadPrices(path: string | URL = pricesPath): PriceTable {
  return parsePrices(readJsonFile(path, "price list"));
}
