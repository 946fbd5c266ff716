import { describe, expect, it } from "vitest";
import { undrainAnnouncer } from "../../../functions/lib/dataplane/signal-union.ts";
import { drainDocument } from "../../support/control-fixtures.ts";

const now = 1_754_481_600;
const order = ["us-east-2", "us-west-1"];
/** A document that stopped draining primary at `clearedAt`. */
const cleared = (by: string, clearedAt: number) => ({
  ...drainDocument(by, [], clearedAt),
  since: { primary: clearedAt },
});

describe("undrainAnnouncer", () => {
  it("names the writer that stopped draining last: its clearing took the target out of DNS", () => {
    const docs = [cleared("us-east-2", now - 20), cleared("us-west-1", now - 5)];

    expect(undrainAnnouncer([{ region: "us-east-2", docs }], "primary", order, now)).toBe("us-west-1");
  });

  it("of two that stopped in the same second, names the one whose write the first readable store took last", () => {
    const docs = [cleared("us-east-2", now), cleared("us-west-1", now)];
    const reads = [
      { region: "us-east-2", docs, error: "SSM unavailable" },
      { region: "us-west-1", docs, writtenMs: { "us-east-2": 2_000, "us-west-1": 1_000 } },
    ];

    expect(undrainAnnouncer(reads, "primary", order, now)).toBe("us-east-2");
    expect(undrainAnnouncer([{ region: "us-west-1", docs }], "primary", order, now)).toBe("us-east-2");
    const westLater = [{ region: "us-east-2", docs, writtenMs: { "us-east-2": 1_000, "us-west-1": 1_001 } }];
    expect(undrainAnnouncer(westLater, "primary", order, now)).toBe("us-west-1");
  });

  it("names none that still drains the target, never drained it, or whose document expired", () => {
    const docs = [
      { ...drainDocument("us-east-2", ["primary"], now), since: { primary: now } },
      drainDocument("us-west-1", [], now),
      cleared("eu-west-1", now - 400),
    ];

    expect(undrainAnnouncer([{ region: "us-east-2", docs }], "primary", [...order, "eu-west-1"], now)).toBeUndefined();
  });
});
