import { describe, expect, it } from "vitest";
import { DrillClock } from "../../../drill/clock.ts";

describe("drill clock", () => {
  it("runs virtual time at speed times the wall time", () => {
    // Prepare
    let wall = 1000;
    const clock = new DrillClock({ startMs: 1_754_447_400_000, speed: 40, wallNow: () => wall });
    // Act
    wall += 250;
    // Assess
    expect(clock.now()).toBe(1_754_447_400_000 + 10_000);
    expect(clock.elapsedSeconds()).toBe(10);
    expect(clock.toWallMs(4000)).toBe(100);
  });

  it("wakes every sleeper when stopped", async () => {
    const clock = new DrillClock({ startMs: 0, speed: 1 });
    const sleeping = clock.sleep(3_600_000);
    clock.stop();
    await expect(sleeping).resolves.toBeUndefined();
  });
});
