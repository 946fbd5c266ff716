/**
 * Child process of bench/probe-round.bench.ts (bundled with esbuild, run by
 * plain `node`, so the RSS measured is the probe's own, not vitest's/tsx's).
 * Runs probe rounds over TARGETS targets spread over the local servers in
 * PORTS and prints one JSON line of figures.
 */
import { parseConfig, type FailoverConfig } from "../functions/lib/config.ts";
import { runProbeRound } from "../functions/lib/probe/round.ts";

const ports = (process.env.PORTS ?? "").split(",").filter(Boolean).map(Number);
const targetCount = Number(process.env.TARGETS ?? 1000);
if (ports.length === 0) throw new Error("PORTS is empty: run this through bench/probe-round.bench.ts");

// The config schema caps targets at 50 (a real deployment has a handful); the bench builds a valid
// two-target config and widens it, since runProbeRound takes an already-validated config.
const base = parseConfig({
  hostedZone: { id: "Z0BENCH", name: "example.com" },
  records: [{ name: "api.example.com" }],
  targets: [0, 1].map((index) => ({
    id: `t${index}`,
    region: "us-east-1",
    healthUrl: `http://127.0.0.1:${ports[0]}/`,
    weight: 1,
    records: { "api.example.com": { values: ["192.0.2.1"] } },
  })),
  vantages: ["us-east-1", "us-west-2", "eu-west-1"],
  controlRegions: ["us-east-2"],
});
const config: FailoverConfig = {
  ...base,
  targets: Array.from({ length: targetCount }, (_, index) => ({
    ...base.targets[0]!,
    id: `t${index}`,
    healthUrl: `http://127.0.0.1:${ports[index % ports.length]}/health/${index}`,
  })),
};

const baselineRssMB = process.memoryUsage().rss / 2 ** 20;
const timings: number[] = [];
const cpuMs: number[] = [];
let failed = 0;
for (let round = 0; round < 2; round++) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const report = await runProbeRound({ config, vantage: "us-east-1", at: round * 10 });
  timings.push(performance.now() - started);
  const used = process.cpuUsage(cpu);
  cpuMs.push((used.user + used.system) / 1000);
  failed += report.results.filter((result) => !result.ok).length + (targetCount - report.results.length);
}
const peakRssMB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(
  `${JSON.stringify({ firstRoundMs: timings[0], nextRoundMs: timings[1], nextRoundCpuMs: cpuMs[1], peakRssMB, baselineRssMB, failed })}\n`,
);
