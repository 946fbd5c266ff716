import * as z from "zod";

/**
 * One thing that happened to the traffic, told to Slack once: published to
 * SNS by whoever made it happen (the decider that won the compare-and-swap,
 * or the manual failover function / `failover --direct` that wrote the
 * lease), in the same topic as the alarms, and turned into a message by the
 * notifier (./event-message.ts). Only the writer that won publishes, so two
 * control regions never announce one change twice.
 */
const epochSeconds = z.int().nonnegative();
/** Target ids and regions as the config allows them: nothing in them needs escaping where they are shown. */
const targetId = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);
const region = z.string().regex(/^[a-z0-9-]{1,32}$/);
const weightsSchema = z.record(targetId, z.int().min(0).max(255));
const leaseSummarySchema = z.lazy(() =>
  z.strictObject({
    id: z.string().min(1).max(64),
    action: z.enum(["promote", "drain", "pin"]),
    target: targetId.optional(),
    weights: weightsSchema.optional(),
    actor: z.string().max(256),
    reason: z.string().max(2000),
    expiresAt: epochSeconds,
  }),
);

export const failoverEventKinds = [
  /** The policy drained a target (`held` set when its flap budget is spent). */
  "drain",
  /** A drained target stepped up its ramp. */
  "ramp",
  /** A target is back at its normal weight after its ramp (failback complete when every target is). */
  "restored",
  /** Every target down: the normal weights, whatever the probes say. */
  "fail-open",
  /** A weight change that is none of the above (e.g. the decider re-applying a lease). */
  "shift",
  /** A person took an override lease (promote, drain, pin) where none was active. */
  "override-taken",
  /** A person's new lease replaced an active one. */
  "override-replaced",
  /** A person released the lease: the automatic policy decides again. */
  "override-released",
  /** The lease ran out: the automatic policy decides again. */
  "override-expired",
  /** A person released a target held by its flap budget. */
  "hold-released",
  /** A practice run started: a bounded drain of `target`, judged by its outcome alarms. */
  "practice-started",
  /** A practice run ended: SUCCEEDED, FAILED (an outcome alarm) or INTERRUPTED, with its measured times. */
  "practice-ended",
] as const;

export const failoverEventSchema = z.lazy(() =>
  z.strictObject({
    type: z.literal("regional-failover.event"),
    v: z.literal(1),
    kind: z.enum(failoverEventKinds),
    /** Epoch seconds it happened. */
    at: epochSeconds,
    /** Who or what decided: the policy in a control region, or a person. */
    by: z.discriminatedUnion("mode", [
      z.strictObject({ mode: z.literal("automatic"), controlRegion: region }),
      z.strictObject({ mode: z.literal("manual"), actor: z.string().max(256) }),
    ]),
    /** Why: the policy's reason, or the person's. */
    reason: z.string().max(2000),
    /** For a person's action: what the policy decided with it (e.g. the weights after a release). */
    detail: z.string().max(2000).optional(),
    from: weightsSchema,
    to: weightsSchema,
    /** The configured weights: the story ends when `to` equals them. */
    normal: weightsSchema,
    /** The target the event is about (drain, ramp, restored, hold-released). */
    target: targetId.optional(),
    /** Target → vantage → vote behind an automatic decision. */
    votes: z.record(targetId, z.record(region, z.enum(["up", "down", "silent"]))).optional(),
    /** A drain that spent the flap budget: held until a person releases it. */
    held: z.strictObject({ drains: z.int().nonnegative(), windowSeconds: z.int().positive() }).optional(),
    /** A ramp step: `percent` of the normal weight, step `step` of `steps` (1-based). */
    ramp: z
      .strictObject({ percent: z.int().min(0).max(100), step: z.int().positive(), steps: z.int().positive() })
      .optional(),
    /** Restored: seconds since the target's drain. */
    outSeconds: z.int().nonnegative().optional(),
    /** The lease taken, released or expired. */
    lease: leaseSummarySchema.optional(),
    /** The lease a new one replaced. */
    replaced: leaseSummarySchema.optional(),
    /** Targets whose flap hold was released. */
    releasedHolds: z.array(targetId).optional(),
    /** A practice run: its id, who or what started it, until when, its outcome and length once ended. */
    practice: z
      .strictObject({
        id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
        by: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
        percent: z.int().min(1).max(100),
        startedAt: epochSeconds,
        until: epochSeconds,
        outcome: z.enum(["SUCCEEDED", "FAILED", "INTERRUPTED"]).optional(),
        /** Seconds from its start to its end. */
        seconds: z.int().nonnegative().optional(),
      })
      .optional(),
    /** Route 53 change id of the write, for the logs. */
    changeId: z.string().max(128).optional(),
  }),
);

export type FailoverEvent = z.output<typeof failoverEventSchema>;
export type FailoverEventKind = FailoverEvent["kind"];
export type LeaseSummary = z.output<typeof leaseSummarySchema>;

/**
 * Reads an SNS message as a failover event; `undefined` when it is
 * something else (an alarm, someone's test message). A message that says it
 * is an event but does not match the schema is `undefined` too: the
 * notifier then shows it as plain text rather than dropping it.
 */
export function parseFailoverEvent(text: string): FailoverEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = failoverEventSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}
