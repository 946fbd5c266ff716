import { replay } from "../offline/replay/replay.ts";
import { loadScenario } from "../offline/scenario.ts";
import type { Benchmark } from "./run.ts";

const scenario = loadScenario(new URL("../scenarios/clerk-2025-08-06.json", import.meta.url));

const bench: Benchmark = {
  name: "replay",
  runs: 7,
  async run() {
    const start = performance.now();
    const result = replay(scenario, "default");
    const replayMs = performance.now() - start;
    const compareStart = performance.now();
    for (const policy of ["default", "route53-native", "none"] as const) replay(scenario, policy);
    const compareMs = performance.now() - compareStart;
    if (!result.summary.ok) throw new Error("Clerk replay no longer meets its expectations");
    return { clerkReplayMs: replayMs, clerkCompareMs: compareMs, rssMB: process.memoryUsage().rss / 1e6 };
  },
};
export default bench;
