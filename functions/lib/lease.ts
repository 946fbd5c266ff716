import * as z from "zod";
import { parseWith } from "./validate.ts";

/**
 * An override lease: a person's decision that wins over the automatic policy
 * until it expires or is released. Stored in a TXT record in the same
 * hosted zone as the weighted records (public DNS), written by
 * compare-and-swap: only what the deciders need. Who took it and why are in
 * the private audit trail under the lease's id (../audit-trail.ts).
 */
export const leaseSchema = z.lazy(() =>
  z.strictObject({
    /** Unique id of this lease (lets `release` and alerts refer to it); also the id of its audit entry. */
    id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: "expected 1-64 letters, digits and dashes" }),
    /**
     * `promote`: all traffic to `target`; `drain`: `target` to 0, the rest
     * shared by normal weights; `pin`: exactly `weights`.
     */
    action: z.enum(["promote", "drain", "pin"]),
    /** Target of `promote` / `drain`. */
    target: z.string().min(1).optional(),
    /** Explicit weights of `pin`, by target id. */
    weights: z.record(z.string(), z.int().min(0).max(255)).optional(),
    /** Epoch seconds. */
    createdAt: z.number().int().nonnegative(),
    /** Epoch seconds; after this the policy ignores the lease. */
    expiresAt: z.number().int().nonnegative(),
  }),
);

export type OverrideLease = z.output<typeof leaseSchema>;

/**
 * Fields of a lease written before the audit trail moved out of DNS: a lease record (or a decider view) in
 * that format still parses, without them (its audit then reads as unavailable).
 */
const legacyLeaseFields = ["actor", "reason"] as const;

/** Drops the free-text fields of an older lease document; anything else passes unchanged. */
export function withoutLegacyLeaseFields(input: unknown): unknown {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  const copy: Record<string, unknown> = { ...input };
  for (const field of legacyLeaseFields) delete copy[field];
  return copy;
}

/** A lease as stored in the decider view: older views carried actor and reason, which are dropped. */
export const storedLeaseSchema = z.preprocess(withoutLegacyLeaseFields, leaseSchema);

/** Validates a lease read back from Route 53 (or built from an event). Throws ValidationError naming each bad field. */
export function parseLease(input: unknown): OverrideLease {
  return parseWith(storedLeaseSchema, input, "override lease");
}

/** True while the lease holds at `now` (epoch seconds). */
export function leaseActive(lease: OverrideLease | undefined, now: number): lease is OverrideLease {
  return lease !== undefined && now < lease.expiresAt;
}

/** Name of the TXT record holding the override lease, beside the first managed record. */
export function leaseRecordName(firstRecordName: string): string {
  return `_lease._failover.${firstRecordName}`;
}
