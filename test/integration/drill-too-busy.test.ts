import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runDrill } from "../../drill/run-drill.ts";
import { loadScenario } from "../../offline/scenario.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "drill-busy-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Blocks this process's event loop, as a machine busy elsewhere would. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe("a drill on a machine too busy for its compressed clock", () => {
  it("stops early without a verdict, naming the measured lag and the --speed that would fit", async () => {
    // Prepare: the drill's process loses 400 ms of every 500 ms (16 simulated seconds at 40x each time).
    const outDir = join(work, "busy");
    let hog: NodeJS.Timeout | undefined;
    const lines: string[] = [];

    // Act
    const result = await runDrill({
      scenario: loadScenario(join(root, "scenarios/short-drill.json")),
      speed: 40,
      outDir,
      write: (text) => void lines.push(text),
      onProcessStarted: (name) => {
        if (name === "emulator") hog = setInterval(() => stall(400), 500);
      },
    }).finally(() => clearInterval(hog));

    // Assess: no PASS or FAIL, the reason with its figures, and summary.json says so too.
    const { summary } = result;
    const tooBusy = summary.drill.tooBusy;
    expect(summary.ok).toBe(false);
    expect(tooBusy).toBeDefined();
    expect(tooBusy?.loopStallMs).toBeGreaterThanOrEqual(300);
    expect(tooBusy?.fittingSpeed).toBeGreaterThanOrEqual(1);
    expect(tooBusy?.fittingSpeed).toBeLessThan(40);
    expect(tooBusy?.message).toMatch(
      /too busy for the drill at 40x: .* stalled up to \d+ ms .* Rerun with --speed \d+/,
    );
    expect(tooBusy?.atSecond).toBeLessThan(300);
    expect(lines.join("")).toContain("stopped: the machine is too busy");
    expect(JSON.parse(readFileSync(join(outDir, "summary.json"), "utf8")).drill.tooBusy.fittingSpeed).toBe(
      tooBusy?.fittingSpeed,
    );
  }, 90_000);
});
