import { describe, expect, it } from "vitest";
import { describeWeightChange, formatClock, TimelinePrinter } from "../../../drill/timeline.ts";

describe("drill timeline", () => {
  it("prints timeline lines in time order when events arrive late", () => {
    // Prepare
    let printed = "";
    const printer = new TimelinePrinter({
      write: (text) => {
        printed += text;
      },
      holdMs: 60_000,
    });
    const t0 = Date.UTC(2025, 7, 6, 2, 55);
    // Act: the alarm is seen before the weight change that caused it; a fault starts later.
    printer.event(t0 + 80_000, "alarm switchover: OK → ALARM");
    printer.event(t0 + 15_000, "drained primary (90→0)");
    const beforeEnd = printed;
    printer.event(t0 + 300_000, "primary: down over");
    printer.endProgress();
    // Assess: the drain printed once a later event showed nothing earlier could still come; the alarm waited.
    expect(beforeEnd).toBe("02:55:15 drained primary (90→0)\n");
    expect(printed).toBe(
      "02:55:15 drained primary (90→0)\n02:56:20 alarm switchover: OK → ALARM\n03:00 primary: down over\n",
    );
    expect(printer.entries.map((entry) => entry.at - t0)).toEqual([15_000, 80_000, 300_000]);
  });

  it("writes times as in an incident write-up", () => {
    expect(formatClock(Date.UTC(2025, 7, 6, 2, 55))).toBe("02:55");
    expect(formatClock(Date.UTC(2025, 7, 6, 2, 55, 20))).toBe("02:55:20");
  });

  it("names the drained target first", () => {
    expect(
      describeWeightChange({ primary: 90, failover: 10 }, { primary: 0, failover: 100 }, ["primary", "failover"]),
    ).toBe("drained primary (90→0), failover 10→100");
  });
});
