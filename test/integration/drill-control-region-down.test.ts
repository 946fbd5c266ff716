import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDrill, type DrillResult } from "../../drill/run-drill.ts";
import { loadScenario } from "../../offline/scenario.ts";

// The whole drill with a control region lost for two minutes: its decider must not be invoked, its signal
// endpoint must not answer Route 53's checkers (the stand-in), and every call signed for it must fail.

const work = mkdtempSync(join(tmpdir(), "drill-lost-region-"));
const lost = { start: 60, end: 180, region: "us-east-2" };

describe("drill with a control region lost (control-region-down)", () => {
  let result: DrillResult;
  beforeAll(async () => {
    const path = join(work, "lost-region.json");
    writeFileSync(
      path,
      JSON.stringify({
        name: "lost-control-region",
        description: "Control region us-east-2 is lost from 60 s to 180 s; nothing else fails.",
        durationSeconds: 240,
        seed: 7,
        config: {},
        faults: [{ start: lost.start, end: lost.end, kind: "control-region-down", region: lost.region }],
      }),
    );
    // 240 simulated seconds at 20x: about 12 s of wall time. What is invoked does not depend on speed: no load guard.
    result = await runDrill({
      scenario: loadScenario(path),
      speed: 20,
      outDir: join(work, "out"),
      write: () => undefined,
      loadGuard: false,
    });
  }, 90_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("invokes the lost region's decider before and after the loss and never during it, the other's throughout", () => {
    const rounds = result.summary.drill.deciderRounds;
    const during = (seconds: number[]) => seconds.filter((second) => second >= lost.start && second < lost.end);
    expect(during(rounds[lost.region] ?? [])).toEqual([]);
    expect(rounds[lost.region]?.some((second) => second < lost.start)).toBe(true);
    expect(rounds[lost.region]?.some((second) => second >= lost.end)).toBe(true);
    expect(during(rounds["us-west-1"] ?? []).length).toBeGreaterThanOrEqual(2);
  });

  it("leaves the lost region's signal endpoint unanswered and fails the calls signed for that region", () => {
    const { healthChecks, awsCalls } = result.summary.drill;
    expect(healthChecks.unanswered).toBeGreaterThan(0);
    expect(healthChecks.unanswered).toBeLessThan(healthChecks.asks);
    expect(awsCalls.regionDownFailed).toBeGreaterThan(0);
    expect(result.summary.failovers).toBe(0);
  });
});
