import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig, type FailoverConfig } from "../../../functions/lib/config.ts";
import { leaseRecordName } from "../../../functions/lib/lease.ts";
import { casChanges } from "../../../functions/lib/records/change-batch.ts";
import { encodeTxtDocument } from "../../../functions/lib/records/txt.ts";
import { stateRecordName } from "../../../functions/lib/state-document.ts";
import type { RecordChange, RecordSetData } from "../../../functions/lib/records/record-set.ts";
import { zoneSnapshotOf } from "../../../functions/lib/records/zone-snapshot.ts";
import type { Weights } from "../../../functions/lib/types.ts";
import { propertyRuns } from "../../support/property-runs.ts";
import { managedGroupsOf } from "./records-fixtures.ts";

/**
 * Route 53's change-batch rules, as the API reference states them: a DELETE
 * must name a record set exactly as it is (every field), a CREATE one that
 * does not exist, and a batch is applied all or nothing. A zone is its
 * record sets by name, type and set identifier.
 */
type Zone = Map<string, RecordSetData>;
const keyOf = (set: RecordSetData) => `${set.Name}|${set.Type}|${set.SetIdentifier ?? ""}`;

function apply(zone: Zone, changes: readonly RecordChange[]): Zone | "rejected" {
  const next = new Map(zone);
  for (const { Action, ResourceRecordSet: set } of changes) {
    const current = next.get(keyOf(set));
    if (Action === "DELETE") {
      if (current === undefined || JSON.stringify(current) !== JSON.stringify(set)) return "rejected";
      next.delete(keyOf(set));
    } else {
      if (current !== undefined) return "rejected";
      next.set(keyOf(set), set);
    }
  }
  return next;
}

/** A config of `records` names and `targets` targets (ids t0…), each name an A record with one value per target. */
function configOf(records: number, targets: number): FailoverConfig {
  const names = Array.from({ length: records }, (_, r) => `r${r}.example.com`);
  return parseConfig({
    hostedZone: { id: "Z1", name: "example.com" },
    records: names.map((name) => ({ name })),
    targets: Array.from({ length: targets }, (_, t) => ({
      id: `t${t}`,
      region: "us-east-1",
      healthUrl: `https://t${t}.example.com/`,
      weight: 1,
      records: Object.fromEntries(names.map((name) => [name, { values: [`192.0.2.${t + 1}`] }])),
    })),
    vantages: ["us-east-1", "eu-west-1"],
    controlRegions: ["us-east-2"],
  });
}

/** The zone as Route 53 holds it: `weights[r][t]` on record r of target t; `ttls[r][t]` drifted TTLs (the config says 60). */
function zoneOf(config: FailoverConfig, weights: number[][], ttls: number[][]): Zone {
  const zone: Zone = new Map();
  config.records.forEach((record, r) => {
    config.targets.forEach((target, t) => {
      const set: RecordSetData = {
        Name: record.name,
        Type: record.type,
        SetIdentifier: target.id,
        Weight: weights[r]?.[t] ?? 0,
        TTL: ttls[r]?.[t] ?? 60,
        ResourceRecords: [{ Value: `192.0.2.${t + 1}` }],
      };
      zone.set(keyOf(set), set);
    });
  });
  return zone;
}

function snapshotOf(config: FailoverConfig, zone: Zone) {
  const sets: Record<string, RecordSetData[]> = {};
  for (const set of zone.values()) {
    const group = `${set.Name}|${set.Type}`;
    sets[group] = [...(sets[group] ?? []), set];
  }
  return zoneSnapshotOf(config, managedGroupsOf(config, sets), 1);
}

const weightOf = (zone: Zone, name: string, target: string) => zone.get(`${name}|A|${target}`)?.Weight;

/** A zone of 1-3 names × 2-4 targets with any weights (some TTLs drifted) and a change of some targets' weights. */
const caseArb = fc
  .record({ records: fc.integer({ min: 1, max: 3 }), targets: fc.integer({ min: 2, max: 4 }) })
  .chain(({ records, targets }) =>
    fc.record({
      config: fc.constant(configOf(records, targets)),
      weights: fc.array(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: targets, maxLength: targets }), {
        minLength: records,
        maxLength: records,
      }),
      ttls: fc.array(fc.array(fc.constantFrom(60, 60, 300), { minLength: targets, maxLength: targets }), {
        minLength: records,
        maxLength: records,
      }),
      change: fc.dictionary(
        fc.constantFrom(...Array.from({ length: targets }, (_, t) => `t${t}`)),
        fc.integer({ min: 0, max: 255 }),
        { minKeys: 1 },
      ),
      rival: fc.record({
        target: fc.nat(targets - 1),
        record: fc.nat(records - 1),
        weight: fc.integer({ min: 0, max: 255 }),
      }),
    }),
  )
  // Every name keeps a weight above 0 after the change (an all-zero change is refused, tested below).
  .filter(({ config, weights, change }) =>
    weights.every((row) => config.targets.some((t, i) => (change[t.id] ?? row[i] ?? 0) > 0)),
  );

/** The weights each name would have after the change. */
function nextWeights(config: FailoverConfig, zone: Zone, change: Weights): Record<string, Weights> {
  return Object.fromEntries(
    config.records.map((record) => [
      record.name,
      Object.fromEntries(config.targets.map((t) => [t.id, change[t.id] ?? weightOf(zone, record.name, t.id) ?? 0])),
    ]),
  );
}

describe("casChanges (compare-and-swap properties)", () => {
  it("deletes every target's exact current record of each name it changes, and creates it with the new weight", () => {
    fc.assert(
      fc.property(caseArb, ({ config, weights, ttls, change }) => {
        const zone = zoneOf(config, weights, ttls);
        const changes = casChanges(config, snapshotOf(config, zone), { weights: change });
        const next = nextWeights(config, zone, change);
        for (const record of config.records) {
          const touched = changes.filter((c) => c.ResourceRecordSet.Name === record.name);
          const differs = config.targets.some((t) => next[record.name]?.[t.id] !== weightOf(zone, record.name, t.id));
          if (!differs) {
            expect(touched).toEqual([]);
            continue;
          }
          expect(touched).toEqual(
            config.targets.flatMap((t) => {
              const current = zone.get(`${record.name}|A|${t.id}`) as RecordSetData;
              return [
                { Action: "DELETE", ResourceRecordSet: current },
                { Action: "CREATE", ResourceRecordSet: { ...current, Weight: next[record.name]?.[t.id] } },
              ];
            }),
          );
        }
      }),
      { numRuns: propertyRuns(200) },
    );
  });

  it("applies whole on the zone it was read from, leaving every value and TTL as it was", () => {
    fc.assert(
      fc.property(caseArb, ({ config, weights, ttls, change }) => {
        const zone = zoneOf(config, weights, ttls);
        const after = apply(zone, casChanges(config, snapshotOf(config, zone), { weights: change }));
        expect(after).not.toBe("rejected");
        if (after === "rejected") return;
        const next = nextWeights(config, zone, change);
        for (const [key, set] of zone) {
          const moved = after.get(key);
          expect(moved).toEqual({ ...set, Weight: next[set.Name]?.[set.SetIdentifier ?? ""] });
        }
        expect(after.size).toBe(zone.size);
      }),
      { numRuns: propertyRuns(200) },
    );
  });

  it("fails whole, changing nothing, when a rival moved a target this writer does not change", () => {
    let raced = 0;
    fc.assert(
      fc.property(caseArb, ({ config, weights, ttls, change, rival }) => {
        const zone = zoneOf(config, weights, ttls);
        // The writer changes every target of `change` but the rival's.
        const target = config.targets[rival.target]?.id ?? "";
        const writes = Object.fromEntries(Object.entries(change).filter(([id]) => id !== target));
        const next = nextWeights(config, zone, writes);
        if (Object.values(next).some((row) => Object.values(row).every((w) => w === 0))) return;
        const changes = casChanges(config, snapshotOf(config, zone), { weights: writes });
        const changed = config.records.filter((r) => changes.some((c) => c.ResourceRecordSet.Name === r.name));
        const record = changed[rival.record % Math.max(1, changed.length)]?.name ?? "";
        const current = zone.get(`${record}|A|${target}`);
        if (current === undefined || current.Weight === rival.weight) return;
        raced++;
        const rivals = apply(zone, [
          { Action: "DELETE", ResourceRecordSet: current },
          { Action: "CREATE", ResourceRecordSet: { ...current, Weight: rival.weight } },
        ]);
        if (rivals === "rejected") throw new Error("the rival's own swap was rejected");
        expect(apply(rivals, changes)).toBe("rejected");
      }),
      { numRuns: propertyRuns(300) },
    );
    expect(raced, "no generated race moved another target on a changed name").toBeGreaterThan(propertyRuns(300) / 2);
  });

  it("refuses a change that leaves any name with every weight 0, naming the name", () => {
    const config = configOf(2, 2);
    const zone = zoneOf(
      config,
      [
        [5, 0],
        [5, 5],
      ],
      [],
    );
    expect(() => casChanges(config, snapshotOf(config, zone), { weights: { t0: 0 } })).toThrow(
      "refusing to set every target of r0.example.com to weight 0 (t0=0, t1=0)",
    );
  });
});

describe("casChanges above Route 53's change limit (large zones)", () => {
  // 20 names × 25 targets: swapping every record would be 1,000 changes, above the 900 the builder allows itself.
  const config = configOf(20, 25);
  const zone = zoneOf(
    config,
    config.records.map(() => config.targets.map(() => 10)),
    [],
  );
  // Built in each test, not here: Stryker activates a mutant per test, after the file has been collected.
  const changesOf = () => casChanges(config, snapshotOf(config, zone), { weights: { t3: 0, t7: 30 } });

  it("swaps only the changed targets' records, each DELETE exact", () => {
    const changes = changesOf();
    expect(changes).toHaveLength(20 * 2 * 2);
    expect(new Set(changes.map((c) => c.ResourceRecordSet.SetIdentifier))).toEqual(new Set(["t3", "t7"]));
    for (const change of changes.filter((c) => c.Action === "DELETE"))
      expect(change.ResourceRecordSet).toEqual(zone.get(keyOf(change.ResourceRecordSet)));
  });

  it("keeps a rival's move of another target, and fails whole on a rival's move of the same target", () => {
    const changes = changesOf();
    const moveRival = (target: string) => {
      const current = zone.get(`r5.example.com|A|${target}`) as RecordSetData;
      const moved = apply(zone, [
        { Action: "DELETE", ResourceRecordSet: current },
        { Action: "CREATE", ResourceRecordSet: { ...current, Weight: 99 } },
      ]);
      if (moved === "rejected") throw new Error("the rival's own swap was rejected");
      return moved;
    };
    const other = apply(moveRival("t4"), changes);
    expect(other).not.toBe("rejected");
    if (other !== "rejected") {
      expect(weightOf(other, "r5.example.com", "t4")).toBe(99);
      expect(weightOf(other, "r5.example.com", "t7")).toBe(30);
    }
    expect(apply(moveRival("t7"), changes)).toBe("rejected");
  });

  it("still swaps every record at the limit itself: 18 names × 25 targets are 900 changes", () => {
    const atLimit = configOf(18, 25);
    const zone = zoneOf(
      atLimit,
      atLimit.records.map(() => atLimit.targets.map(() => 10)),
      [],
    );
    expect(casChanges(atLimit, snapshotOf(atLimit, zone), { weights: { t3: 0 } })).toHaveLength(900);
  });
});

describe("casChanges: weights it refuses", () => {
  const config = configOf(1, 2);
  const zone = zoneOf(config, [[5, 5]], []);

  it.each([
    { weights: { t9: 5 }, message: 'weights name target "t9", which is not in the config' },
    { weights: { t0: 256 }, message: 'weight of target "t0" must be an integer from 0 to 255, got 256' },
    { weights: { t0: -1 }, message: 'weight of target "t0" must be an integer from 0 to 255, got -1' },
    { weights: { t0: 1.5 }, message: 'weight of target "t0" must be an integer from 0 to 255, got 1.5' },
  ] as Array<{ weights: Weights; message: string }>)("refuses $weights, naming the target", ({ weights, message }) => {
    expect(() => casChanges(config, snapshotOf(config, zone), { weights })).toThrow(message);
  });

  it("refuses a change of a name whose current records the snapshot does not hold", () => {
    expect(() => casChanges(config, { ...snapshotOf(config, zone), records: {} }, { weights: { t0: 1 } })).toThrow(
      'no current record r0.example.com A "t0" in the snapshot',
    );
  });

  it("takes 0 and 255", () => {
    expect(casChanges(config, snapshotOf(config, zone), { weights: { t0: 0, t1: 255 } })).toHaveLength(4);
  });
});

describe("casChanges: the state and lease TXT records", () => {
  const config = configOf(1, 2);
  const snapshot = snapshotOf(config, zoneOf(config, [[5, 5]], []));
  const txt = (name: string, values: string[], ttl = 300): RecordSetData => ({
    Name: name,
    Type: "TXT",
    TTL: ttl,
    ResourceRecords: values.map((Value) => ({ Value })),
  });
  const stateName = stateRecordName("r0.example.com");
  const state = { v: 1, note: "state" };

  it("deletes the lease record when the lease ends, and sends nothing when there is none", () => {
    const lease = txt(leaseRecordName("r0.example.com"), ['"lease"']);
    expect(casChanges(config, { ...snapshot, leaseRecord: lease }, { lease: null })).toEqual([
      { Action: "DELETE", ResourceRecordSet: lease },
    ]);
    expect(casChanges(config, { ...snapshot, leaseRecord: undefined }, { lease: null })).toEqual([]);
  });

  it("rewrites the state only when its one value differs, keeping the record's TTL", () => {
    const same = txt(stateName, [encodeTxtDocument(state)]);
    expect(casChanges(config, { ...snapshot, stateRecord: same }, { state })).toEqual([]);
    const twoValues = txt(stateName, [encodeTxtDocument(state), '"x"']);
    const old = txt(stateName, ['"old"']);
    for (const current of [twoValues, old])
      expect(casChanges(config, { ...snapshot, stateRecord: current }, { state })).toEqual([
        { Action: "DELETE", ResourceRecordSet: current },
        { Action: "CREATE", ResourceRecordSet: txt(stateName, [encodeTxtDocument(state)]) },
      ]);
  });

  it("creates a missing state record with a 60 s TTL", () => {
    expect(casChanges(config, { ...snapshot, stateRecord: undefined }, { state })).toEqual([
      { Action: "CREATE", ResourceRecordSet: txt(stateName, [encodeTxtDocument(state)], 60) },
    ]);
  });
});
