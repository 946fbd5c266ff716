import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/lib/config.ts";
import { leaseRecordName } from "../../../functions/lib/lease.ts";
import { casChanges, initChanges, initPlan } from "../../../functions/lib/records/change-batch.ts";
import { groupId, managedGroupsOf, weighted } from "./records-fixtures.ts";
import { encodeTxtDocument } from "../../../functions/lib/records/txt.ts";
import { zoneSnapshotOf } from "../../../functions/lib/records/zone-snapshot.ts";

const config = loadConfig();
const primary = weighted("primary", 90, "198.51.100.10");
const failover = weighted("failover", 10, "203.0.113.20");

describe("zoneSnapshotOf", () => {
  it("reads weights, reports drift and ignores a malformed lease with the reason", () => {
    // Prepare
    const groups = managedGroupsOf(config, {
      "api.example.com|A": [primary, { ...failover, TTL: 300 }],
      [groupId(leaseRecordName("api.example.com"), "TXT")]: [
        { Name: leaseRecordName("api.example.com"), Type: "TXT", TTL: 60, ResourceRecords: [{ Value: '"{}"' }] },
      ],
    });
    // Act
    const snapshot = zoneSnapshotOf(config, groups, 1);
    // Assess
    expect(snapshot.weights).toEqual({ primary: 90, failover: 10 });
    expect(snapshot.drift).toEqual(['api.example.com A "failover": TTL is 300, config says 60']);
    expect(snapshot.lease).toBeUndefined();
    expect(snapshot.leaseProblem).toMatch(
      /^lease record _lease\._failover\.api\.example\.com ignored: invalid override lease/,
    );
    expect(snapshot.state).toBeUndefined();
  });

  it("refuses a zone missing a target's record, naming it", () => {
    // Act, Assess
    expect(() => zoneSnapshotOf(config, managedGroupsOf(config, { "api.example.com|A": [primary] }), 1)).toThrow(
      'hosted zone Z0EXAMPLE0ZONE0ID has no weighted record for api.example.com A "failover"',
    );
  });
});

describe("casChanges", () => {
  const snapshot = zoneSnapshotOf(config, managedGroupsOf(config, { "api.example.com|A": [primary, failover] }), 1);

  it("swaps the whole weight vector: DELETE of each exact current record, CREATE with the new weight", () => {
    // Act
    const changes = casChanges(config, snapshot, { weights: { primary: 0, failover: 100 } });
    // Assess
    expect(changes).toEqual([
      { Action: "DELETE", ResourceRecordSet: primary },
      { Action: "CREATE", ResourceRecordSet: { ...primary, Weight: 0 } },
      { Action: "DELETE", ResourceRecordSet: failover },
      { Action: "CREATE", ResourceRecordSet: { ...failover, Weight: 100 } },
    ]);
  });

  it("writes a new state record in the same batch, and nothing when nothing differs", () => {
    // Act
    const withState = casChanges(config, snapshot, { weights: { primary: 90 }, state: { v: 1 } });
    const unchanged = casChanges(config, snapshot, { weights: { primary: 90, failover: 10 } });
    // Assess
    expect(withState).toEqual([
      {
        Action: "CREATE",
        ResourceRecordSet: {
          Name: "_state._failover.api.example.com",
          Type: "TXT",
          TTL: 60,
          ResourceRecords: [{ Value: encodeTxtDocument({ v: 1 }) }],
        },
      },
    ]);
    expect(unchanged).toEqual([]);
  });

  it("refuses to set every target to weight 0", () => {
    // Act, Assess
    expect(() => casChanges(config, snapshot, { weights: { primary: 0, failover: 0 } })).toThrow(
      "refusing to set every target of api.example.com to weight 0 (primary=0, failover=0)",
    );
  });
});

describe("initChanges", () => {
  it("creates one weighted record per target with the config's values and weights", () => {
    // Act
    const { changes, created } = initChanges(config);
    // Assess
    expect(changes).toEqual([
      { Action: "CREATE", ResourceRecordSet: primary },
      { Action: "CREATE", ResourceRecordSet: failover },
    ]);
    expect(created).toEqual(["api.example.com A primary", "api.example.com A failover"]);
  });
});

describe("initPlan", () => {
  it("takes over a simple record and foreign weighted sets in the same batch, deletes first, as read", () => {
    // Prepare
    const simple = { Name: "api.example.com", Type: "A", TTL: 300, ResourceRecords: [{ Value: "192.0.2.10" }] };
    const foreign = weighted("old-lb", 5, "192.0.2.11");
    // Act
    const plan = initPlan(config, managedGroupsOf(config, { "api.example.com|A": [simple, foreign] }));
    // Assess
    expect(plan.changes).toEqual([
      { Action: "DELETE", ResourceRecordSet: simple },
      { Action: "DELETE", ResourceRecordSet: foreign },
      { Action: "CREATE", ResourceRecordSet: primary },
      { Action: "CREATE", ResourceRecordSet: failover },
    ]);
    expect(plan.replaced).toEqual([
      "api.example.com A (simple): 192.0.2.10, TTL 300",
      'api.example.com A ("old-lb" weight 5): 192.0.2.11, TTL 60',
    ]);
    expect(plan.existing).toEqual([]);
  });

  it("lists a config target's weighted record that exists, which init does not overwrite", () => {
    // Act
    const plan = initPlan(config, managedGroupsOf(config, { "api.example.com|A": [primary] }));
    // Assess
    expect(plan.existing).toEqual(['api.example.com A "primary"']);
  });
});
