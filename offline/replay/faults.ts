import type { FailoverConfig } from "../../functions/lib/config.ts";
import { faultActive as active, faultApplies as applies, type Fault, type TargetFault } from "../scenario.ts";
import { votesNeeded } from "../../functions/lib/policy/votes.ts";
import { seededUniform } from "./random.ts";

/** How a checker judges latency: ours fails above `probe.maxLatencyMs`; Route 53's has no latency limit, only the timeout. */
export type LatencyRule = "limit" | "timeout-only";

/** An interval of scenario seconds, `[start, end)`. */
export interface Interval {
  start: number;
  end: number;
}

/** The latency above which a check fails (with `timeoutMs`: a re-check's shortened timeout). */
function latencyLimit(config: FailoverConfig, rule: LatencyRule, timeoutMs = config.probe.timeoutMs): number {
  return rule === "limit" && config.probe.maxLatencyMs !== undefined
    ? Math.min(config.probe.maxLatencyMs, timeoutMs - 1)
    : timeoutMs - 1;
}

/** A re-check: its attempt number (draws anew) and its timeout, shortened to end before the round's slot. */
export interface Recheck {
  attempt: number;
  timeoutMs: number;
}

/**
 * The outcome of a check by `vantage` of `target` at `at` (seconds, may be
 * fractional): false when any active fault fails it (status and loss by a
 * seeded draw per round, vantage, target, fault and `attempt`), undefined
 * when the vantage is down.
 */
export function probeVote(
  config: FailoverConfig,
  faults: readonly Fault[],
  seed: number,
  at: number,
  vantage: string,
  target: string,
  rule: LatencyRule,
  recheck?: Recheck,
): boolean | undefined {
  const attempt = recheck?.attempt ?? 0;
  const round = Math.floor(at / config.probe.intervalSeconds);
  // The first attempt draws as it always has; a re-check draws anew (a lost packet is not lost twice by necessity).
  const draw = (index: number) =>
    attempt === 0 ? seededUniform(seed, round, v, t, index) : seededUniform(seed, round, v, t, index, attempt);
  const v = config.vantages.indexOf(vantage);
  const t = config.targets.findIndex((x) => x.id === target);
  let ok = true;
  for (const [index, fault] of faults.entries()) {
    if (!active(fault, at) || !applies(fault, target, vantage)) continue;
    switch (fault.kind) {
      case "vantage-down":
        return undefined;
      case "down":
      case "blackhole":
      case "partition":
        ok = false;
        break;
      case "status":
        if (!config.probe.expectedStatuses.includes(fault.status) && draw(index) < fault.ratio) ok = false;
        break;
      case "loss":
        if (draw(index) < fault.ratio) ok = false;
        break;
      case "latency":
        if (fault.ms > latencyLimit(config, rule, recheck?.timeoutMs)) ok = false;
        break;
    }
  }
  return ok;
}

/**
 * Share of requests to `target` at `at` that fail: down and blackhole fail
 * all, status its ratio, latency all when above the probe limit (the config
 * declares it unusable); loss, partition and vantage-down are probe-side only
 * (../scenario.ts clientFaultKinds). A client fault seen from some vantages
 * hits that fraction of clients.
 */
export function clientFailure(config: FailoverConfig, faults: readonly Fault[], at: number, target: string): number {
  let okShare = 1;
  for (const fault of faults) {
    if (!active(fault, at) || !applies(fault, target)) continue;
    const reach = fault.vantages === undefined ? 1 : fault.vantages.length / config.vantages.length;
    okShare *= 1 - reach * severity(config, fault);
  }
  return 1 - okShare;
}

function severity(config: FailoverConfig, fault: TargetFault): number {
  switch (fault.kind) {
    case "down":
    case "blackhole":
      return 1;
    case "status":
      return config.probe.expectedStatuses.includes(fault.status) ? 0 : fault.ratio;
    case "latency":
      return fault.ms > latencyLimit(config, "limit") ? 1 : 0;
    case "loss":
    case "partition":
    case "vantage-down":
      return 0;
  }
}

/** Whether a fault makes probes fail as an outage: down, blackhole, status with ratio ≥ 0.5, latency above the probe limit. */
function isOutageFault(config: FailoverConfig, fault: Fault): boolean {
  if (fault.kind === "down" || fault.kind === "blackhole") return true;
  if (fault.kind === "status") return fault.ratio >= 0.5 && !config.probe.expectedStatuses.includes(fault.status);
  if (fault.kind === "latency") return fault.ms > latencyLimit(config, "limit");
  return false;
}

/**
 * Outage episodes of `target`: maximal stretches where outage faults apply
 * to it from at least a quorum of the configured vantages.
 */
export function outageEpisodes(config: FailoverConfig, faults: readonly Fault[], target: string): Interval[] {
  const relevant = faults.filter(
    (fault): fault is TargetFault => isOutageFault(config, fault) && applies(fault, target),
  );
  const needed = Math.max(
    votesNeeded(config.policy.quorum, config.vantages.length),
    Math.min(config.policy.minVantages, config.vantages.length),
  );
  const cuts = [...new Set(relevant.flatMap((fault) => [fault.start, fault.end]))].sort((a, b) => a - b);
  const episodes: Interval[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i] ?? 0;
    const end = cuts[i + 1] ?? 0;
    const seeing = new Set(
      relevant.filter((fault) => active(fault, start)).flatMap((fault) => fault.vantages ?? config.vantages),
    );
    if (seeing.size < needed) continue;
    const last = episodes.at(-1);
    if (last !== undefined && last.end === start) last.end = end;
    else episodes.push({ start, end });
  }
  return episodes;
}

/**
 * How long a check at `at` takes, in milliseconds: an answered check
 * (passing, refused, a status) `answerMs`; a blackhole the whole timeout; a
 * slow answer its latency (at most the timeout).
 */
export function checkDurationMs(
  config: FailoverConfig,
  faults: readonly Fault[],
  at: number,
  vantage: string,
  target: string,
  answerMs: number,
  timeoutMs = config.probe.timeoutMs,
): number {
  let duration = answerMs;
  for (const fault of faults) {
    if (!active(fault, at) || !applies(fault, target, vantage)) continue;
    if (fault.kind === "blackhole" || fault.kind === "partition") return timeoutMs;
    if (fault.kind === "down") return answerMs;
    if (fault.kind === "latency") duration += fault.ms;
  }
  return Math.min(duration, timeoutMs);
}
