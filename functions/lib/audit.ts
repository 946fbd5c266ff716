import * as z from "zod";
import type { AwsClientOptions } from "./aws/client-config.ts";
import { ParameterStore, type ParameterStoreOptions } from "./aws/ssm.ts";
import { describeError } from "./errors.ts";

/**
 * The audit trail of manual changes: who asked, why, and what the platform
 * says about the request. The lease and state TXT records are public DNS,
 * so they carry only an audit id (a lease's id, or a release's); the entry
 * itself is a standard SSM parameter per id, in every control region, which
 * only the account's principals can read. Written before the lease record
 * changes, so a lease never points at an entry that was not attempted; an
 * entry that cannot be read shows as {@link AUDIT_UNAVAILABLE}, never fails
 * a change.
 */

/** What is shown for an actor or reason whose audit entry cannot be read. */
export const AUDIT_UNAVAILABLE = "(audit unavailable)";
/** Largest value of a standard SSM parameter, in bytes: an entry must fit it. */
export const AUDIT_VALUE_MAX_BYTES = 4096;

const auditId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/);

export const auditEntrySchema = z.strictObject({
  v: z.literal(1),
  /** The lease id (promote, drain, pin) or the release's own id. */
  id: auditId,
  action: z.enum(["promote", "drain", "pin", "release", "release-hold"]),
  /** Who asked, as the caller said (`--actor`). */
  actor: z.string().min(1).max(128),
  /** Why, as the caller said. */
  reason: z.string().max(500),
  /** Epoch seconds of the request. */
  at: z.int().nonnegative(),
  /** The Lambda invocation's request id: the `requestID` of the Invoke data event in CloudTrail, which holds the caller's ARN. */
  lambdaRequestId: z.string().max(128).optional(),
  /** The caller's identity (ARN) where the platform gives it to the function; unset for a plain Invoke. */
  caller: z.string().max(512).optional(),
});

export type AuditEntry = z.output<typeof auditEntrySchema>;

/** Who and why, as every view of a lease or a manual switch shows them. */
export interface Attribution {
  actor: string;
  reason: string;
}

/** The attribution of an entry, or {@link AUDIT_UNAVAILABLE} for both when there is none. */
export function attributionOf(entry: AuditEntry | undefined): Attribution {
  return entry === undefined
    ? { actor: AUDIT_UNAVAILABLE, reason: AUDIT_UNAVAILABLE }
    : { actor: entry.actor, reason: entry.reason };
}

/** SSM parameter name of the entry `id` of a deployment. */
export function auditParameterName(configName: string, id: string): string {
  return `/${configName}/audit/${id}`;
}

/** Bytes the entry takes as a parameter value (UTF-8 JSON). */
export function auditEntryBytes(entry: AuditEntry): number {
  return Buffer.byteLength(JSON.stringify(entry), "utf8");
}

/**
 * Bytes an entry with this actor and reason takes at most, whatever the
 * other fields hold (longest ids, time, request id and caller): validation
 * refuses a reason and actor beyond {@link AUDIT_VALUE_MAX_BYTES}.
 */
export function worstCaseAuditBytes(actor: string, reason: string): number {
  return auditEntryBytes({
    v: 1,
    id: "x".repeat(64),
    action: "release-hold",
    actor,
    reason,
    at: 9_999_999_999,
    lambdaRequestId: "x".repeat(128),
    caller: "x".repeat(512),
  });
}

/** What reading an entry found: the entry, or nothing (with why, when it was not a plain absence). */
export interface AuditRead {
  entry: AuditEntry | undefined;
  problem: string | undefined;
}

/** Where entries are written and read. */
export interface AuditTrail {
  /** Stores the entry; answers the problems (a store that failed), never throws. */
  write(entry: AuditEntry): Promise<string[]>;
  /** The entry `id`; never throws. */
  read(id: string): Promise<AuditRead>;
}

/**
 * Entries in every control region's parameter store: written to all of them
 * (a change goes ahead when at least one took it, and also when none did,
 * with a problem, since a failover must not wait on its paperwork; the
 * function's log has the entry then), read from `ownRegion` first.
 */
export class ParameterAuditTrail implements AuditTrail {
  private readonly regions: string[];

  constructor(
    private readonly configName: string,
    private readonly stores: ReadonlyMap<string, ParameterStore>,
    ownRegion: string,
  ) {
    this.regions = [...stores.keys()].sort((a, b) => Number(b === ownRegion) - Number(a === ownRegion));
  }

  async write(entry: AuditEntry): Promise<string[]> {
    const name = auditParameterName(this.configName, entry.id);
    const value = JSON.stringify(auditEntrySchema.parse(entry));
    const results = await Promise.all(
      this.regions.map((region) =>
        (this.stores.get(region) as ParameterStore).put(name, value).then(
          () => undefined,
          (error: unknown) => `${region}: ${describeError(error)}`,
        ),
      ),
    );
    const failed = results.filter((result) => result !== undefined);
    if (failed.length === 0) return [];
    const where = failed.length === this.regions.length ? "in no control region" : "not in every control region";
    return [`audit entry ${entry.id} stored ${where} (${failed.join("; ")}); the change went ahead`];
  }

  async read(id: string): Promise<AuditRead> {
    const name = auditParameterName(this.configName, id);
    const problems: string[] = [];
    for (const region of this.regions) {
      try {
        const value = await (this.stores.get(region) as ParameterStore).get(name);
        if (value === undefined) continue;
        return { entry: auditEntrySchema.parse(JSON.parse(value)), problem: undefined };
      } catch (error) {
        problems.push(`${region}: ${describeError(error)}`);
      }
    }
    return {
      entry: undefined,
      problem: problems.length === 0 ? undefined : `audit entry ${id} unreadable (${problems.join("; ")})`,
    };
  }
}

/** The audit trail of a deployment in its control regions' parameter stores, read from `ownRegion` first. */
export function auditTrailFor(
  config: { name: string; controlRegions: readonly string[] },
  ownRegion: string,
  aws: AwsClientOptions & Pick<ParameterStoreOptions, "retry"> = {},
): ParameterAuditTrail {
  const stores = new Map(config.controlRegions.map((region) => [region, new ParameterStore({ ...aws, region })]));
  return new ParameterAuditTrail(config.name, stores, ownRegion);
}

/** Entries in memory, for code run without an account (unit tests). */
export function memoryAuditTrail(): AuditTrail & { entries: Map<string, AuditEntry> } {
  const entries = new Map<string, AuditEntry>();
  return {
    entries,
    write: async (entry) => {
      entries.set(entry.id, auditEntrySchema.parse(entry));
      return [];
    },
    read: async (id) => ({ entry: entries.get(id), problem: undefined }),
  };
}
