import { describe, expect, it } from "vitest";
import { leaseRecordName, type OverrideLease } from "../../../functions/lib/lease.ts";
import { readLeaseRecord } from "../../../functions/lib/records/lease-record.ts";
import { casChanges } from "../../../functions/lib/records/change-batch.ts";
import type { RecordSetData } from "../../../functions/lib/records/record-set.ts";
import { decodeTxtDocument, decodeTxtStrings, encodeTxtDocument } from "../../../functions/lib/records/txt.ts";
import { zoneSnapshotOf } from "../../../functions/lib/records/zone-snapshot.ts";
import { parseStateDocument } from "../../../functions/lib/state-document.ts";
import { loadConfig } from "../../../functions/lib/config.ts";
import { groupId, managedGroupsOf, weighted } from "./records-fixtures.ts";

/** A TXT record set as Route 53 lists it. */
const txt = (name: string, value: string): RecordSetData => ({
  Name: name,
  Type: "TXT",
  TTL: 60,
  ResourceRecords: [{ Value: value }],
});

describe("TXT document encoding", () => {
  it("writes rf2: and base64url of the JSON, one quoted string, nothing to escape", () => {
    expect(encodeTxtDocument({ v: 1 })).toBe('"rf2:eyJ2IjoxfQ"');
  });

  it("writes a lease as exactly what the deciders need, in characters that need no escaping", () => {
    const lease: OverrideLease = {
      id: "lease-1a2b3c4d",
      action: "promote",
      target: "failover",
      createdAt: 1_700_000_000,
      expiresAt: 1_700_003_600,
    };

    const encoded = encodeTxtDocument(lease);

    expect(encoded).toBe(
      '"rf2:eyJpZCI6ImxlYXNlLTFhMmIzYzRkIiwiYWN0aW9uIjoicHJvbW90ZSIsInRhcmdldCI6ImZhaWxvdmVyIiwiY3JlYXRlZEF0IjoxNzAwMDAwMDAwLCJleHBpcmVzQXQiOjE3MDAwMDM2MDB9"',
    );
    expect(decodeTxtDocument(encoded)).toEqual(lease);
  });

  it("cuts a long document into 255-character strings of [A-Za-z0-9_:-] only, and reads it back", () => {
    const value = { text: 'said "drain" \\ now, Zoë <!channel>', long: "x".repeat(600) };

    const encoded = encodeTxtDocument(value);
    const strings = encoded.split(" ");

    expect(strings).toHaveLength(4);
    expect(strings.every((s) => /^"[A-Za-z0-9_:-]{1,255}"$/.test(s))).toBe(true);
    expect(decodeTxtDocument(encoded)).toEqual(value);
  });

  it("still reads the older plain-JSON records, escapes and octal included", () => {
    expect(decodeTxtDocument('"{\\"v\\":1,\\"who\\":\\"Zo\\\\u00eb\\"}"')).toEqual({ v: 1, who: "Zoë" });
    expect(decodeTxtStrings('"a\\052b" "c"')).toBe("a*bc");
  });

  it("names a malformed value instead of guessing", () => {
    expect(() => decodeTxtDocument('"{unterminated')).toThrow(/unterminated quoted string/);
    expect(() => decodeTxtDocument('"not json"')).toThrow(
      'TXT value is neither rf2:<base64url> nor an older JSON document (starts with "not json")',
    );
    expect(() => decodeTxtDocument('"rf2:a+b/"')).toThrow("TXT value is not rf2: followed by base64url");
    expect(() => decodeTxtDocument('"rf2:bm90IGpzb24"')).toThrow(/TXT value is not JSON/);
  });

  it("refuses a document too large for one TXT record", () => {
    expect(() => encodeTxtDocument({ big: "y".repeat(5000) })).toThrow(/too large/);
  });
});

describe("records written before the audit trail left DNS", () => {
  const config = loadConfig();
  const leaseName = leaseRecordName("api.example.com");
  const oldLease = txt(
    leaseName,
    '"{\\"id\\":\\"lease-1\\",\\"action\\":\\"promote\\",\\"target\\":\\"failover\\",\\"actor\\":\\"alice\\",\\"reason\\":\\"use1 \\\\\\"5xx\\\\\\"\\",\\"createdAt\\":1000,\\"expiresAt\\":4600}"',
  );

  it("parse: an old lease keeps its id, action, target and times and drops actor and reason", () => {
    const read = readLeaseRecord([oldLease], leaseName);

    expect(read.problem).toBeUndefined();
    expect(read.lease).toEqual({
      id: "lease-1",
      action: "promote",
      target: "failover",
      createdAt: 1000,
      expiresAt: 4600,
    });
  });

  it("parse: an old state document's switch events drop their actor", () => {
    const doc = parseStateDocument({
      v: 1,
      memory: { v: 1, targets: {}, drains: {} },
      switches: [{ at: 1, mode: "manual", from: { a: 1 }, to: { a: 2 }, reason: "r", votes: {}, actor: "alice" }],
    });

    expect(doc.switches).toEqual([{ at: 1, mode: "manual", from: { a: 1 }, to: { a: 2 }, reason: "r", votes: {} }]);
  });

  it("are rewritten in the new format by the next lease write (the old record is the compare-and-swap DELETE)", () => {
    const groups = managedGroupsOf(config, {
      "api.example.com|A": [weighted("primary", 90, "198.51.100.10"), weighted("failover", 10, "203.0.113.20")],
      [groupId(leaseName, "TXT")]: [oldLease],
    });
    const snapshot = zoneSnapshotOf(config, groups, 1);
    const lease = { ...(snapshot.lease as OverrideLease), expiresAt: 9000 };

    const changes = casChanges(config, snapshot, { lease });

    expect(changes).toEqual([
      { Action: "DELETE", ResourceRecordSet: oldLease },
      { Action: "CREATE", ResourceRecordSet: txt(leaseName, encodeTxtDocument(lease)) },
    ]);
    expect(JSON.stringify(changes[1])).not.toContain("alice");
  });
});
