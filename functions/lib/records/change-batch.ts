import type { FailoverConfig, RecordConfig } from "../config.ts";
import { leaseRecordName, parseLease, type OverrideLease } from "../lease.ts";
import { formatWeights } from "../policy/weights.ts";
import { stateRecordName } from "../state-document.ts";
import type { Weights } from "../types.ts";
import { desiredRecordSet, groupId, type RecordChange, type RecordSetData } from "./record-set.ts";
import { Route53Error } from "./route53-error.ts";
import { encodeTxtDocument } from "./txt.ts";
import type { ZoneSnapshot } from "./zone-snapshot.ts";

/**
 * Compare-and-swap change batches, pure. Weights move by one change batch
 * per hosted zone in which every changed record is a DELETE of its exact
 * current values plus a CREATE of the new ones. Route 53 validates each
 * DELETE against the current record and applies a batch all or nothing, so
 * a batch built from a stale read fails whole and changes nothing. The
 * override lease and the policy state live in TXT records of the same zone
 * and are written in the same batch.
 */

export interface ZoneChange {
  /** New weights by target id, applied to every managed record name; targets left out keep their weight. */
  weights?: Weights;
  /** New state document (JSON-serialisable). */
  state?: unknown;
  /** New lease; null deletes it. */
  lease?: OverrideLease | null;
}

const TXT_TTL = 60;

/** Changes in one batch beyond which only the changed records are swapped (Route 53 takes at most 1,000). */
const GUARD_ALL_LIMIT = 900;

/** The change list for `change` on top of `from`; [] when nothing differs. Throws ROUTE53_ALL_ZERO / ROUTE53_INVALID_CHANGE. */
export function casChanges(config: FailoverConfig, from: ZoneSnapshot, change: ZoneChange): RecordChange[] {
  const changes: RecordChange[] = [];
  if (change.weights !== undefined) changes.push(...weightChanges(config, from, change.weights));
  const first = (config.records[0] as RecordConfig).name;
  if (change.state !== undefined)
    changes.push(...txtChanges(stateRecordName(first), from.stateRecord, encodeTxtDocument(change.state)));
  if (change.lease === null) {
    if (from.leaseRecord) changes.push({ Action: "DELETE", ResourceRecordSet: from.leaseRecord });
  } else if (change.lease !== undefined) {
    changes.push(...txtChanges(leaseRecordName(first), from.leaseRecord, encodeTxtDocument(parseLease(change.lease))));
  }
  return changes;
}

/** The CREATEs of every managed weighted record with the config's weights (`failover init`), and their descriptions. */
export function initChanges(config: FailoverConfig): { changes: RecordChange[]; created: string[] } {
  const changes: RecordChange[] = [];
  const created: string[] = [];
  for (const record of config.records) {
    for (const target of config.targets) {
      changes.push({ Action: "CREATE", ResourceRecordSet: desiredRecordSet(record, target, target.weight) });
      created.push(`${record.name} ${record.type} ${target.id}`);
    }
  }
  return { changes, created };
}

/** What `failover init` will send: one batch that removes the sets it takes over and creates the weighted records. */
export interface InitPlan {
  /** DELETEs of the taken-over sets first (their exact current values), then the CREATEs. */
  changes: RecordChange[];
  /** The weighted records created, as `name type id`. */
  created: string[];
  /** The sets taken over and deleted in the same batch, as `name type (simple|"id" weight w): values, TTL t`. */
  replaced: string[];
  /** Managed weighted records that exist already (init refuses then), as `name type "id"`. */
  existing: string[];
}

/**
 * `failover init`'s batch on the listed `groups` (group id -> record sets):
 * the weighted records are created and every other set of a managed name
 * and type (a simple record, or weighted sets of ids not in the config) is
 * deleted, exactly as read, in the same batch. Route 53 applies a batch all
 * or nothing, so resolvers see the old answer until the new sets answer:
 * never NXDOMAIN or an empty answer. A set of a config target id that
 * exists already is listed in `existing`; init does not overwrite it.
 */
export function initPlan(config: FailoverConfig, groups: ReadonlyMap<string, RecordSetData[]>): InitPlan {
  const ids = new Set(config.targets.map((target) => target.id));
  const deletes: RecordChange[] = [];
  const replaced: string[] = [];
  const existing: string[] = [];
  for (const record of config.records) {
    for (const set of groups.get(groupId(record)) ?? []) {
      if (set.SetIdentifier !== undefined && ids.has(set.SetIdentifier)) {
        existing.push(`${record.name} ${record.type} "${set.SetIdentifier}"`);
      } else {
        deletes.push({ Action: "DELETE", ResourceRecordSet: set });
        replaced.push(describeSet(set));
      }
    }
  }
  const { changes, created } = initChanges(config);
  return { changes: [...deletes, ...changes], created, replaced, existing };
}

/** `api.example.com A (simple): 192.0.2.10, TTL 300` or `... ("old" weight 5): ...`. */
function describeSet(set: RecordSetData): string {
  const kind = set.SetIdentifier === undefined ? "simple" : `"${set.SetIdentifier}" weight ${set.Weight ?? "-"}`;
  const value = set.AliasTarget
    ? `alias ${set.AliasTarget.DNSName}`
    : `${(set.ResourceRecords ?? []).map((r) => r.Value).join(" ")}, TTL ${set.TTL ?? "-"}`;
  return `${set.Name} ${set.Type} (${kind}): ${value}`;
}

function weightChanges(config: FailoverConfig, from: ZoneSnapshot, weights: Weights): RecordChange[] {
  const targetIds = new Set(config.targets.map((t) => t.id));
  for (const [id, weight] of Object.entries(weights)) {
    if (!targetIds.has(id))
      throw new Route53Error("ROUTE53_INVALID_CHANGE", `weights name target "${id}", which is not in the config`, {
        hint: "Use the target ids of the config.",
      });
    if (!Number.isInteger(weight) || weight < 0 || weight > 255)
      throw new Route53Error(
        "ROUTE53_INVALID_CHANGE",
        `weight of target "${id}" must be an integer from 0 to 255, got ${weight}`,
      );
  }
  const changes: RecordChange[] = [];
  for (const record of config.records) {
    const current = from.weightsByRecord[record.name] ?? {};
    const next: Weights = { ...current, ...weights };
    if (Object.values(next).every((w) => w === 0)) {
      throw new Route53Error(
        "ROUTE53_ALL_ZERO",
        `refusing to set every target of ${record.name} to weight 0 (${formatWeights(next, undefined, { named: true, separator: ", " })})`,
        { hint: "Keep at least one target above 0; to send all traffic to one target, promote it instead." },
      );
    }
    const changed = config.targets.filter((t) => next[t.id] !== current[t.id]);
    if (changed.length === 0) continue;
    // Compare-and-swap the whole weight vector of the name, not only the records that change:
    // a rival that moved another target since our read must make this batch fail too.
    // Unchanged records are deleted and re-created as they are. Beyond Route 53's 1,000-record
    // batch limit only the changed records are swapped.
    const guarded = config.targets.length * config.records.length * 2 <= GUARD_ALL_LIMIT ? config.targets : changed;
    for (const target of guarded) {
      const set = from.records[record.name]?.[target.id];
      if (!set)
        throw new Route53Error(
          "ROUTE53_MISSING_RECORD",
          `no current record ${record.name} ${record.type} "${target.id}" in the snapshot`,
          { hint: "Read the zone again before applying." },
        );
      changes.push(
        { Action: "DELETE", ResourceRecordSet: set },
        { Action: "CREATE", ResourceRecordSet: { ...set, Weight: next[target.id] } },
      );
    }
  }
  return changes;
}

function txtChanges(name: string, current: RecordSetData | undefined, value: string): RecordChange[] {
  if (current && current.ResourceRecords?.length === 1 && current.ResourceRecords[0]?.Value === value) return [];
  const next: RecordSetData = {
    Name: name,
    Type: "TXT",
    TTL: current?.TTL ?? TXT_TTL,
    ResourceRecords: [{ Value: value }],
  };
  return [
    ...(current ? [{ Action: "DELETE" as const, ResourceRecordSet: current }] : []),
    { Action: "CREATE", ResourceRecordSet: next },
  ];
}
