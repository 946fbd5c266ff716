import * as z from "zod";
import type { AwsClientOptions } from "./aws/client-config.ts";
import { ParameterStore, type ParameterStoreOptions } from "./aws/ssm.ts";
import { describeError, FailoverError } from "./errors.ts";

/**
 * The audit trail of manual changes: who asked, why, and what the platform
 * says about the request. The lease and state TXT records are public DNS,
 * so they carry only an audit id (a lease's id, or a release's); the entry
 * itself is a standard SSM parameter per id, in every control region, which
 * only the account's principals can read. Written once, by the request that
 * takes the lease, and never overwritten (a repeated id is a retry only when
 * action, actor and reason match); written before the lease record
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
  /** The lease id (promote, drain, pin), or the release's or practice request's own id. */
  id: auditId,
  action: z.enum(["promote", "drain", "pin", "release", "release-hold", "practice-start", "practice-cancel"]),
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
  /**
   * Stores the entry once: an id already holding the same request (action,
   * actor and reason; a retry) is left as it is, one holding another request
   * throws {@link AuditConflictError} before anything is written where it
   * was found. Answers the problems (a store that failed); never overwrites.
   */
  write(entry: AuditEntry): Promise<string[]>;
  /** The entry `id`; never throws. */
  read(id: string): Promise<AuditRead>;
}

/** Whether two entries record the same request: a retry repeats the action, the actor and the reason. */
export function sameRequest(a: AuditEntry, b: AuditEntry): boolean {
  return a.action === b.action && a.actor === b.actor && a.reason === b.reason;
}

/** An id whose audit entry records another request: the change is refused, nothing was changed. */
export class AuditConflictError extends FailoverError {
  constructor(stored: AuditEntry, asked: AuditEntry) {
    const differ = (["action", "actor", "reason"] as const).filter((field) => stored[field] !== asked[field]);
    super(
      "REQUEST_ID_REUSED",
      `request id ${asked.id} already belongs to another request (its ${differ.join(" and ")} differ${differ.length === 1 ? "s" : ""}): a retry must repeat the action, actor and reason; refused, nothing was changed`,
      {
        hint: "A request id (the lease id) is written once, by the request that took it. For a new change leave requestId out (the CLI makes a fresh one per command); `failover status` shows the lease as it is.",
      },
    );
  }
}

/** What one control region held for an id before a write. */
type Held = { kind: "entry"; entry: AuditEntry } | { kind: "absent" } | { kind: "unreadable"; problem: string };

/**
 * Entries in every control region's parameter store, written once each
 * (PutParameter without overwrite). Before writing, every region is read:
 * an entry of another request under the id anywhere refuses the write
 * everywhere; the same request (a retry) fills only the regions that miss
 * it. A write that fails in a region leaves a problem: the change goes
 * ahead when at least one took it, and also when none did, since a
 * failover must not wait on its paperwork (the function's log has the
 * entry then). Read from `ownRegion` first.
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
    const held = await Promise.all(this.regions.map((region) => this.held(region, name)));
    for (const one of held)
      if (one.kind === "entry" && !sameRequest(one.entry, entry)) throw new AuditConflictError(one.entry, entry);
    const results = await Promise.all(
      this.regions.map(async (region, index) => {
        if (held[index]?.kind === "entry") return undefined;
        try {
          if (await this.store(region).create(name, value)) return undefined;
          // There already: a lost answer of this very write, or a request racing for the same id.
          const now = await this.held(region, name);
          if (now.kind === "entry" && !sameRequest(now.entry, entry)) throw new AuditConflictError(now.entry, entry);
          return now.kind === "entry"
            ? undefined
            : `${region}: ${now.kind === "unreadable" ? now.problem : "created, then not found"}`;
        } catch (error) {
          if (error instanceof AuditConflictError) throw error;
          return `${region}: ${describeError(error)}`;
        }
      }),
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
      const held = await this.held(region, name);
      if (held.kind === "entry") return { entry: held.entry, problem: undefined };
      if (held.kind === "unreadable") problems.push(`${region}: ${held.problem}`);
    }
    return {
      entry: undefined,
      problem: problems.length === 0 ? undefined : `audit entry ${id} unreadable (${problems.join("; ")})`,
    };
  }

  private store(region: string): ParameterStore {
    return this.stores.get(region) as ParameterStore;
  }

  private async held(region: string, name: string): Promise<Held> {
    try {
      const value = await this.store(region).get(name);
      return value === undefined
        ? { kind: "absent" }
        : { kind: "entry", entry: auditEntrySchema.parse(JSON.parse(value)) };
    } catch (error) {
      return { kind: "unreadable", problem: describeError(error) };
    }
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
      const stored = entries.get(entry.id);
      if (stored !== undefined && !sameRequest(stored, entry)) throw new AuditConflictError(stored, entry);
      if (stored === undefined) entries.set(entry.id, auditEntrySchema.parse(entry));
      return [];
    },
    read: async (id) => ({ entry: entries.get(id), problem: undefined }),
  };
}
