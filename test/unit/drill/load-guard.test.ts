import { describe, expect, it } from "vitest";
import { LagMonitor } from "../../../drill/lag-monitor.ts";
import { LoadGuard } from "../../../drill/load-guard.ts";

// No emulator pulses run here (the guard is never started), so a window's emulator time is the window itself:
// the bound is set far above it, and only the skipped rounds decide.
const quietGuard = () =>
  new LoadGuard({ speed: 40, lag: new LagMonitor(), emulatorUrl: "http://127.0.0.1:9", emulatorBoundMs: 1e12 });

describe("LoadGuard", () => {
  it("lets the drill go on while no round is skipped", () => {
    // Prepare
    const guard = quietGuard();
    // Act
    const first = guard.check(60);
    const second = guard.check(120);
    // Assess
    expect(first).toBeUndefined();
    expect(second).toBeUndefined();
  });

  it("stops the drill when rounds were skipped in two simulated minutes in a row, naming who skipped and a slower speed", () => {
    // Prepare
    const guard = quietGuard();
    guard.noteSkippedRounds("decider us-east-2", 2);
    const first = guard.check(60);
    // Act
    guard.noteSkippedRounds("probe eu-west-1", 1);
    const verdict = guard.check(120);
    // Assess
    expect(first).toBeUndefined();
    expect(verdict?.skippedRounds).toBe(3);
    expect(verdict?.atSecond).toBe(120);
    expect(verdict?.fittingSpeed).toBe(20);
    expect(verdict?.stoppedEarly).toBe(true);
    expect(verdict?.message).toContain("3 round(s) of decider us-east-2, probe eu-west-1 were skipped");
    expect(verdict?.message).toContain("Rerun with --speed 20");
  });

  it("tolerates one minute with a skipped round between clean ones", () => {
    // Prepare
    const guard = quietGuard();
    guard.check(60);
    guard.noteSkippedRounds("decider us-west-1", 1);
    // Act
    const verdicts = [guard.check(120), guard.check(180), guard.check(240)];
    // Assess
    expect(verdicts).toEqual([undefined, undefined, undefined]);
  });

  it("gives no verdict to a run that failed after a minute it tolerated (a starved run exits 3, never 1)", () => {
    // Prepare: one minute with a skipped decider round between clean ones, as the drill goes on.
    const guard = quietGuard();
    guard.check(60);
    guard.noteSkippedRounds("decider us-west-1", 1);
    const tolerated = guard.check(120);
    guard.check(180);
    // Act
    const verdict = guard.failedUnderStrain();
    // Assess
    expect(tolerated).toBeUndefined();
    expect(verdict?.stoppedEarly).toBe(false);
    expect(verdict?.atSecond).toBe(120);
    expect(verdict?.skippedRounds).toBe(1);
    expect(verdict?.fittingSpeed).toBe(20);
    expect(verdict?.message).toContain("1 round(s) of decider us-west-1 were skipped");
    expect(verdict?.message).toContain("In 1 simulated minute(s) (the last at second 120)");
    expect(verdict?.message).toContain("so there is no verdict");
  });

  it("leaves the verdict of a run whose every minute kept the clock", () => {
    // Prepare
    const guard = quietGuard();
    guard.check(60);
    guard.check(120);
    // Act
    const verdict = guard.failedUnderStrain();
    // Assess
    expect(verdict).toBeUndefined();
  });

  it("reports its headroom over every minute checked: minutes over, skipped rounds and the bounds at its speed", () => {
    // Prepare
    const guard = quietGuard();
    const before = guard.headroom();
    guard.check(60);
    guard.noteSkippedRounds("probe us-east-1", 2);
    guard.check(120);
    guard.check(180);
    // Act
    const headroom = guard.headroom();
    // Assess
    expect(before).toBeUndefined();
    expect(headroom).toMatchObject({ windows: 3, windowsOver: 1, skippedRounds: 2, loopBoundMs: 125 });
    expect(headroom?.emulatorMs.max).toBeGreaterThanOrEqual(headroom?.emulatorMs.median ?? Number.NaN);
  });
});
