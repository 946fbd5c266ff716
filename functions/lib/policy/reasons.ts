import type { FailoverConfig } from "../config.ts";
import type { PolicyMemory } from "./memory.ts";
import type { TargetEvent } from "./target-modes.ts";
import type { TargetVerdict } from "./verdict.ts";

/** `02:57:20Z` for an epoch-seconds time (pure: formats the argument, reads no clock). */
export function clock(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(11, 19)}Z`;
}

/** The votes that are not up: `us-east-1, eu-west-1 failed; us-west-2 silent` ("" when none). */
function votes(verdict: TargetVerdict): string {
  const parts: string[] = [];
  if (verdict.downVotes.length > 0) parts.push(`${verdict.downVotes.join(", ")} failed`);
  if (verdict.silent.length > 0) parts.push(`${verdict.silent.join(", ")} silent`);
  if (verdict.setAside.length > 0) parts.push(`${verdict.setAside.join(", ")} set aside`);
  return parts.join("; ");
}

/** One target's latest verdict in words: `primary down from 2/3 vantages for 2 rounds (us-east-1, eu-west-1 failed; us-west-2 silent)`. */
export function describeVerdict(config: FailoverConfig, id: string, verdict: TargetVerdict): string {
  const total = config.vantages.length;
  if (verdict.health === "down") {
    const rounds = `${verdict.downRounds} round${verdict.downRounds === 1 ? "" : "s"}`;
    return `${id} down from ${verdict.downVotes.length}/${total} vantages for ${rounds} (${votes(verdict)})`;
  }
  if (verdict.health === "up") {
    const against = votes(verdict);
    return `${id} up from ${verdict.upVotes.length}/${total} vantages${against === "" ? "" : ` (${against})`}`;
  }
  const voters = verdict.upVotes.length + verdict.downVotes.length;
  if (voters < config.policy.minVantages)
    return `${id} unknown: ${voters}/${total} vantages voted, fewer than the minimum ${config.policy.minVantages}`;
  const aside = verdict.setAside.length > 0 ? `, ${verdict.setAside.join(", ")} set aside` : "";
  return `${id} unknown: votes split (${verdict.upVotes.length} up, ${verdict.downVotes.length} down${verdict.silent.length > 0 ? `, ${verdict.silent.length} silent` : ""}${aside})`;
}

/** Every target's verdict, or `all targets up` when that says it all. */
export function describeHealth(
  config: FailoverConfig,
  ids: readonly string[],
  verdicts: Record<string, TargetVerdict>,
): string {
  // A target with no verdict is not up: it is named.
  const clean = (v: TargetVerdict | undefined) =>
    v?.health === "up" && v.downVotes.length === 0 && v.silent.length === 0 && v.setAside.length === 0;
  if (ids.length > 0 && ids.every((id) => clean(verdicts[id]))) return "all targets up";
  return ids.map((id) => (verdicts[id] ? describeVerdict(config, id, verdicts[id]) : `${id}: no verdict`)).join("; ");
}

/** What a target's mode change means, in words. */
export function describeEvent(
  config: FailoverConfig,
  event: TargetEvent,
  verdicts: Record<string, TargetVerdict>,
): string {
  const verdict = verdicts[event.target];
  const why = verdict ? describeVerdict(config, event.target, verdict) : event.target;
  const budget = config.policy.flapBudget;
  switch (event.kind) {
    case "drain":
      return event.fromRamp === undefined
        ? `drained ${event.target}: ${why}`
        : `${event.target} failed during the ramp at ${event.fromRamp}%, drained again: ${why}`;
    case "hold":
      return `${event.target} held drained: ${event.drains} drains within ${budget.windowSeconds} s spent the flap budget (${budget.maxDrains}); a person must release it (failover release-hold ${event.target}): ${why}`;
    case "ramp-start":
      return `${event.target} up for ${verdict?.upSeconds ?? 0} s (recovery ${config.policy.recoverAfterSeconds} s): ramping back at ${event.percent}%`;
    case "ramp-step":
      return `${event.target} ramp ${event.from}% → ${event.to}%`;
    case "restore":
      return `${event.target} back to its normal weight after the ramp`;
  }
}

/** Targets out of normal service and how far along they are, for steady decisions. */
export function describeModes(
  config: FailoverConfig,
  ids: readonly string[],
  memory: PolicyMemory,
  verdicts: Record<string, TargetVerdict>,
  now: number,
): string[] {
  const lines: string[] = [];
  for (const id of ids) {
    const state = memory.targets[id];
    if (state === undefined) continue;
    if (state.mode === "held")
      lines.push(`${id} held drained by its flap budget since ${clock(state.since)} until a person releases it`);
    else if (state.mode === "drained")
      lines.push(
        `${id} drained since ${clock(state.since)}, up ${Math.min(verdicts[id]?.upSeconds ?? 0, config.policy.recoverAfterSeconds)}/${config.policy.recoverAfterSeconds} s`,
      );
    else
      lines.push(
        `${id} ramping at ${config.policy.rampPercents[state.step ?? 0] ?? 100}% for ${now - state.since}/${config.policy.rampStepSeconds} s`,
      );
  }
  return lines;
}
