import { parseConfig } from "../functions/lib/config.ts";
import { decide } from "../functions/lib/policy/decide.ts";
import type { ProbeRound } from "../functions/lib/types.ts";
import type { Benchmark } from "./run.ts";

// 50 targets × 10 vantages × 30 rounds: the largest deployment the config allows, a full window.
const VANTAGES = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "eu-west-2",
  "eu-central-1",
  "ap-south-1",
  "ap-northeast-1",
  "sa-east-1",
];
const config = parseConfig({
  hostedZone: { id: "Z1", name: "example.com" },
  records: [{ name: "api.example.com" }],
  targets: Array.from({ length: 50 }, (_, i) => ({
    id: `t${i}`,
    region: "us-east-1",
    healthUrl: `https://t${i}.example.com/health`,
    weight: 1 + (i % 50),
    records: { "api.example.com": { values: ["192.0.2.1"] } },
  })),
  vantages: VANTAGES,
  controlRegions: ["us-east-2", "us-west-1"],
});
const T0 = 1754447400;
// Every fifth target has been down for the last three rounds, so the drain path runs too.
const rounds: ProbeRound[] = Array.from({ length: 30 }, (_, k) => ({
  at: T0 + k * 10,
  votes: Object.fromEntries(
    VANTAGES.map((v, vi) => [
      v,
      Object.fromEntries(config.targets.map((t, ti) => [t.id, !(ti % 5 === 0 && k >= 27) && (vi + ti + k) % 17 !== 0])),
    ]),
  ),
}));
const current = Object.fromEntries(config.targets.map((t) => [t.id, t.weight]));
const now = T0 + 300;
const DECISIONS = 200;

const bench: Benchmark = {
  name: "policy",
  runs: 7,
  async run() {
    const start = performance.now();
    let drains = 0;
    for (let i = 0; i < DECISIONS; i++)
      drains += decide({ now, config, rounds, current, memory: undefined, lease: undefined }).changes.length;
    const ms = (performance.now() - start) / DECISIONS;
    if (drains === 0) throw new Error("benchmark decisions drained nothing");
    return { decisionMs: ms, decisionsPerSecond: 1000 / ms };
  },
};
export default bench;
