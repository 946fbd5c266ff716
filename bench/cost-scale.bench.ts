import { readFileSync } from "node:fs";
import { exampleConfigPath } from "../functions/lib/config.ts";
import { loadPrices } from "../offline/cost/prices.ts";
import { buildCostReport } from "../offline/cost/report.ts";
import type { Benchmark } from "./run.ts";

/**
 * The README's derived cost figures ("What it costs": a vantage's price,
 * the data-plane path per target, `economy` with three vantages and at 2,
 * 10 and 50 targets beside Route 53's checks of as many AWS endpoints), from
 * the same model as `failover cost` on variants of the example config.
 * Deterministic: one run is the figure.
 */
const bench: Benchmark = {
  name: "cost-scale",
  runs: 1,
  async run() {
    const example = JSON.parse(readFileSync(exampleConfigPath, "utf8")) as Record<string, unknown>;
    const prices = loadPrices();
    const priced = (input: unknown, profile: string) => {
      const report = buildCostReport(input, prices, {
        profiles: [profile],
        assumptions: { route53EndpointType: "aws" },
      });
      const estimate = report.profiles[profile]!;
      return { total: estimate.monthlyUsd, dataPlane: estimate.dataPlaneUsd, route53: report.route53Native.monthlyUsd };
    };
    const economy = priced(example, "economy");
    const threeVantages = priced(
      { ...example, profiles: { economy3: economyWithEveryVantage(example) }, profile: "economy3" },
      "economy3",
    );
    const controlRegions = (example.controlRegions as string[]).length;
    const figures: Record<string, number> = {
      "economy with 3 vantages, without the data-plane path USD": threeVantages.total - threeVantages.dataPlane,
      "a third vantage in economy USD":
        threeVantages.total - threeVantages.dataPlane - (economy.total - economy.dataPlane),
    };
    for (const count of [2, 10, 50]) {
      const input = withTargets(example, count);
      const cost = priced(input, "economy");
      figures[`economy, ${count} targets, without the data-plane path USD`] = cost.total - cost.dataPlane;
      figures[`economy, ${count} targets USD`] = cost.total;
      figures[`Route 53's checks, ${count} AWS targets USD`] = cost.route53;
    }
    const [two, three] = [2, 3].map((count) => priced(withTargets(example, count), "default").dataPlane);
    const perTarget = three! - two!;
    figures["data-plane path, each target more (default) USD"] = perTarget;
    figures["data-plane path, the canary per control region (default) USD"] = (two! - 2 * perTarget) / controlRegions;
    return figures;
  },
};
export default bench;

/** The built-in `economy` (60 s rounds, first control region, no latency metric, minVantages 1) keeping every vantage. */
function economyWithEveryVantage(example: Record<string, unknown>) {
  return {
    probe: { intervalSeconds: 60, publishLatency: false },
    controlRegions: (example.controlRegions as string[]).slice(0, 1),
    policy: { minVantages: 1 },
  };
}

/** The example config with `count` AWS targets in us-west-2 instead of its two. */
function withTargets(example: Record<string, unknown>, count: number): Record<string, unknown> {
  const targets = Array.from({ length: count }, (_, i) => ({
    id: `t${i}`,
    region: "us-west-2",
    healthUrl: `https://t${i}.api.example.com/health`,
    weight: i === 0 ? 90 : 10,
    records: { "api.example.com": { values: [`203.0.113.${i + 1}`] } },
  }));
  return { ...example, targets };
}
