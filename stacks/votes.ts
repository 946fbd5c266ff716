import { voteTableName } from "../functions/lib/vote-items.ts";
import type { Settings } from "./settings.ts";
import { logicalName, providerFor } from "./regions.ts";

/**
 * The votes table in each control region (functions/lib/aws/vote-table.ts):
 * on-demand (a few writes and reads a second cost cents a month, with no
 * capacity to plan), items expire through TTL on `expiresAt`, the same name
 * in every region so the functions find it from the config alone. Probes
 * may write only their own vantage's items, deciders and the manual
 * function only query their own region's (stacks/iam.ts).
 */
export function createVoteTables(settings: Settings): Map<string, aws.dynamodb.Table> {
  const { config } = settings;
  return new Map(
    config.controlRegions.map((region) => [
      region,
      new aws.dynamodb.Table(
        logicalName("Votes", region),
        {
          name: voteTableName(config),
          billingMode: "PAY_PER_REQUEST",
          hashKey: "vantage",
          rangeKey: "at",
          attributes: [
            { name: "vantage", type: "S" },
            { name: "at", type: "N" },
          ],
          ttl: { attributeName: "expiresAt", enabled: true },
        },
        { provider: providerFor(region) },
      ),
    ]),
  );
}
