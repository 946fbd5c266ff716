import * as z from "zod";
import { AUDIT_VALUE_MAX_BYTES, worstCaseAuditBytes } from "../audit-trail.ts";
import type { FailoverConfig } from "../config.ts";
import type { Weights } from "../types.ts";
import { parseWith } from "../validate.ts";

/** What the manual failover function can be asked to do. */
export const manualActions = [
  "status",
  "plan",
  "promote",
  "drain",
  "pin",
  "release",
  "release-hold",
  "init",
  "verify",
  "practice-start",
  "practice-cancel",
] as const;
export type ManualAction = (typeof manualActions)[number];

/** Actions that take an override lease (and so a ttl). */
const leaseActions: readonly ManualAction[] = ["promote", "drain", "pin"];
/** Actions that change records and therefore need a reason (kept in the audit trail, shown in `status` and Slack). */
const changingActions: readonly ManualAction[] = [
  "promote",
  "drain",
  "pin",
  "release",
  "release-hold",
  "practice-start",
  "practice-cancel",
];
/** Actions that name one target. */
const targetActions: readonly ManualAction[] = ["promote", "drain", "release-hold"];
/** Actions that may name one target (unset: the schedule's next). */
const optionalTargetActions: readonly ManualAction[] = ["practice-start"];

/**
 * An event for the manual failover function, validated against the config.
 * `promote`/`drain`/`release-hold` name a `target` (`practice-start` may); `pin` gives `weights` for every target.
 */
export interface ManualEvent {
  action: ManualAction;
  /** Target of `promote` / `drain` / `release-hold`: one of `config.targets[].id`; of `practice-start`, one of `practice.targets`. @default for `practice-start`: the schedule's target of the current slot */
  target?: string;
  /** Exact weights of `pin`, one per target, not all zero. */
  weights?: Weights;
  /** Why: required for every change; kept in the audit trail (not DNS), shown in `status` and Slack. */
  reason?: string;
  /** Lease duration in seconds. @default config.lease.defaultTtlSeconds */
  ttlSeconds?: number;
  /** Who asks (IAM principal or a name). */
  actor: string;
  /**
   * Idempotency key of a `promote`/`drain`/`pin` (the CLI sends a fresh UUID per command): it becomes the lease id,
   * and a request whose lease is already in place is answered without writing again, so a repeated delivery
   * (a client retry after a timeout, the other control region) changes nothing. Unset: a new lease id.
   */
  requestId?: string;
  /** `init` only: read the zone and answer the change batch init would send, sending nothing. */
  dryRun?: true;
}

/**
 * Validates a manual failover event (from Lambda or the CLI) against the
 * config. Throws a ValidationError naming every bad field; nothing has been
 * read or written at that point, so a bad event changes nothing.
 */
export function parseManualEvent(raw: unknown, config: FailoverConfig): ManualEvent {
  return parseWith(manualEventSchema(config), raw, "manual failover event");
}

function manualEventSchema(config: FailoverConfig) {
  const targetIds = config.targets.map((target) => target.id);
  const maxTtl = config.lease.maxTtlSeconds;
  const ttlError = `expected whole seconds from 1 to lease.maxTtlSeconds (${maxTtl})`;
  return z
    .strictObject({
      action: z.enum(manualActions),
      target: z.enum(targetIds as [string, ...string[]]).optional(),
      weights: z
        .record(
          z.string(),
          z
            .int({ error: "expected an integer from 0 to 255" })
            .min(0, { error: "expected an integer from 0 to 255" })
            .max(255, { error: "expected an integer from 0 to 255" }),
        )
        .optional(),
      reason: visibleText("a non-empty reason").max(500).optional(),
      ttlSeconds: z.int({ error: ttlError }).min(1, { error: ttlError }).max(maxTtl, { error: ttlError }).optional(),
      actor: visibleText("who asks (a name or IAM principal)").max(128),
      requestId: z
        .string()
        .regex(/^[A-Za-z0-9-]{8,64}$/, { error: "expected 8-64 letters, digits and dashes (e.g. a UUID)" })
        .optional(),
      dryRun: z.literal(true).optional(),
    })
    .superRefine((event, ctx) => {
      const fail = (path: PropertyKey[], message: string) =>
        ctx.addIssue({ code: "custom", path, message, input: undefined });
      const { action } = event;
      if (targetActions.includes(action)) {
        if (event.target === undefined) fail(["target"], `is required for ${action} (one of ${targetIds.join(", ")})`);
      } else if (event.target !== undefined && !optionalTargetActions.includes(action)) {
        fail(["target"], `is not used by ${action}; leave it out`);
      }
      if (action.startsWith("practice-")) checkPractice(config, event.target, fail);
      if (action === "pin") {
        if (event.weights === undefined)
          fail(["weights"], `is required for pin (a weight for each of ${targetIds.join(", ")})`);
        else checkPinWeights(event.weights, targetIds, fail);
      } else if (event.weights !== undefined) {
        fail(["weights"], `is not used by ${action}; leave it out`);
      }
      if (changingActions.includes(action) && event.reason === undefined)
        fail(["reason"], `is required for ${action} (say why; it is shown to everyone)`);
      // Who and why are stored in the change's audit entry, one SSM parameter: what validates must fit it.
      const auditBytes = worstCaseAuditBytes(event.actor, event.reason ?? "");
      if (changingActions.includes(action) && auditBytes > AUDIT_VALUE_MAX_BYTES)
        fail(
          ["reason"],
          `with the actor takes ${auditBytes} bytes in the audit entry (an SSM parameter, at most ${AUDIT_VALUE_MAX_BYTES} bytes; control characters take 6 each): shorten it`,
        );
      if (!leaseActions.includes(action) && event.ttlSeconds !== undefined)
        fail(["ttlSeconds"], `is not used by ${action}; leave it out`);
      if (action !== "init" && event.dryRun !== undefined) fail(["dryRun"], `is not used by ${action}; leave it out`);
      if (!leaseActions.includes(action) && event.requestId !== undefined)
        fail(["requestId"], `is not used by ${action} (only a lease can record it); leave it out`);
    });
}

/** A practice request needs a practice block, and names one of its targets. */
function checkPractice(
  config: FailoverConfig,
  target: string | undefined,
  fail: (path: PropertyKey[], message: string) => void,
): void {
  if (config.practice === undefined)
    fail(["action"], 'practice runs are not configured (the config has no practice block; README "Practice runs")');
  else if (target !== undefined && !config.practice.targets.includes(target))
    fail(["target"], `expected one of practice.targets (${config.practice.targets.join(", ")}), got "${target}"`);
}

/**
 * Text a person reads (reason, actor): trimmed, and with at least one
 * visible character. Zero-width and other format characters (U+200B, U+2060,
 * U+FEFF...) and separators do not count: "why" must say something.
 */
function visibleText(expected: string) {
  return z
    .string()
    .trim()
    .min(1, { error: `expected ${expected}` })
    .refine((text) => text === "" || /[^\s\p{Cf}\p{Cc}\p{Z}]/u.test(text), {
      error: `expected ${expected}: it holds only invisible characters (zero-width spaces, joiners or other format characters)`,
    });
}

function checkPinWeights(
  weights: Weights,
  targetIds: string[],
  fail: (path: PropertyKey[], message: string) => void,
): void {
  for (const key of Object.keys(weights)) {
    if (!targetIds.includes(key)) fail(["weights", key], `unknown target (expected one of ${targetIds.join(", ")})`);
  }
  for (const id of targetIds) {
    if (!(id in weights)) fail(["weights", id], "is required (pin gives every target a weight)");
  }
  if (Object.values(weights).every((weight) => weight === 0))
    fail(["weights"], "expected at least one weight above 0 (all zero would take the application off the internet)");
}
