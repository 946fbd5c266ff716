import { describe, expect, it } from "vitest";
import { staleWriters } from "../../../functions/lib/decider/signal-half.ts";
import { SIGNAL_REFRESH_SECONDS, SIGNAL_STALE_SECONDS } from "../../../functions/lib/dataplane/signal-union.ts";
import { drainDocument } from "../../support/control-fixtures.ts";

const now = 1_754_481_600;

describe("staleWriters", () => {
  it("names a decider whose fresh draining document went unrefreshed for more than twice the refresh interval, once", () => {
    const old = drainDocument("us-west-1", ["primary"], now - 2 * SIGNAL_REFRESH_SECONDS - 1);
    const reads = [
      { region: "us-east-2", docs: [old, drainDocument("us-east-2", ["primary"], now - 5)] },
      { region: "us-west-1", docs: [old] },
    ];

    expect(staleWriters(reads, now)).toEqual(["us-west-1"]);
  });

  it("names none for a document refreshed in time, one that drains nothing, or one already expired", () => {
    const reads = [
      {
        region: "us-east-2",
        docs: [
          drainDocument("us-east-2", ["primary"], now - 2 * SIGNAL_REFRESH_SECONDS),
          drainDocument("us-west-1", [], now - 2 * SIGNAL_REFRESH_SECONDS - 30),
          drainDocument("eu-west-1", ["primary"], now - SIGNAL_STALE_SECONDS - 1),
        ],
      },
    ];

    expect(staleWriters(reads, now)).toEqual([]);
  });
});
