import type {
  Change,
  ListResourceRecordSetsCommandOutput,
  ResourceRecordSet,
  Route53Client,
  RRType,
} from "@aws-sdk/client-route-53";
import type { FailoverConfig } from "../config.ts";
import { describeError } from "../errors.ts";
import { normalizeDnsName } from "../dns-name.ts";
import { casChanges, initPlan, type InitPlan, type ZoneChange } from "../records/change-batch.ts";
import {
  compareKeys,
  driftOf,
  groupId,
  orderKey,
  type GroupKey,
  type RecordChange,
  type RecordSetData,
} from "../records/record-set.ts";
import { Route53Error, type Route53ErrorCode } from "../records/route53-error.ts";
import { existingWeightedRecords, managedGroups, zoneSnapshotOf, type ZoneSnapshot } from "../records/zone-snapshot.ts";
import type { UpdatePlan, UpdateResult } from "../records/zone-update.ts";
import { clientConfig, type AwsClientOptions } from "./client-config.ts";
import { awsFailure, failureCodes } from "./failure.ts";
import {
  classifyAwsError,
  retrySettings,
  withRetry,
  type GiveUp,
  type RetryOptions,
  type RetrySettings,
} from "./retry.ts";
import { CallStats } from "./stats.ts";
import { requireSdk } from "./require-sdk.ts";

/** The SDK, loaded with the adapter: every function that imports this module reads Route 53 each invocation. */
const route53 = requireSdk<typeof import("@aws-sdk/client-route-53")>("@aws-sdk/client-route-53");
const { ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand } = route53;

/**
 * Route 53 adapter: the only deployed module that imports
 * `@aws-sdk/client-route-53`. It lists record sets (paging), sends change
 * batches, recovers from ambiguous failures, waits for INSYNC, and maps
 * every SDK failure to a {@link Route53Error}. What the records mean lives
 * in ../records/: the snapshot (zone-snapshot.ts), the compare-and-swap
 * batches (change-batch.ts), an update's plan and result (zone-update.ts)
 * and the record sets themselves (record-set.ts).
 */

/** What `init` did (or, with dryRun, would do). */
export interface InitOutcome {
  /** The weighted records created, as `name type id`. */
  created: string[];
  /** The sets taken over (deleted in the same batch), as read. */
  replaced: string[];
  /** Route 53 change id; "" for a dry run or an applied batch whose answer was lost. */
  changeId: string;
  /** Every answer was lost and a read back showed the batch applied. */
  readBack?: true;
  /** Every weighted record existed already (a rerun): nothing was sent; as `name type "id"`. */
  unchanged?: string[];
}

export interface ApplyResult {
  /** Route 53 change id; "" when nothing needed changing, or when an ambiguous failure (timeout) was followed by a read proving the change applied (its id is lost). */
  changeId: string;
  /** Route 53 calls (HTTP attempts) this apply took. */
  calls: number;
  /** The answer was lost and a read back showed the change in place (`changeId` is "" then). */
  readBack?: true;
}

export interface Route53SwitcherOptions extends AwsClientOptions {
  /** A ready client (tests, the drill). @default a client from `endpoint`/`credentials`, region us-east-1 */
  client?: Route53Client;
  /** Retry budget and backoff for each call. @default see RetryOptions (8 s budget, 3 s per attempt) */
  retry?: RetryOptions;
  /** MaxItems per ListResourceRecordSets page (1-300). @default 100 */
  pageSize?: number;
  /** Pages one read may take before it is abandoned as runaway paging. @default 100 */
  maxPages?: number;
  /** Interval between GetChange polls in `waitInsync`. @default 1000 */
  insyncPollMs?: number;
  /** Shared call counters (e.g. one per decider round). @default a new CallStats */
  stats?: CallStats;
}

/** Reads and switches the weighted records of one config's hosted zone. */
export class Route53Switcher {
  /** Calls and bytes per Route 53 operation, since construction (or `stats.reset()`). */
  readonly stats: CallStats;
  private readonly client: Route53Client;
  private readonly retry: RetrySettings;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly insyncPollMs: number;

  constructor(
    private readonly config: FailoverConfig,
    options: Route53SwitcherOptions = {},
  ) {
    this.client = options.client ?? new route53.Route53Client(clientConfig("us-east-1", options));
    this.stats = options.stats ?? new CallStats();
    this.stats.attachTo(this.client);
    this.retry = retrySettings(options.retry);
    this.pageSize = Math.min(300, Math.max(1, options.pageSize ?? 100));
    this.maxPages = options.maxPages ?? 100;
    this.insyncPollMs = options.insyncPollMs ?? 1000;
  }

  /** Reads every managed weighted record, the lease and the state; throws ROUTE53_MISSING_RECORD / ROUTE53_UNEXPECTED_RECORD when records and targets disagree. */
  async read(): Promise<ZoneSnapshot> {
    const before = this.stats.total().calls;
    const groups = await this.listGroups(managedGroups(this.config));
    return zoneSnapshotOf(this.config, groups, this.stats.total().calls - before);
  }

  /** One change batch per zone: DELETE exact current + CREATE new for each changed record (and the lease/state TXT records). */
  async apply(from: ZoneSnapshot, change: ZoneChange): Promise<ApplyResult> {
    const changes = casChanges(this.config, from, change).map(toSdkChange);
    if (changes.length === 0) return { changeId: "", calls: 0 };
    const before = this.stats.total().calls;
    let ambiguous = false;
    try {
      const output = await this.call("ChangeResourceRecordSets", async (signal) => {
        try {
          return await this.client.send(
            new ChangeResourceRecordSetsCommand({
              HostedZoneId: this.config.hostedZone.id,
              ChangeBatch: { Comment: `${this.config.name}: compare-and-swap`, Changes: changes },
            }),
            { abortSignal: signal },
          );
        } catch (error) {
          // A timeout or 5xx may have been applied anyway; remember it for the conflict check below.
          if (classifyAwsError(error) === "unavailable") ambiguous = true;
          throw error;
        }
      });
      const changeId = output.ChangeInfo?.Id;
      if (typeof changeId !== "string" || changeId === "")
        throw badAnswer("ChangeResourceRecordSets", "ChangeInfo.Id is missing");
      return { changeId, calls: this.stats.total().calls - before };
    } catch (error) {
      if (!ambiguous || !(error instanceof Route53Error)) throw error;
      if (error.code !== "ROUTE53_CONFLICT" && error.code !== "ROUTE53_UNAVAILABLE") throw error;
      // An attempt's answer was lost: the batch may be in place. Only a read can say.
      const readBack = await this.readBack(from, change);
      if (readBack.outcome === "applied")
        return { changeId: "", calls: this.stats.total().calls - before, readBack: true };
      if (error.code === "ROUTE53_CONFLICT") throw error;
      throw outcomeError(error, readBack);
    }
  }

  /**
   * CAS loop: read, let `plan` re-decide, apply; on conflict re-read, at most
   * `maxAttempts` times (default 3). `first` is a read already under way
   * (started with the caller's other reads), taken as the first attempt's
   * snapshot: a write made since makes that attempt a conflict, which reads again.
   */
  async update<T>(
    plan: (snapshot: ZoneSnapshot) => UpdatePlan<T>,
    options: { maxAttempts?: number; first?: Promise<ZoneSnapshot> } = {},
  ): Promise<UpdateResult<T>> {
    const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    let lastConflict: Route53Error | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const snapshot = attempt === 1 && options.first ? await options.first : await this.read();
      const { change, decided } = plan(snapshot);
      if (change === undefined || casChanges(this.config, snapshot, change).length === 0)
        return { applied: false, attempts: attempt, snapshot, decided };
      try {
        const result = await this.apply(snapshot, change);
        return {
          applied: true,
          attempts: attempt,
          snapshot,
          decided,
          change,
          changeId: result.changeId,
          ...(result.readBack ? { readBack: true as const } : {}),
        };
      } catch (error) {
        if (!(error instanceof Route53Error) || error.code !== "ROUTE53_CONFLICT") throw error;
        lastConflict = error;
        // De-synchronise two deciders that lost to each other before re-reading.
        await this.retry.sleep(Math.floor(this.retry.random() * this.retry.baseDelayMs * 2));
      }
    }
    throw new Route53Error(
      "ROUTE53_CONFLICT",
      `lost the compare-and-swap on hosted zone ${this.config.hostedZone.id} ${maxAttempts} times in a row: another writer keeps changing the records`,
      {
        cause: lastConflict,
        messages: lastConflict?.messages,
        hint: "Check that only the deciders and `failover` write these records; the next round will re-read and try again.",
      },
    );
  }

  /** Polls GetChange until INSYNC or `timeoutMs` (default 60000). A slow sync is reported, never a reason to re-send. */
  async waitInsync(
    changeId: string,
    options: { timeoutMs?: number } = {},
  ): Promise<{ insync: boolean; waitedMs: number }> {
    if (changeId === "") return { insync: false, waitedMs: 0 };
    const timeoutMs = options.timeoutMs ?? 60_000;
    const started = this.retry.now();
    for (let poll = 0; poll < 10_000; poll++) {
      const output = await this.call("GetChange", (signal) =>
        this.client.send(new GetChangeCommand({ Id: changeId }), { abortSignal: signal }),
      );
      const status = output.ChangeInfo?.Status;
      if (status !== "PENDING" && status !== "INSYNC")
        throw badAnswer("GetChange", `ChangeInfo.Status is ${JSON.stringify(status)}, expected PENDING or INSYNC`);
      const waitedMs = this.retry.now() - started;
      if (status === "INSYNC") return { insync: true, waitedMs };
      if (waitedMs >= timeoutMs) return { insync: false, waitedMs };
      await this.retry.sleep(Math.min(this.insyncPollMs, timeoutMs - waitedMs));
    }
    return { insync: false, waitedMs: this.retry.now() - started };
  }

  /**
   * Creates the weighted records once (failover init), with the config's
   * weights, taking over in the same batch any other set of a managed name
   * and type (a simple record, foreign weighted sets: deleted as read; see
   * {@link initPlan}). When every managed weighted record exists and nothing
   * else holds their names, a rerun: sends nothing and answers them as
   * `unchanged` (weights kept). Refuses when only some exist, or alongside
   * other sets. `dryRun` reads and answers the plan without sending it. When every
   * answer to the batch was lost, reads back: the records exactly as init
   * creates them, and nothing else, are its own batch applied (`readBack`,
   * change id unknown).
   */
  async init(options: { dryRun?: boolean } = {}): Promise<InitOutcome> {
    const plan = initPlan(this.config, await this.listGroups(managedGroups(this.config)));
    if (plan.existing.length > 0) {
      if (plan.replaced.length === 0 && plan.existing.length === plan.created.length)
        return { created: [], replaced: [], changeId: "", unchanged: plan.existing };
      throw new Route53Error(
        "ROUTE53_EXISTS",
        `hosted zone ${this.config.hostedZone.id} already has ${plan.existing.join(", ")}${plan.replaced.length > 0 ? ` and also ${plan.replaced.join("; ")}` : ""}: init creates all of ${plan.created.join(", ")} in one batch and does not overwrite records`,
        {
          hint: "Use `failover status` to see them; delete them by hand first if you really mean to start over.",
        },
      );
    }
    const { changes, created, replaced } = plan;
    if (options.dryRun) return { created, replaced, changeId: "" };
    let ambiguous = false;
    try {
      const output = await this.call("ChangeResourceRecordSets", async (signal) => {
        try {
          return await this.client.send(
            new ChangeResourceRecordSetsCommand({
              HostedZoneId: this.config.hostedZone.id,
              ChangeBatch: { Comment: `${this.config.name}: init`, Changes: changes.map(toSdkChange) },
            }),
            { abortSignal: signal },
          );
        } catch (error) {
          // A lost answer may follow an applied batch; its retry then finds the records "already exist".
          if (classifyAwsError(error) === "unavailable") ambiguous = true;
          throw error;
        }
      });
      return { created, replaced, changeId: output.ChangeInfo?.Id ?? "" };
    } catch (error) {
      if (!ambiguous || !(error instanceof Route53Error)) throw error;
      if (error.code !== "ROUTE53_CONFLICT" && error.code !== "ROUTE53_UNAVAILABLE") throw error;
      return { created, replaced, ...(await this.initReadBack(plan, error)) };
    }
  }

  /**
   * After init's batch lost its answer: reads the records and answers
   * applied (readBack) when every record it creates is there exactly as it
   * creates it and nothing else is; otherwise an error saying what the read
   * showed, never "another writer switched first".
   */
  private async initReadBack(plan: InitPlan, error: Route53Error): Promise<{ changeId: ""; readBack: true }> {
    let groups: Map<string, RecordSetData[]>;
    try {
      groups = await this.listGroups(managedGroups(this.config));
    } catch (readError) {
      throw outcomeError(error, {
        outcome: "unknown",
        detail: `reading the records back failed too: ${describeError(readError)}`,
      });
    }
    const existing = existingWeightedRecords(this.config, groups);
    const asCreated = this.config.records.every((record) =>
      this.config.targets.every((target) => {
        const set = groups.get(groupId(record))?.find((one) => one.SetIdentifier === target.id);
        return set?.Weight === target.weight && driftOf(set, record, target) === undefined;
      }),
    );
    if (asCreated && existing.length === plan.created.length) return { changeId: "", readBack: true };
    const now = initPlan(this.config, groups);
    const asBefore = now.existing.length === 0 && now.replaced.join("\n") === plan.replaced.join("\n");
    throw outcomeError(error, {
      outcome: asBefore ? "not-applied" : "unknown",
      detail: asBefore
        ? plan.replaced.length > 0
          ? `no weighted record exists; ${plan.replaced.join(", ")} still in place`
          : "no weighted record exists"
        : `the zone holds ${existing.join(", ")}, not exactly what init creates: another writer changed records meanwhile`,
    });
  }

  /**
   * After a failure that may have followed an applied batch: reads the zone
   * and says whether it holds exactly what `change` asked for (applied), is
   * as it was when the change was decided (not applied), or neither / could
   * not be read (unknown).
   */
  private async readBack(from: ZoneSnapshot, change: ZoneChange): Promise<ReadBack> {
    let now: ZoneSnapshot;
    try {
      now = await this.read();
    } catch (error) {
      return { outcome: "unknown", detail: `reading the records back failed too: ${describeError(error)}` };
    }
    if (casChanges(this.config, now, change).length === 0)
      return { outcome: "applied", detail: "the records hold the change" };
    const exact = (s: ZoneSnapshot) => JSON.stringify([s.records, s.leaseRecord ?? null, s.stateRecord ?? null]);
    if (exact(now) === exact(from)) return { outcome: "not-applied", detail: "the records are as they were" };
    return {
      outcome: "unknown",
      detail: "another writer changed the records since, so whether this change was applied first cannot be told",
    };
  }

  /**
   * Lists the record sets of the wanted groups with as few calls as possible:
   * one listing from the first wanted name (in Route 53's order: labels
   * reversed, then type, then SetIdentifier), paging with
   * NextRecordName/Type/Identifier, jumping ahead past unwanted records, and
   * stopping once every wanted group is behind the next page's start.
   */
  private async listGroups(wanted: GroupKey[]): Promise<Map<string, RecordSetData[]>> {
    const sorted = [...wanted].sort((a, b) => compareKeys(orderKey(a), orderKey(b)));
    const groups = new Map<string, RecordSetData[]>(sorted.map((key) => [groupId(key), []]));
    const firstWanted = sorted[0] as GroupKey;
    let start: { name: string; type?: string; identifier?: string } = { name: firstWanted.name };
    for (let page = 1; ; page++) {
      if (page > this.maxPages) {
        throw new Route53Error(
          "ROUTE53_BAD_ANSWER",
          `ListResourceRecordSets on ${this.config.hostedZone.id} did not end after ${this.maxPages} pages`,
          {
            hint: "Check that the endpoint pages with NextRecordIdentifier (a stock moto does not; use emulator/moto_launcher.py).",
          },
        );
      }
      const output = await this.call("ListResourceRecordSets", (signal) =>
        this.client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: this.config.hostedZone.id,
            StartRecordName: start.name,
            ...(start.type ? { StartRecordType: start.type as RRType } : {}),
            ...(start.identifier ? { StartRecordIdentifier: start.identifier } : {}),
            MaxItems: this.pageSize,
          }),
          { abortSignal: signal },
        ),
      );
      for (const set of validatePage(output)) {
        groups.get(groupId({ name: set.Name, type: set.Type }))?.push(set);
      }
      if (!output.IsTruncated) return groups;
      const next = {
        name: normalizeDnsName(output.NextRecordName ?? ""),
        type: output.NextRecordType ?? "",
        identifier: output.NextRecordIdentifier,
      };
      if (next.name === "" || next.type === "")
        throw badAnswer("ListResourceRecordSets", "IsTruncated is true but NextRecordName/NextRecordType are missing");
      if (
        start.type !== undefined &&
        next.name === start.name &&
        next.type === start.type &&
        next.identifier === start.identifier
      ) {
        throw badAnswer(
          "ListResourceRecordSets",
          `paging did not advance past ${next.name} ${next.type}${next.identifier ? ` "${next.identifier}"` : ""} (NextRecordIdentifier ignored?)`,
        );
      }
      const nextKey = orderKey(next);
      const pending = sorted.filter((key) => compareKeys(orderKey(key), nextKey) >= 0);
      if (pending.length === 0) return groups;
      const firstPending = pending[0] as GroupKey;
      // Jump straight to the next wanted group when unwanted records lie in between.
      start =
        compareKeys(orderKey(firstPending), nextKey) > 0
          ? { name: firstPending.name, type: firstPending.type }
          : next.identifier
            ? { name: next.name, type: next.type, identifier: next.identifier }
            : { name: next.name, type: next.type };
    }
  }

  /** Runs one SDK call with retries; turns every failure into a Route53Error. */
  private call<T>(operation: string, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withRetry(send, this.retry, (giveUp) => route53Failure(operation, giveUp, this.config.hostedZone.id));
  }
}

/** What a read after an ambiguous failure showed. */
interface ReadBack {
  outcome: "applied" | "not-applied" | "unknown";
  detail: string;
}

/** The error for a change whose every answer was lost, saying what the read back proved. */
function outcomeError(error: Route53Error, readBack: ReadBack): Route53Error {
  if (readBack.outcome === "not-applied")
    return new Route53Error("ROUTE53_UNAVAILABLE", `${error.message}; read back: not applied (${readBack.detail})`, {
      cause: error,
      outcome: "not-applied",
      hint: "A read proved nothing was changed. Deciders try again next round; by hand, check your network, credentials and AWS_ENDPOINT_URL, then retry.",
    });
  return new Route53Error(
    "ROUTE53_UNAVAILABLE",
    `${error.message}; the change may have been applied: every answer was lost and ${readBack.detail}`,
    {
      cause: error,
      outcome: "unknown",
      hint: "Assume neither: `failover status` shows what is in place once Route 53 answers; deciders re-read next round.",
    },
  );
}

/** The Route53Error for a call that gave up (also for the emulator's zone set-up). */
export function route53Failure(operation: string, giveUp: GiveUp, zone: string): Route53Error {
  const { cause } = giveUp;
  const name = (cause as { name?: string }).name ?? "";
  const message = (cause as { message?: string }).message ?? "";
  if (giveUp.kind === "rejected" && name === "InvalidChangeBatch") {
    const messages = splitBatchMessages(message);
    if (messages.some((m) => /do not match the current values|but it was not found|but it already exists/.test(m))) {
      return new Route53Error(
        "ROUTE53_CONFLICT",
        `Route 53 rejected the change batch on ${zone}: the records changed since they were read (${messages.join("; ")})`,
        {
          cause,
          messages,
          hint: "Another writer switched first; nothing was changed. Re-read and decide again (update() does this).",
        },
      );
    }
    return new Route53Error(
      "ROUTE53_REJECTED",
      `Route 53 rejected the change batch on ${zone}: ${messages.join("; ")}`,
      { cause, messages, hint: "The batch is invalid; nothing was changed. Check the record values in the config." },
    );
  }
  if (giveUp.kind === "rejected" && name === "NoSuchHostedZone")
    return new Route53Error("ROUTE53_NO_ZONE", `hosted zone ${zone} does not exist`, {
      cause,
      hint: "Check hostedZone.id in the config (Route 53 console, or `aws route53 list-hosted-zones`).",
    });
  const failure = awsFailure(
    { service: "Route 53", operation, codes: failureCodes("ROUTE53"), hints: route53Hints(operation) },
    giveUp,
  );
  return new Route53Error(failure.code as Route53ErrorCode, failure.message, failure.options);
}

function route53Hints(operation: string) {
  return {
    throttled:
      "Route 53 allows about 5 requests per second per account; nothing was changed. Deciders try again next round; by hand, retry in a few seconds and check for other tools hammering the API.",
    unavailable: `The Route 53 API is unreachable or failing${operation === "ChangeResourceRecordSets" ? "; the change may or may not have been applied (only a read can tell)" : ""}. Deciders try again next round; by hand, check your network, credentials and AWS_ENDPOINT_URL, then retry.`,
    "bad-answer": "Check the endpoint (AWS_ENDPOINT_URL) points at Route 53 or a compatible emulator.",
    rejected: "Check the IAM permissions and the request; it will not succeed by retrying.",
  };
}

/** Route 53 joins the problems of a batch as `[first, second]`. */
function splitBatchMessages(message: string): string[] {
  const inner = message.trim().replace(/^\[/, "").replace(/\]$/, "");
  return inner
    .split(/, (?=Tried to |RRSet )/)
    .map((m) => m.trim())
    .filter((m) => m !== "");
}

/** A Route53Error for an answer that lacks what the operation promises. */
export function badAnswer(operation: string, why: string): Route53Error {
  return new Route53Error("ROUTE53_BAD_ANSWER", `Route 53 ${operation} answer is malformed: ${why}`, {
    hint: "Check the endpoint (AWS_ENDPOINT_URL) points at Route 53 or a compatible emulator.",
  });
}

function validatePage(output: ListResourceRecordSetsCommandOutput): RecordSetData[] {
  if (typeof output.IsTruncated !== "boolean") throw badAnswer("ListResourceRecordSets", "IsTruncated is missing");
  const sets = output.ResourceRecordSets ?? [];
  if (!Array.isArray(sets)) throw badAnswer("ListResourceRecordSets", "ResourceRecordSets is not a list");
  return sets.map((set, index) => fromSdk(set, index));
}

function fromSdk(set: ResourceRecordSet, index: number): RecordSetData {
  if (typeof set.Name !== "string" || typeof set.Type !== "string")
    throw badAnswer("ListResourceRecordSets", `ResourceRecordSets[${index}] has no Name or Type`);
  if (set.Weight !== undefined && typeof set.Weight !== "number")
    throw badAnswer("ListResourceRecordSets", `ResourceRecordSets[${index}].Weight is not a number`);
  const data: RecordSetData = { Name: normalizeDnsName(set.Name), Type: set.Type };
  if (set.SetIdentifier !== undefined) data.SetIdentifier = set.SetIdentifier;
  if (set.Weight !== undefined) data.Weight = set.Weight;
  // An alias record has no TTL of its own (Route 53 rejects one; some emulators report 0).
  if (set.TTL !== undefined && set.AliasTarget === undefined) data.TTL = set.TTL;
  if (set.ResourceRecords !== undefined)
    data.ResourceRecords = set.ResourceRecords.map((r) => ({ Value: r.Value ?? "" }));
  if (set.AliasTarget !== undefined) {
    const alias = set.AliasTarget;
    data.AliasTarget = {
      HostedZoneId: alias.HostedZoneId ?? "",
      DNSName: alias.DNSName ?? "",
      EvaluateTargetHealth: alias.EvaluateTargetHealth ?? false,
    };
  }
  if (set.HealthCheckId !== undefined) data.HealthCheckId = set.HealthCheckId;
  return data;
}

function toSdk(set: RecordSetData): ResourceRecordSet {
  return { ...set, Type: set.Type as RRType };
}

function toSdkChange(change: RecordChange): Change {
  return { Action: change.Action, ResourceRecordSet: toSdk(change.ResourceRecordSet) };
}
