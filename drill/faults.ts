import { clientFaultKinds, faultActive, faultApplies, type Fault } from "../offline/scenario.ts";

/**
 * Which of a scenario's faults hit one network path at one moment, and what
 * a request on that path then experiences. Pure: time and randomness come in.
 *
 * A path is a vantage's probe path to a target, or the clients' path to a
 * target. Clients only see faults of the target itself (`down`, `blackhole`,
 * `status`, `latency`) that are not limited to some vantages: a fault limited
 * to vantages is a network problem between those vantages and the target,
 * and `loss` models flaky probe checks, not the application.
 */

/** A scenario fault (offline/scenario.ts); times in seconds from the start. */
export type DrillFault = Fault;

/** One path: `vantage` set for a probe path, unset for the clients' path. */
export interface FaultPath {
  target: string;
  vantage?: string | undefined;
}

/** The faults active on `path` at `second` (start inclusive, end exclusive). */
export function faultsOnPath(faults: readonly DrillFault[], path: FaultPath, second: number): DrillFault[] {
  return faults.filter((fault) => {
    if (fault.kind === "vantage-down" || !faultActive(fault, second)) return false;
    if (path.vantage === undefined)
      return faultApplies(fault, path.target) && fault.vantages === undefined && clientFaultKinds.has(fault.kind);
    return faultApplies(fault, path.target, path.vantage);
  });
}

/** Vantages that cannot probe or publish at `second` (`vantage-down`). */
export function silentVantages(
  faults: readonly DrillFault[],
  allVantages: readonly string[],
  second: number,
): Set<string> {
  const silent = new Set<string>();
  for (const fault of faults) {
    if (fault.kind !== "vantage-down" || !faultActive(fault, second)) continue;
    for (const vantage of fault.vantages ?? allVantages) silent.add(vantage);
  }
  return silent;
}

/** What one request on a path experiences. Delays are virtual milliseconds. */
export type FaultAction =
  | { kind: "refuse" }
  | { kind: "hang" }
  | { kind: "reset"; delayMs: number }
  | { kind: "respond"; status: number; delayMs: number }
  | { kind: "forward"; delayMs: number };

/**
 * Decides one request's fate from the active faults: `down` refuses,
 * `blackhole` hangs, then latencies add up, a `loss` roll resets the
 * connection and a `status` roll answers that status; otherwise the request
 * reaches the region after the added latency.
 *
 * @param random - uniform [0, 1), seeded by the caller
 */
export function faultAction(active: readonly DrillFault[], random: () => number): FaultAction {
  if (active.some((fault) => fault.kind === "down")) return { kind: "refuse" };
  if (active.some((fault) => fault.kind === "blackhole" || fault.kind === "partition")) return { kind: "hang" };
  const delayMs = active.reduce((sum, fault) => sum + (fault.kind === "latency" ? fault.ms : 0), 0);
  for (const fault of active) {
    if (fault.kind === "loss" && random() < fault.ratio) return { kind: "reset", delayMs };
  }
  for (const fault of active) {
    if (fault.kind === "status" && random() < fault.ratio) return { kind: "respond", status: fault.status, delayMs };
  }
  return { kind: "forward", delayMs };
}

/** Every second at which some fault starts or ends, sorted. */
export function faultBoundaries(faults: readonly DrillFault[]): number[] {
  return [...new Set(faults.flatMap((fault) => [fault.start, fault.end]))].sort((a, b) => a - b);
}

/** A small seeded PRNG (mulberry32): the same seed gives the same rolls. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-bit hash of a string, to derive per-path seeds from the scenario seed. */
export function hashString(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}
