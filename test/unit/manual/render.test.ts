import { describe, expect, it } from "vitest";
import { renderResult } from "../../../functions/lib/manual/render.ts";
import type { ChangeResult } from "../../../functions/lib/manual/result.ts";

const promoted: ChangeResult = {
  action: "promote",
  at: 1_800_000_000,
  problems: [],
  from: { primary: 90, failover: 10 },
  to: { primary: 0, failover: 100 },
  shift: "primary 90 → 0, failover 10 → 100",
  lease: null,
  replaced: null,
  releasedHolds: [],
  reason: "override: promote failover",
  changeId: "/change/C1",
  attempts: 1,
  sync: { changeId: "/change/C1", insync: true, waitedSeconds: 3.2 },
};

describe("failover change output: Route 53 propagation", () => {
  it("says the change is in sync and how long it took", () => {
    // Act
    const text = renderResult(promoted, []);
    // Assess
    expect(text).toContain("Route 53 change /change/C1 (1 attempt)\nRoute 53: in sync after 3.2 s");
  });

  it("says a change still PENDING at the bound is applied and not re-sent", () => {
    const text = renderResult({ ...promoted, sync: { changeId: "/change/C1", insync: false, waitedSeconds: 10 } }, []);

    expect(text).toContain(
      "Route 53: applied, still propagating after 10 s (name servers catch up within about 60 s; nothing is re-sent)",
    );
  });

  it("prints no propagation line when nothing was written", () => {
    const text = renderResult({ ...promoted, changeId: "", sync: null }, []);

    expect(text).toContain("Nothing needed writing.");
    expect(text).not.toContain("Route 53:");
  });
});

describe("failover change output: a replaced override", () => {
  it("says loudly which lease it replaced, whose, why and how long it had left", () => {
    // Prepare
    const replaced = {
      id: "lease-1",
      action: "drain" as const,
      target: "primary",
      actor: "oncall-bob",
      reason: "bad deploy 4711",
      createdAt: 1_799_999_000,
      expiresAt: 1_800_001_800,
      active: true,
      expiresInSeconds: 1800,
    };
    // Act
    const text = renderResult({ ...promoted, replaced }, []);
    // Assess
    expect(text).toContain(
      'REPLACED the active lease lease-1: drain primary by oncall-bob, "bad deploy 4711", 30m left. It no longer applies.',
    );
  });
});
