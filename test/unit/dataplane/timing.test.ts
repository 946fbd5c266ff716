import { describe, expect, it } from "vitest";
import { endpointStatus } from "../../../functions/lib/dataplane/check-status.ts";
import {
  dataPlaneDelaySeconds,
  expectedCheckerSeconds,
  SIGNAL_CHECKER_SHARE,
} from "../../../functions/lib/dataplane/timing.ts";

describe("data-plane timing (the 18% rule for an inverted signal check)", () => {
  it("drains once more than 18% of checkers see the drain and undrains only once 82% stopped seeing it", () => {
    // 15 checkers: 3 seeing "drain" (20%) already make the inverted check unhealthy; 2 (13%) do not.
    expect(endpointStatus(15, 3, true)).toBe("unhealthy");
    expect(endpointStatus(15, 2, true)).toBe("healthy");
    expect(SIGNAL_CHECKER_SHARE.drain).toBe(0.18);
    expect(SIGNAL_CHECKER_SHARE.undrain).toBeCloseTo(0.82, 10);
  });

  it("expects a drain within about 2 s of checker time and an undrain within about 8 s (15 checkers, 10 s interval), both bounded by one interval", () => {
    expect(expectedCheckerSeconds("drain", 15)).toBeCloseTo(1.875, 3);
    expect(expectedCheckerSeconds("undrain", 15)).toBeCloseTo(8.125, 3);
    for (const checkers of [1, 3, 8, 15, 24]) {
      expect(expectedCheckerSeconds("drain", checkers)).toBeLessThan(
        expectedCheckerSeconds("undrain", checkers) + 1e-9,
      );
      expect(expectedCheckerSeconds("undrain", checkers)).toBeLessThan(10);
    }
    expect(dataPlaneDelaySeconds()).toBe(18);
  });
});
