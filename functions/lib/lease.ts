import * as z from "zod";
import { describeError } from "./errors.ts";
import type { RecordSetData } from "./records/record-set.ts";
import { readJsonTxtRecord } from "./records/txt.ts";
import { parseWith } from "./validate.ts";

/**
 * An override lease: a person's decision that wins over the automatic policy
 * until it expires or is released. Stored as JSON in a TXT record in the same
 * hosted zone as the weighted records, written by compare-and-swap.
 */
export const leaseSchema = z.lazy(() =>
  z.strictObject({
    /** Unique id of this lease (lets `release` and alerts refer to it). */
    id: z.string().min(1).max(64),
    /**
     * `promote`: all traffic to `target`; `drain`: `target` to 0, the rest
     * shared by normal weights; `pin`: exactly `weights`.
     */
    action: z.enum(["promote", "drain", "pin"]),
    /** Target of `promote` / `drain`. */
    target: z.string().min(1).optional(),
    /** Explicit weights of `pin`, by target id. */
    weights: z.record(z.string(), z.int().min(0).max(255)).optional(),
    /** Who took the lease (IAM principal or a name). */
    actor: z.string().min(1).max(128),
    /** Why: shown in Slack, `status` and every decision while it holds. */
    reason: z.string().min(1).max(500),
    /** Epoch seconds. */
    createdAt: z.number().int().nonnegative(),
    /** Epoch seconds; after this the policy ignores the lease. */
    expiresAt: z.number().int().nonnegative(),
  }),
);

export type OverrideLease = z.output<typeof leaseSchema>;

/** Validates a lease read back from Route 53 (or built from an event). Throws ValidationError naming each bad field. */
export function parseLease(input: unknown): OverrideLease {
  return parseWith(leaseSchema, input, "override lease");
}

/** True while the lease holds at `now` (epoch seconds). */
export function leaseActive(lease: OverrideLease | undefined, now: number): lease is OverrideLease {
  return lease !== undefined && now < lease.expiresAt;
}

/** Name of the TXT record holding the override lease, beside the first managed record. */
export function leaseRecordName(firstRecordName: string): string {
  return `_lease._failover.${firstRecordName}`;
}

/** The lease as read from its TXT record. */
export interface LeaseRead {
  /** The lease; undefined when absent or malformed. */
  lease: OverrideLease | undefined;
  /** Why a present lease record was ignored (malformed); undefined when none was. */
  problem: string | undefined;
  /** The exact current record, if any (what a compare-and-swap DELETE carries). */
  record: RecordSetData | undefined;
}

/** Reads and validates the lease from the record sets listed under `name`; a malformed lease is reported, never used. */
export function readLeaseRecord(sets: RecordSetData[], name: string): LeaseRead {
  const read = readJsonTxtRecord(sets, "lease", name);
  if (read.value === undefined) return { lease: undefined, problem: read.problem, record: read.record };
  try {
    return { lease: parseLease(read.value), problem: read.problem, record: read.record };
  } catch (error) {
    return { lease: undefined, problem: `lease record ${name} ignored: ${describeError(error)}`, record: read.record };
  }
}
