import type { CreateTableCommandInput, DynamoDBClient, QueryCommandOutput } from "@aws-sdk/client-dynamodb";
import type { FailoverConfig } from "../config.ts";
import { FailoverError } from "../errors.ts";
import type { ProbeRoundReport } from "../probe/report.ts";
import type { ProbeRound } from "../types.ts";
import { readVoteItem, sameVote, voteItem, voteTableName, windowRoundStarts, type VoteItem } from "../vote-items.ts";
import type { RegionResult } from "../region-result.ts";
import { clientConfig, type AwsClientOptions } from "./client-config.ts";
import { awsFailure, failureCodes } from "./failure.ts";
import {
  describeAwsError,
  retrySettings,
  withRetry,
  type GiveUp,
  type RetryOptions,
  type RetrySettings,
} from "./retry.ts";
import { CallStats, clientsPerRegion, tallied } from "./stats.ts";
import { requireSdk } from "./require-sdk.ts";

/** The SDK, loaded with the adapter: probes write and deciders read votes every round. */
const dynamo = requireSdk<typeof import("@aws-sdk/client-dynamodb")>("@aws-sdk/client-dynamodb");
const { CreateTableCommand, GetItemCommand, PutItemCommand, QueryCommand, UpdateTimeToLiveCommand } = dynamo;

/**
 * DynamoDB adapter: the only module that imports `@aws-sdk/client-dynamodb`.
 * The probe votes, one plain item per vantage and round (../vote-items.ts),
 * in a table per control region: a probe round is one conditional PutItem
 * per control region, in parallel and independently; a decider reads its
 * window with one strongly consistent Query per vantage, in parallel, so a
 * vote is readable the moment its write returns.
 *
 * Defences against a forged vote: each probe's role may write only items
 * whose partition key is its own vantage (IAM dynamodb:LeadingKeys,
 * stacks/iam.ts); a write never replaces an item (a second, different vote
 * for a round is refused, and the one stored stays); the decider counts an
 * item only when every field checks (../vote-items.ts readVoteItem) and
 * otherwise names the vantage in the round's `conflicts` (a suspect checker)
 * and tells `onRejected` which field and why.
 */

export type VoteTableErrorCode =
  | "DYNAMODB_THROTTLED"
  | "DYNAMODB_UNAVAILABLE"
  | "DYNAMODB_BAD_ANSWER"
  | "DYNAMODB_REJECTED"
  | "DYNAMODB_VOTE_CONFLICT"
  | "DYNAMODB_INVALID_INPUT";

export class VoteTableError extends FailoverError {
  declare readonly code: VoteTableErrorCode;
  constructor(code: VoteTableErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
  }
}

/** An item a decider did not count, and why. */
export interface RejectedVote {
  region: string;
  vantage: string;
  at?: number;
  reason: string;
}

export interface VoteTableOptions extends AwsClientOptions {
  /** Client for a region (tests, the drill, a fault proxy per region). @default a cached client per region from `endpoint`/`credentials` */
  clientFor?: (region: string) => DynamoDBClient;
  /** Endpoint per region (the drill's dead region); undefined falls back to `endpoint`. @default none */
  endpointFor?: (region: string) => string | undefined;
  /** Retry budget per region and call; a dead region costs at most this. @default 4 s budget, 2 s per attempt */
  retry?: RetryOptions;
  /** Shared call counters. @default a new CallStats */
  stats?: CallStats;
  /** Epoch ms, stamped into each item's `writtenAt`. @default Date.now */
  now?: () => number;
  /** Hears of every item a read did not count (log it). @default none */
  onRejected?: (rejected: RejectedVote) => void;
}

/** The votes table's keys: a partition per vantage, its rounds sorted by time (stacks/votes.ts declares the same for deployments). */
export const VOTES_TABLE_KEYS = {
  AttributeDefinitions: [
    { AttributeName: "vantage", AttributeType: "S" },
    { AttributeName: "at", AttributeType: "N" },
  ],
  KeySchema: [
    { AttributeName: "vantage", KeyType: "HASH" },
    { AttributeName: "at", KeyType: "RANGE" },
  ],
} satisfies Pick<CreateTableCommandInput, "AttributeDefinitions" | "KeySchema">;

/** Query pages per vantage before the answer counts as broken: a window is a handful of items. */
const MAX_QUERY_PAGES = 20;

export class VoteTable {
  readonly stats: CallStats;
  private readonly retry: RetrySettings;
  private readonly clientFor: (region: string) => DynamoDBClient;
  private readonly table: string;
  private readonly targets: ReadonlySet<string>;
  private readonly now: () => number;
  private readonly onRejected: (rejected: RejectedVote) => void;

  constructor(
    private readonly config: FailoverConfig,
    options: VoteTableOptions = {},
  ) {
    this.stats = options.stats ?? new CallStats();
    this.retry = retrySettings({ budgetMs: 4000, attemptTimeoutMs: 2000, ...options.retry });
    this.table = voteTableName(config);
    this.targets = new Set(config.targets.map((t) => t.id));
    this.now = options.now ?? Date.now;
    this.onRejected = options.onRejected ?? (() => {});
    const make =
      options.clientFor ??
      ((region: string) =>
        new dynamo.DynamoDBClient(
          clientConfig(region, { ...options, endpoint: options.endpointFor?.(region) ?? options.endpoint }),
        ));
    this.clientFor = clientsPerRegion(make, this.stats);
  }

  /**
   * Writes a voting round's item to every region (default: the control
   * regions), in parallel; one region failing never stops another. A round
   * that does not vote (its canary failed) writes nothing. Never throws.
   */
  publishProbeRound(report: ProbeRoundReport, regions: string[] = this.config.controlRegions): Promise<RegionResult[]> {
    if (!report.voting) return Promise.resolve(regions.map((region) => ({ region, ok: true, calls: 0, bytes: 0 })));
    const item = voteItem(report, this.now() / 1000);
    return Promise.all(
      regions.map(async (region): Promise<RegionResult> => {
        const tally = { calls: 0, bytes: 0 };
        try {
          await this.putOnce(region, item, tally);
          return { region, ok: true, ...tally };
        } catch (error) {
          const failure =
            error instanceof FailoverError
              ? error
              : new VoteTableError("DYNAMODB_UNAVAILABLE", `PutItem to ${region} failed: ${describeAwsError(error)}`, {
                  cause: error,
                });
          return { region, ok: false, error: failure, ...tally };
        }
      }),
    );
  }

  /**
   * The votes of every vantage over the rounds in (now - windowSeconds,
   * now], oldest first, one entry per round (a round nobody voted in has
   * empty votes): one strongly consistent Query per vantage, in parallel.
   * An item that does not check puts its vantage in that round's
   * `conflicts` (no vote) and goes to `onRejected`. Throws when a Query
   * fails (the round cannot see the votes; the next one tries again).
   */
  async readWindow(region: string, now: number, windowSeconds: number): Promise<ProbeRound[]> {
    const period = this.config.probe.intervalSeconds;
    const starts = windowRoundStarts(now, windowSeconds, period);
    if (starts === undefined)
      throw new VoteTableError(
        "DYNAMODB_INVALID_INPUT",
        `readWindow needs a time and a positive window, got now=${now}, windowSeconds=${windowSeconds}`,
      );
    const [first = 0, last = 0] = [starts[0], starts.at(-1)];
    const rounds = new Map<number, ProbeRound>(starts.map((at) => [at, { at, votes: {} }]));
    const perVantage = await Promise.all(
      this.config.vantages.map(async (vantage) => ({ vantage, items: await this.query(region, vantage, first, last) })),
    );
    for (const { vantage, items } of perVantage) {
      for (const item of items) {
        const read = readVoteItem(item, { vantage, period, first, last }, this.targets);
        const round = read.at === undefined ? undefined : rounds.get(read.at);
        if (read.ok) {
          if (round && !round.conflicts?.includes(vantage)) round.votes[vantage] = read.votes;
          continue;
        }
        this.onRejected({ region, vantage, ...(read.at === undefined ? {} : { at: read.at }), reason: read.reason });
        if (round) {
          round.conflicts = [...new Set([...(round.conflicts ?? []), vantage])];
          delete round.votes[vantage];
        }
      }
    }
    return [...rounds.values()];
  }

  /**
   * Creates the votes table in `region` (on-demand, TTL on `expiresAt`), or
   * leaves the one there: for the drill and tests; a deployment's tables
   * come from the stacks.
   */
  async createTable(region: string): Promise<void> {
    const client = this.clientFor(region);
    const created = this.call(region, "CreateTable", (signal) =>
      client.send(
        new CreateTableCommand({
          TableName: this.table,
          BillingMode: "PAY_PER_REQUEST",
          ...VOTES_TABLE_KEYS,
        }),
        { abortSignal: signal },
      ),
    );
    // One that exists already (a second set-up in the same emulator) is the same table.
    await created.catch((error: unknown) => {
      if (!(error instanceof FailoverError && (error.cause as { name?: string })?.name === "ResourceInUseException"))
        throw error;
    });
    await this.call(region, "UpdateTimeToLive", (signal) =>
      client.send(
        new UpdateTimeToLiveCommand({
          TableName: this.table,
          TimeToLiveSpecification: { Enabled: true, AttributeName: "expiresAt" },
        }),
        { abortSignal: signal },
      ),
    );
  }

  /**
   * One conditional PutItem: never replaces an item. When one is there
   * already (a retried write whose first try landed, or another writer),
   * it is read back: the same vote is success, a different one a
   * DYNAMODB_VOTE_CONFLICT (the stored item stays; the decider sees it).
   */
  private async putOnce(region: string, item: VoteItem, tally: { calls: number; bytes: number }): Promise<void> {
    const client = this.clientFor(region);
    try {
      await this.call(
        region,
        "PutItem",
        (signal) =>
          client.send(
            new PutItemCommand({
              TableName: this.table,
              Item: item as never,
              ConditionExpression: "attribute_not_exists(#at)",
              ExpressionAttributeNames: { "#at": "at" },
            }),
            { abortSignal: signal },
          ),
        tally,
      );
    } catch (error) {
      if (!(error instanceof FailoverError && isConditionFailed(error.cause))) throw error;
      const stored = await this.call(
        region,
        "GetItem",
        (signal) =>
          client.send(
            new GetItemCommand({
              TableName: this.table,
              Key: { vantage: item.vantage as never, at: item.at as never },
              ConsistentRead: true,
            }),
            { abortSignal: signal },
          ),
        tally,
      );
      if (stored.Item !== undefined && sameVote(stored.Item as VoteItem, item)) return;
      throw new VoteTableError(
        "DYNAMODB_VOTE_CONFLICT",
        `another vote for vantage ${item.vantage?.S} at ${item.at?.N} is already stored in ${region}; it was kept`,
        { hint: "Only this vantage's probe may write its votes: check who else holds its role (stacks/iam.ts)." },
      );
    }
  }

  /** Every item of `vantage` for rounds in [first, last], strongly consistent, all pages. */
  private async query(region: string, vantage: string, first: number, last: number): Promise<unknown[]> {
    const client = this.clientFor(region);
    const items: unknown[] = [];
    let start: QueryCommandOutput["LastEvaluatedKey"];
    for (let page = 1; page <= MAX_QUERY_PAGES; page++) {
      const output = await this.call(region, "Query", (signal) =>
        client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: "vantage = :v AND #at BETWEEN :first AND :last",
            ExpressionAttributeNames: { "#at": "at" },
            ExpressionAttributeValues: {
              ":v": { S: vantage },
              ":first": { N: String(first) },
              ":last": { N: String(last) },
            },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
          { abortSignal: signal },
        ),
      );
      if (output.Items !== undefined && !Array.isArray(output.Items))
        throw new VoteTableError(
          "DYNAMODB_BAD_ANSWER",
          `DynamoDB Query in ${region} answered Items that are not a list`,
        );
      items.push(...(output.Items ?? []));
      start = output.LastEvaluatedKey;
      if (start === undefined) return items;
    }
    throw new VoteTableError(
      "DYNAMODB_BAD_ANSWER",
      `DynamoDB Query in ${region} did not stop paging after ${MAX_QUERY_PAGES} pages`,
    );
  }

  /** One SDK call with retries; counts attempts and bytes into `tally`; every failure becomes a VoteTableError. */
  private call<T>(
    region: string,
    operation: string,
    send: (signal: AbortSignal) => Promise<T>,
    tally?: { calls: number; bytes: number },
  ): Promise<T> {
    const counted = (signal: AbortSignal) => tallied(tally, () => send(signal));
    return withRetry(counted, this.retry, (giveUp) => voteTableFailure(region, operation, giveUp));
  }
}

function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === "ConditionalCheckFailedException";
}

function voteTableFailure(region: string, operation: string, giveUp: GiveUp): VoteTableError {
  const failure = awsFailure(
    {
      service: "DynamoDB",
      operation,
      where: `in ${region}`,
      codes: failureCodes("DYNAMODB"),
      hints: {
        throttled: "The votes table is on-demand; a burst this large is unusual. The next round tries again.",
        unavailable:
          "The region's DynamoDB is unreachable; the other control region carries on. The next round tries again.",
        "bad-answer": "Check the endpoint (AWS_ENDPOINT_URL) points at DynamoDB or a compatible emulator.",
        rejected: `Check the votes table exists in ${region} and the IAM permission dynamodb:${operation} on it; retrying will not help.`,
      },
    },
    giveUp,
  );
  return new VoteTableError(failure.code as VoteTableErrorCode, failure.message, failure.options);
}
