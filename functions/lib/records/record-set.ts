import { recordValueFor, type RecordConfig, type TargetConfig } from "../config.ts";
import { normalizeDnsName } from "../dns-name.ts";

/**
 * Record sets as this system reads and writes them, without the SDK: what a
 * record set holds, how the config's targets become record sets, how a
 * current record set differs from the config (drift), and Route 53's listing
 * order. Pure; the adapter (../aws/route53.ts) converts to and from the SDK.
 */

/** One record set as Route 53 holds it (the fields this system reads and writes). */
export interface RecordSetData {
  Name: string;
  Type: string;
  SetIdentifier?: string;
  Weight?: number;
  TTL?: number;
  ResourceRecords?: Array<{ Value: string }>;
  AliasTarget?: { HostedZoneId: string; DNSName: string; EvaluateTargetHealth: boolean };
  HealthCheckId?: string;
}

/** One change of a batch: the adapter sends these as they are. */
export interface RecordChange {
  Action: "CREATE" | "DELETE";
  ResourceRecordSet: RecordSetData;
}

/** A record-set group: one name and type. */
export interface GroupKey {
  name: string;
  type: string;
}

/** The weighted record set of `target` for `record`, as the config describes it, with `weight`. */
export function desiredRecordSet(record: RecordConfig, target: TargetConfig, weight: number): RecordSetData {
  const value = recordValueFor(target, record.name);
  const base = { Name: record.name, Type: record.type, SetIdentifier: target.id, Weight: weight };
  if ("alias" in value) {
    return {
      ...base,
      AliasTarget: {
        HostedZoneId: value.alias.hostedZoneId,
        DNSName: value.alias.dnsName,
        EvaluateTargetHealth: value.alias.evaluateTargetHealth,
      },
    };
  }
  return { ...base, TTL: record.ttl, ResourceRecords: value.values.map((v) => ({ Value: v })) };
}

/** Why a current record set's values, alias or TTL differ from the config; undefined when they agree. */
export function driftOf(set: RecordSetData, record: RecordConfig, target: TargetConfig): string | undefined {
  const value = recordValueFor(target, record.name);
  if ("alias" in value) {
    if (!set.AliasTarget) return "config has an alias, Route 53 has values";
    if (
      normalizeDnsName(set.AliasTarget.DNSName) !== value.alias.dnsName ||
      set.AliasTarget.HostedZoneId !== value.alias.hostedZoneId
    )
      return `alias is ${set.AliasTarget.DNSName}, config says ${value.alias.dnsName}`;
    return undefined;
  }
  if (set.AliasTarget) return "config has values, Route 53 has an alias";
  const actual = (set.ResourceRecords ?? []).map((r) => r.Value).sort();
  const wanted = [...value.values].sort();
  if (actual.join(",") !== wanted.join(",")) return `values are ${actual.join(",")}, config says ${wanted.join(",")}`;
  if (set.TTL !== record.ttl) return `TTL is ${set.TTL}, config says ${record.ttl}`;
  return undefined;
}

/** Map key of a record-set group. */
export function groupId(key: GroupKey): string {
  return `${normalizeDnsName(key.name)}|${key.type}`;
}

/** Route 53's listing order: name with labels reversed (`com.example.api`), then type. */
export function orderKey(key: GroupKey): [string, string] {
  return [normalizeDnsName(key.name).split(".").reverse().join("."), key.type];
}

export function compareKeys(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}
