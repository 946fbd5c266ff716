import { describe, expect, it } from "vitest";
import type { ZoneSnapshot } from "../../../functions/lib/records/zone-snapshot.ts";
import { encodeTxtDocument } from "../../../functions/lib/records/txt.ts";
import { describeShift, zoneChangeFor } from "../../../functions/lib/control/zone-change.ts";
import type { Decision } from "../../../functions/lib/policy/decide.ts";
import type { StateDocument, SwitchEvent } from "../../../functions/lib/state-document.ts";

describe("zone changes", () => {
  const snapshot = { weights: { primary: 90, failover: 10 } } as unknown as ZoneSnapshot;
  const decision = (changed: boolean, reason = "primary down"): Decision => ({
    weights: changed ? { primary: 0, failover: 100 } : { primary: 90, failover: 10 },
    changed,
    memory: { v: 1, targets: {}, drains: {} },
    memoryChanged: false,
    kind: changed ? "drain" : "steady",
    reason,
    verdicts: {
      primary: {
        health: "down",
        upVotes: ["eu-west-1"],
        downVotes: ["us-east-1", "us-west-2"],
        silent: [],
        setAside: [],
        unanimous: false,
        suspects: [],
        at: 0,
        downRounds: 2,
        upSeconds: 0,
      },
    },
    changes: [],
    allDown: false,
    flapHeld: [],
    leaseActive: false,
    suspects: [],
    attention: true,
  });

  it("writes nothing when neither weights nor memory change", () => {
    const doc: StateDocument = { v: 1, memory: { v: 1, targets: {}, drains: {} }, switches: [] };

    expect(zoneChangeFor(decision(false), snapshot, { now: 100, doc, mode: "automatic" })).toBeUndefined();
  });

  it("records a switch event with the votes beside the new weights", () => {
    const change = zoneChangeFor(decision(true), snapshot, { now: 100, doc: undefined, mode: "automatic" });

    expect(change?.weights).toEqual({ primary: 0, failover: 100 });
    expect((change!.state as StateDocument).switches).toEqual([
      {
        at: 100,
        mode: "automatic",
        from: { primary: 90, failover: 10 },
        to: { primary: 0, failover: 100 },
        reason: "primary down",
        votes: { primary: { "eu-west-1": "up", "us-east-1": "down", "us-west-2": "down" } },
      },
    ]);
  });

  it("keeps the state document within one TXT record by shortening reasons and dropping the oldest events", () => {
    const old: SwitchEvent = {
      at: 1,
      mode: "manual",
      from: { primary: 90 },
      to: { primary: 0 },
      reason: '"quoted" → '.repeat(90),
      votes: {},
      audit: "lease-1",
    };
    const doc: StateDocument = { v: 1, memory: { v: 1, targets: {}, drains: {} }, switches: [old, old, old, old, old] };

    const change = zoneChangeFor(decision(true, "x".repeat(2000)), snapshot, { now: 100, doc, mode: "automatic" });

    const state = change?.state as StateDocument;
    expect(() => encodeTxtDocument(state)).not.toThrow();
    expect(state.switches[0]?.reason.length).toBeLessThanOrEqual(240);
    expect(state.switches.length).toBeLessThan(5);
  });

  it("describes a shift target by target", () => {
    expect(describeShift({ primary: 90, failover: 10 }, { primary: 0, failover: 100 }, ["primary", "failover"])).toBe(
      "primary 90 → 0, failover 10 → 100",
    );
    expect(describeShift({ primary: 90 }, { primary: 90 }, ["primary"])).toBe("no change");
  });
});
