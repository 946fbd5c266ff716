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
 * Stored as compact JSON in the state TXT record (see functions/lib/state-document.ts).
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

const practiceId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: "expected 1-64 letters, digits and dashes" });

/** A practice run in progress: the lowest-precedence lease (./practice.ts). */
const practiceRunSchema = z.strictObject({
  /** Its id, also the id of its record in the practice history. */
  id: practiceId,
  target: z.string().min(1).max(32),
  /** Share of the target's weight moved to the others. */
  percent: z.int().min(1).max(100),
  /** Epoch seconds it started and ends. */
  since: epochSeconds,
  until: epochSeconds,
  /** `schedule`, or the audit id of the on-call request that started it. */
  by: practiceId,
});

/** What the practice step remembers (./practice.ts). */
const practiceMemorySchema = z.strictObject({
  run: practiceRunSchema.optional(),
  /** The newest schedule slot (day or week number) a scheduled run started in: one run per slot. */
  slot: z.int().nonnegative().optional(),
  /** On-call asked for a run (`failover practice start`): started at the next decision whose pre-checks pass, else skipped with the reason. */
  request: z.strictObject({ id: practiceId, target: z.string().min(1).max(32), at: epochSeconds }).optional(),
  /** On-call asked to end the run in progress (`failover practice cancel`): the policy ends the run INTERRUPTED. */
  cancel: z.strictObject({ id: practiceId, at: epochSeconds }).optional(),
  /** `<slot or request id>:<check>,<check>`: the checks the latest slot or request failed, so each is recorded once. */
  skipped: z.string().max(160).optional(),
});

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
    /** Practice runs: the run in progress, the slot last used, on-call's requests. Absent: none ever. */
    practice: practiceMemorySchema.optional(),
  }),
);

export type TargetMemory = z.output<typeof targetMemorySchema>;
export type PolicyMemory = z.output<typeof policyMemorySchema>;
export type PracticeMemory = z.output<typeof practiceMemorySchema>;
export type PracticeRun = z.output<typeof practiceRunSchema>;

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
