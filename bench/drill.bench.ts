import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenario } from "../offline/scenario.ts";
import { DEFAULT_SPEED } from "../drill/args.ts";
import { runDrill } from "../drill/run-drill.ts";
import type { Benchmark } from "./run.ts";

const scenario = loadScenario(new URL("../scenarios/short-drill.json", import.meta.url));

/**
 * The drill on the short scenario (300 simulated seconds) at the default
 * speed: wall time end to end and where it goes (set-up, the scenario itself
 * = duration / speed, wind-down), CPU of the drill and of the emulator, and
 * the worst stall of the drill's event loop.
 */
const bench: Benchmark = {
  name: "drill",
  runs: 3,
  async run() {
    const out = mkdtempSync(join(tmpdir(), "drill-bench-"));
    try {
      const start = performance.now();
      const { summary } = await runDrill({ scenario, speed: DEFAULT_SPEED, outDir: out, write: () => undefined });
      const wallMs = performance.now() - start;
      if (!summary.ok)
        throw new Error(
          `the short drill no longer meets its expectations: ${summary.expectations
            .filter((e) => !e.ok)
            .map((e) => e.detail)
            .join("; ")}`,
        );
      return {
        shortDrillWallMs: wallMs,
        setupMs: summary.drill.wall.setupSeconds * 1000,
        scenarioMs: summary.drill.wall.scenarioSeconds * 1000,
        windDownMs: summary.drill.wall.windDownSeconds * 1000,
        stopMs: summary.drill.wall.stopSeconds * 1000,
        reportMs: summary.drill.wall.reportSeconds * 1000,
        drillCpuMs: summary.drill.cpu.drillSeconds * 1000,
        emulatorCpuMs: (summary.drill.cpu.emulatorSeconds ?? 0) * 1000,
        maxLoopStallMs: summary.drill.eventLoop.maxStallMs,
        rssMB: process.memoryUsage().rss / 1e6,
      };
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
};
export default bench;
