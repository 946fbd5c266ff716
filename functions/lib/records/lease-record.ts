import { describeError } from "../errors.ts";
import { parseLease, type OverrideLease } from "../lease.ts";
import type { RecordSetData } from "./record-set.ts";
import { readJsonTxtRecord } from "./txt.ts";

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
