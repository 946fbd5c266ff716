import { detectionScenario, noiseCases, runDetection, runNoise } from "../offline/replay/sweep.ts";
import type { Benchmark } from "./run.ts";

/**
 * What users pick a failover system on, replayed under the realistic AWS
 * timing defaults (offline/timing.ts): detection over 40 primary outages
 * starting at random seconds with 1% probe loss, and false switches per 100
 * simulated hours for one partitioned vantage plus 1-10% loss, one silent
 * vantage plus loss, and 15-second blips; for the default policy,
 * route53-native and (for noise) the oracle. Seeded: one run is the figure.
 */
const bench: Benchmark = {
  name: "noise-sweep",
  runs: 1,
  async run() {
    const figures: Record<string, number> = {};
    const outages = detectionScenario(40);
    for (const policy of ["default", "route53-native"] as const) {
      const result = runDetection(outages, policy);
      figures[`${policy} detect median s`] = result.medianSeconds;
      figures[`${policy} detect p90 s`] = result.p90Seconds;
      figures[`${policy} detect worst s`] = result.worstSeconds;
      figures[`${policy} outages detected of 40`] = result.detected;
    }
    for (const { name, scenario } of noiseCases([0.01, 0.03, 0.05, 0.1])) {
      for (const policy of ["default", "route53-native", "oracle"] as const) {
        const result = runNoise(name, scenario, policy);
        figures[`${policy} ${name}: false switches /100 h`] = result.falseSwitchesPer100h;
        if (name.startsWith("15 s blips")) figures[`${policy} ${name}: drains /100 h`] = result.failoversPer100h;
      }
    }
    return figures;
  },
};
export default bench;
