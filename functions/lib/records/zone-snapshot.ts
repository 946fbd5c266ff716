import type { FailoverConfig, RecordConfig } from "../config.ts";
import { leaseRecordName, type OverrideLease } from "../lease.ts";
import { readLeaseRecord } from "./lease-record.ts";
import { stateRecordName } from "../state-document.ts";
import type { Weights } from "../types.ts";
import { driftOf, groupId, type GroupKey, type RecordSetData } from "./record-set.ts";
import { Route53Error } from "./route53-error.ts";
import { readJsonTxtRecord } from "./txt.ts";

/**
 * What the hosted zone holds for one config, assembled from the record sets
 * the adapter listed: the weights, the lease, the state and drift. Pure.
 */

export interface ZoneSnapshot {
  /** Weights of `config.records[0]`, by target id. */
  weights: Weights;
  /** Record name -> target id -> weight. */
  weightsByRecord: Record<string, Weights>;
  /** The override lease; undefined when absent or malformed. */
  lease: OverrideLease | undefined;
  /** Why a lease record was ignored (malformed); undefined when none was. */
  leaseProblem: string | undefined;
  /** Parsed JSON of the state TXT record, or undefined (absent or not JSON). */
  state: unknown;
  /** Why the state record was ignored (not JSON); undefined when fine or absent. */
  stateProblem: string | undefined;
  /** Records whose values, alias or TTL differ from the config (informational: switching keeps current values). */
  drift: string[];
  /** Exact current record sets, record name -> target id (what the CAS DELETEs carry). */
  readonly records: Record<string, Record<string, RecordSetData>>;
  /** Exact current lease TXT record, if any. */
  readonly leaseRecord: RecordSetData | undefined;
  /** Exact current state TXT record, if any. */
  readonly stateRecord: RecordSetData | undefined;
  /** Route 53 calls (HTTP attempts) this read took. */
  readonly calls: number;
}

/** Every record-set group a config manages: its weighted records, then the lease and state TXT records. */
export function managedGroups(config: FailoverConfig): GroupKey[] {
  const first = (config.records[0] as RecordConfig).name;
  return [
    ...config.records.map((r) => ({ name: r.name, type: r.type })),
    { name: leaseRecordName(first), type: "TXT" },
    { name: stateRecordName(first), type: "TXT" },
  ];
}

/**
 * The snapshot of the listed `groups` (group id -> record sets, from
 * {@link managedGroups}); throws ROUTE53_MISSING_RECORD /
 * ROUTE53_UNEXPECTED_RECORD when records and targets disagree.
 */
export function zoneSnapshotOf(
  config: FailoverConfig,
  groups: ReadonlyMap<string, RecordSetData[]>,
  calls: number,
): ZoneSnapshot {
  const records: Record<string, Record<string, RecordSetData>> = {};
  const weightsByRecord: Record<string, Weights> = {};
  const missing: string[] = [];
  const unexpected: string[] = [];
  const drift: string[] = [];
  for (const record of config.records) {
    const found = groups.get(groupId(record)) ?? [];
    const byTarget: Record<string, RecordSetData> = {};
    for (const set of found) {
      const target = config.targets.find((t) => t.id === set.SetIdentifier);
      if (set.SetIdentifier === undefined || set.Weight === undefined) {
        unexpected.push(
          `${record.name} ${record.type}${set.SetIdentifier ? ` "${set.SetIdentifier}"` : ""} is not a weighted record (no ${set.SetIdentifier === undefined ? "SetIdentifier" : "Weight"})`,
        );
      } else if (!target) {
        unexpected.push(`${record.name} ${record.type} "${set.SetIdentifier}" belongs to no target in the config`);
      } else {
        byTarget[target.id] = set;
        const why = driftOf(set, record, target);
        if (why) drift.push(`${record.name} ${record.type} "${target.id}": ${why}`);
      }
    }
    for (const target of config.targets) {
      if (!byTarget[target.id]) missing.push(`${record.name} ${record.type} "${target.id}"`);
    }
    records[record.name] = byTarget;
    weightsByRecord[record.name] = Object.fromEntries(
      Object.entries(byTarget).map(([id, set]) => [id, set.Weight ?? 0]),
    );
  }
  if (missing.length > 0) {
    throw new Route53Error(
      "ROUTE53_MISSING_RECORD",
      `hosted zone ${config.hostedZone.id} has no weighted record for ${missing.join(", ")}${unexpected.length ? `; also ${unexpected.join("; ")}` : ""}`,
      {
        hint: "Create the records once with `failover init --direct`, or fix the record names, types and target ids in the config.",
      },
    );
  }
  if (unexpected.length > 0) {
    throw new Route53Error(
      "ROUTE53_UNEXPECTED_RECORD",
      `hosted zone ${config.hostedZone.id}: ${unexpected.join("; ")}`,
      {
        hint: "Add the target to the config or delete the record; the switcher does not guess who owns a record.",
      },
    );
  }
  const first = (config.records[0] as RecordConfig).name;
  const leaseName = leaseRecordName(first);
  const stateName = stateRecordName(first);
  const lease = readLeaseRecord(groups.get(groupId({ name: leaseName, type: "TXT" })) ?? [], leaseName);
  const state = readJsonTxtRecord(groups.get(groupId({ name: stateName, type: "TXT" })) ?? [], "state", stateName);
  return {
    weights: weightsByRecord[first] ?? {},
    weightsByRecord,
    lease: lease.lease,
    leaseProblem: lease.problem,
    state: state.value,
    stateProblem: state.problem,
    drift,
    records,
    leaseRecord: lease.record,
    stateRecord: state.record,
    calls,
  };
}

/** The managed weighted records that already exist (what `failover init` refuses to overwrite), as `name type "id"`. */
export function existingWeightedRecords(
  config: FailoverConfig,
  groups: ReadonlyMap<string, RecordSetData[]>,
): string[] {
  return config.records.flatMap((record) =>
    (groups.get(groupId(record)) ?? []).map(
      (set) => `${record.name} ${record.type} "${set.SetIdentifier ?? "(no SetIdentifier)"}"`,
    ),
  );
}
