import type { FailoverConfig } from "../../../functions/lib/config.ts";
import { groupId as recordGroupId, type RecordSetData } from "../../../functions/lib/records/record-set.ts";
import { managedGroups } from "../../../functions/lib/records/zone-snapshot.ts";

/** The map key of a record-set group. */
export function groupId(name: string, type: string): string {
  return recordGroupId({ name, type });
}

/** Every managed group of `config`, empty unless `sets` lists record sets for it (by group id). */
export function managedGroupsOf(
  config: FailoverConfig,
  sets: Record<string, RecordSetData[]>,
): Map<string, RecordSetData[]> {
  return new Map(managedGroups(config).map((key) => [recordGroupId(key), sets[recordGroupId(key)] ?? []]));
}

/** A weighted A record of api.example.com as Route 53 lists it. */
export function weighted(id: string, weight: number, value: string): RecordSetData {
  return {
    Name: "api.example.com",
    Type: "A",
    SetIdentifier: id,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: value }],
  };
}
