import type { PolicySettings } from "../config.ts";
import type { TargetVerdict } from "./verdict.ts";
import type { PolicyMemory, TargetMemory } from "./memory.ts";

/** What happened to one target in one decision. */
export type TargetEvent =
  | { kind: "drain"; target: string; fromRamp?: number }
  | { kind: "hold"; target: string; drains: number; fromRamp?: number }
  | { kind: "ramp-start"; target: string; percent: number }
  | { kind: "ramp-step"; target: string; from: number; to: number }
  | { kind: "restore"; target: string };

export interface StepResult {
  memory: PolicyMemory;
  events: TargetEvent[];
}

/**
 * Moves each target through its modes for one decision: in service →
 * drained after `drainAfterRounds` down rounds (one more when the latest is
 * not unanimous: a vantage voted up or is silent) (→ held when the flap budget
 * is spent), drained → ramp after `recoverAfterSeconds` up since the drain, each ramp step
 * held `rampStepSeconds` while up, back to drained at once on a down
 * verdict, in service after the last step. Unknown never advances anything.
 *
 * @param countDrains - false while an override lease holds: the state keeps
 *   tracking health, but drains that move no traffic do not spend the budget.
 */
export function stepTargets(
  policy: PolicySettings,
  ids: readonly string[],
  prior: PolicyMemory,
  verdicts: Record<string, TargetVerdict>,
  now: number,
  countDrains: boolean,
): StepResult {
  const targets: Record<string, TargetMemory> = { ...prior.targets };
  const drains: Record<string, number[]> = { ...prior.drains };
  const events: TargetEvent[] = [];
  const lastStep = policy.rampPercents.length - 1;

  const drain = (target: string, fromRamp?: number) => {
    // Under a lease a drain moves no traffic, so it does not spend the flap budget.
    if (countDrains) {
      const { maxDrains, windowSeconds } = policy.flapBudget;
      const recent = [...(drains[target]?.filter((at) => at > now - windowSeconds) ?? []), now].slice(-maxDrains);
      drains[target] = recent;
      if (recent.length >= maxDrains) {
        targets[target] = { mode: "held", since: now };
        events.push({ kind: "hold", target, drains: recent.length, fromRamp });
        return;
      }
    }
    targets[target] = { mode: "drained", since: now };
    events.push({ kind: "drain", target, fromRamp });
  };

  for (const target of ids) {
    const verdict = verdicts[target];
    const state = targets[target];
    if (verdict === undefined || verdict.health === "unknown") continue;
    if (state === undefined) {
      // A round every vantage agrees on is enough; a split or incomplete one needs one more round to confirm it.
      if (verdict.health === "down" && verdict.downRounds >= policy.drainAfterRounds + (verdict.unanimous ? 0 : 1))
        drain(target);
    } else if (state.mode === "drained") {
      // Recovery is counted from the drain, never from before it: a window that does not hold the down
      // rounds yet (another decider drained on newer votes) must not read as a target long up.
      if (verdict.health === "up" && Math.min(verdict.upSeconds, now - state.since) >= policy.recoverAfterSeconds) {
        if (lastStep === 0) {
          delete targets[target];
          events.push({ kind: "restore", target });
        } else {
          targets[target] = { mode: "ramp", since: now, step: 0 };
          events.push({ kind: "ramp-start", target, percent: policy.rampPercents[0] ?? 100 });
        }
      }
    } else if (state.mode === "ramp") {
      const step = state.step ?? 0;
      if (verdict.health === "down") drain(target, policy.rampPercents[step]);
      else if (now - state.since >= policy.rampStepSeconds) {
        const next = step + 1;
        if (next >= lastStep) {
          delete targets[target];
          events.push({ kind: "restore", target });
        } else {
          targets[target] = { mode: "ramp", since: now, step: next };
          events.push({
            kind: "ramp-step",
            target,
            from: policy.rampPercents[step] ?? 0,
            to: policy.rampPercents[next] ?? 100,
          });
        }
      }
    }
    // `held` stays held whatever the verdict: only a person releases it.
  }
  return { memory: { ...prior, targets, drains }, events };
}
