import { describe, expect, it } from "vitest";
import { parseDrillArgs } from "../../../drill/args.ts";

describe("drill arguments", () => {
  it("defaults to the Clerk scenario at 30x, which fits its 8,400 simulated seconds in under five minutes", () => {
    const args = parseDrillArgs([]);
    expect(args).toMatchObject({ scenario: "scenarios/clerk-2025-08-06.json", out: "drill-out", speed: 30 });
    expect(8400 / (args === "help" ? 1 : args.speed)).toBeLessThanOrEqual(280);
  });

  it("names a bad speed", () => {
    expect(() => parseDrillArgs(["--speed", "fast"])).toThrow(/--speed: expected a number from 1 to 200, got "fast"/);
  });

  it("keeps the load guard on unless --no-load-guard is given", () => {
    expect(parseDrillArgs([])).toMatchObject({ loadGuard: true });
    expect(parseDrillArgs(["--no-load-guard", "--speed", "10"])).toMatchObject({ loadGuard: false, speed: 10 });
  });
});

describe("parseDrillArgs --config", () => {
  it("passes the config file on, and leaves it to the default when not given", () => {
    expect(parseDrillArgs(["--config", "mine.json"])).toMatchObject({ config: "mine.json" });
    expect(parseDrillArgs([])).toMatchObject({ config: undefined });
  });
});
