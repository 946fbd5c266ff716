import type { FailoverConfig } from "./config.ts";
import type { ProbeRoundReport } from "./probe/report.ts";

/**
 * The probe votes as plain DynamoDB items, one per vantage and round, in a
 * table per control region (../aws/vote-table.ts reads and writes them).
 * Pure: what an item holds, and the checks a decider makes before it counts
 * one. Partition key `vantage` (so IAM's dynamodb:LeadingKeys confines a
 * probe's role to its own vantage's votes), sort key `at`.
 */

/** A DynamoDB attribute value, the shapes these items use (the SDK's AttributeValue, no SDK import). */
export interface AttrValue {
  S?: string;
  N?: string;
  BOOL?: boolean;
  M?: Record<string, AttrValue>;
}

/** One stored item. */
export type VoteItem = Record<string, AttrValue>;

/** How long an item lives (its `expiresAt`, the table's TTL attribute): a day, for `failover status` and an audit after an incident. */
export const VOTE_TTL_SECONDS = 86_400;

/**
 * Latest `writtenAt` accepted after the round start: the round's checks,
 * then the publish and its retries, take seconds, never minutes. An item
 * claiming to be written before its round (a vote prepared in advance) or
 * long after it is not counted.
 */
export const MAX_WRITE_LAG_SECONDS = 120;

/** The votes table of a deployment (the same name in every control region). */
export function voteTableName(config: Pick<FailoverConfig, "name">): string {
  return `${config.name}-votes`;
}

/**
 * The item a voting round writes: its target → passed map (a target with no
 * result left out), when it was written, and when it expires.
 */
export function voteItem(report: ProbeRoundReport, writtenAt: number): VoteItem {
  const votes: Record<string, AttrValue> = {};
  for (const result of report.results) votes[result.target] = { BOOL: result.ok };
  return {
    vantage: { S: report.vantage },
    at: { N: String(report.at) },
    votes: { M: votes },
    writtenAt: { N: String(Math.floor(writtenAt)) },
    expiresAt: { N: String(report.at + VOTE_TTL_SECONDS) },
  };
}

/** What a decider expects of the items of one vantage's window. */
export interface VoteWindow {
  vantage: string;
  /** Probe interval in seconds: every `at` is a multiple of it. */
  period: number;
  /** First and last round start of the window, inclusive. */
  first: number;
  last: number;
}

/** A counted item, or why it is not counted (naming the field and what was expected). */
export type ReadVote =
  | { ok: true; at: number; votes: Record<string, boolean> }
  | { ok: false; at?: number; reason: string };

/**
 * Checks one stored item and returns its votes, or the reason it does not
 * count. Targets the decider's config does not list are left out (a probe
 * deployed with a newer config), not refused.
 */
export function readVoteItem(item: unknown, window: VoteWindow, targets: ReadonlySet<string>): ReadVote {
  if (typeof item !== "object" || item === null) return { ok: false, reason: "the item is not an object" };
  const fields = item as VoteItem;
  const vantage = fields.vantage?.S;
  if (vantage !== window.vantage)
    return { ok: false, reason: `field vantage: expected "${window.vantage}", got ${JSON.stringify(vantage)}` };
  const at = integerOf(fields.at);
  if (at === undefined) return { ok: false, reason: "field at: expected an integer number (N)" };
  if (at % window.period !== 0 || at < window.first || at > window.last)
    return {
      ok: false,
      at,
      reason: `field at: expected a multiple of ${window.period} in [${window.first}, ${window.last}], got ${at}`,
    };
  const writtenAt = integerOf(fields.writtenAt);
  if (writtenAt === undefined || writtenAt < at || writtenAt > at + MAX_WRITE_LAG_SECONDS)
    return {
      ok: false,
      at,
      reason: `field writtenAt: expected an integer in [${at}, ${at + MAX_WRITE_LAG_SECONDS}], got ${JSON.stringify(fields.writtenAt?.N)}`,
    };
  const map = fields.votes?.M;
  if (typeof map !== "object" || map === null || Array.isArray(map))
    return { ok: false, at, reason: "field votes: expected a map (M) of target id to BOOL" };
  const votes: Record<string, boolean> = {};
  for (const [target, value] of Object.entries(map)) {
    if (typeof value?.BOOL !== "boolean")
      return { ok: false, at, reason: `field votes.${target}: expected a BOOL, got ${JSON.stringify(value)}` };
    if (targets.has(target)) votes[target] = value.BOOL;
  }
  return { ok: true, at, votes };
}

/** True when two items hold the same vote for the same vantage and round (a retried write's copy). */
export function sameVote(a: VoteItem, b: VoteItem): boolean {
  const votesOf = (item: VoteItem) =>
    JSON.stringify(
      Object.entries(item.votes?.M ?? {})
        .map(([target, value]) => [target, value?.BOOL])
        .sort(([x], [y]) => String(x).localeCompare(String(y))),
    );
  return a.vantage?.S === b.vantage?.S && a.at?.N === b.at?.N && votesOf(a) === votesOf(b);
}

function integerOf(value: AttrValue | undefined): number | undefined {
  const text = value?.N;
  if (typeof text !== "string" || !/^-?\d+$/.test(text)) return undefined;
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : undefined;
}

/**
 * The round starts of a read window, oldest first: every probe round in
 * (now - windowSeconds, now], aligned to `period`; at least the round now is
 * in. Undefined when `now` is not a time or the window not positive.
 */
export function windowRoundStarts(now: number, windowSeconds: number, period: number): number[] | undefined {
  if (!Number.isFinite(now) || !(windowSeconds > 0)) return undefined;
  const last = Math.floor(now / period) * period;
  const count = Math.max(1, Math.ceil(windowSeconds / period));
  return Array.from({ length: count }, (_, i) => last - (count - 1 - i) * period);
}
