import type { DrillFault } from "../../../drill/faults.ts";

/** Faults of every kind, overlapping, shared by the faults and report tests. */
export const faults: DrillFault[] = [
  { start: 100, end: 200, target: "primary", kind: "down" },
  { start: 100, end: 150, target: "primary", kind: "status", status: 429, ratio: 1 },
  { start: 300, end: 400, target: "primary", kind: "latency", ms: 4000, vantages: ["eu-west-1"] },
  { start: 0, end: 1000, kind: "loss", ratio: 0.05 },
  { start: 500, end: 600, kind: "vantage-down", vantages: ["us-west-2"] },
];
