import * as z from "zod";
import { parseWith } from "../validate.ts";

/**
 * What the policy must remember between decider invocations because it
 * cannot be derived from the probe window: which targets are out of normal
 * service (drained, ramping, flap-held) and since when, the recent drain
 * times that the flap budget counts, and the override lease last seen.
 *
 * Everything else (consecutive down rounds, seconds continuously up) is
 * derived from the rounds each time, so the decider stays stateless.
 * Stored as compact JSON in the state TXT record (see functions/lib/state.ts).
 */
const epochSeconds = z.int().nonnegative();

const targetMemorySchema = z.lazy(() =>
  z.strictObject({
    /**
     * `drained`: weight 0, recovers by itself after `recoverAfterSeconds` up;
     * `ramp`: coming back, at `rampPercents[step]` of its normal weight;
     * `held`: drained by a spent flap budget, until a person releases it.
     */
    mode: z.enum(["drained", "ramp", "held"]),
    /** Epoch seconds the mode (for `ramp`: the current step) began. */
    since: epochSeconds,
    /** Index into `policy.rampPercents`; only for `ramp`. */
    step: z.int().min(0).max(9).optional(),
  }),
);

export const policyMemorySchema = z.lazy(() =>
  z.strictObject({
    v: z.literal(1),
    /** Targets not in normal service, by target id. A target absent here is in service. */
    targets: z.record(z.string(), targetMemorySchema),
    /** Recent automatic drains by target id (epoch seconds, oldest first, at most `flapBudget.maxDrains`). */
    drains: z.record(z.string(), z.array(epochSeconds).max(100)),
    /** Id of the override lease last seen active, so its end is reported once as `override-ended`. */
    lease: z.string().min(1).max(64).optional(),
    /**
     * Epoch seconds of the newest probe round the last change was decided on. A decider whose newest
     * round is older has an older view than the decision in force and changes nothing (the other
     * control region may read votes seconds sooner): decisions only move forward.
     */
    basis: epochSeconds.optional(),
  }),
);

export type TargetMemory = z.output<typeof targetMemorySchema>;
export type PolicyMemory = z.output<typeof policyMemorySchema>;

/** Memory of a policy that has never drained anything. */
export function emptyPolicyMemory(): PolicyMemory {
  return { v: 1, targets: {}, drains: {} };
}

/** Validates memory read back from the state record. Throws ValidationError naming each bad field. */
export function parsePolicyMemory(raw: unknown): PolicyMemory {
  return parseWith(policyMemorySchema, raw, "policy memory");
}

/**
 * A person releases a target held by its flap budget (the manual function's
 * `release-hold` action writes the result in the same CAS batch as the state).
 * The target becomes plain `drained` with a fresh drain history, so it comes
 * back only through the normal recovery time and ramp. A target that is not
 * held is left as it is.
 */
export function releaseFlapHold(memory: PolicyMemory, target: string, now: number): PolicyMemory {
  if (memory.targets[target]?.mode !== "held") return memory;
  const drains = { ...memory.drains };
  delete drains[target];
  return { ...memory, targets: { ...memory.targets, [target]: { mode: "drained", since: now } }, drains };
}
