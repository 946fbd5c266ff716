import type { Weights } from "../../functions/lib/types.ts";
import { CLIENT_KINDS, type ClientKind, type ResolverProfile } from "../../offline/replay/client-kinds.ts";
import {
  convergenceFigures,
  moveProgress,
  risingTargets,
  type ConvergenceFigures,
} from "../../offline/replay/convergence.ts";
import type { DnsClientRequest } from "./clients.ts";

/** One change of what the authoritative server answers (answer shares by target). */
export interface AnswerChange {
  /** Virtual epoch ms the server started answering this way. */
  at: number;
  shares: Weights;
}

/** How one group of clients (a kind behind a resolver profile) followed one answer change. */
export interface GroupConvergence extends ConvergenceFigures {
  kind: ClientKind;
  profile: ResolverProfile;
  /** Requests of the group between this change and the next (or the end). */
  requests: number;
}

/** How every group followed one answer change. */
export interface ChangeConvergence {
  /** Seconds since the scenario start. */
  atSecond: number;
  from: Weights;
  to: Weights;
  /** Seconds until the next change or the end: the span measured. */
  spanSeconds: number;
  groups: GroupConvergence[];
}

export interface ConvergenceInput {
  changes: readonly AnswerChange[];
  requests: readonly DnsClientRequest[];
  profiles: readonly ResolverProfile[];
  /** Record TTL, seconds. */
  ttlSeconds: number;
  startMs: number;
  endMs: number;
  /** Window length, ms: one request of every client (the request interval). */
  windowMs: number;
}

/**
 * How every group of real clients followed every answer change (the first
 * entry of `changes` is the start, not a change), by the requests they sent
 * and the target that answered each.
 */
export function convergence(input: ConvergenceInput): ChangeConvergence[] {
  return input.changes.slice(1).map((change, i) => {
    const from = input.changes[i]?.shares ?? {};
    const spanEnd = input.changes[i + 2]?.at ?? input.endMs;
    const rising = risingTargets(from, change.shares);
    const groups = input.profiles.flatMap((profile) =>
      CLIENT_KINDS.map((kind) => {
        const mine = input.requests.filter(
          (r) => r.kind === kind && r.profile === profile && r.at >= change.at && r.at < spanEnd,
        );
        // A request DNS gave no answer for went nowhere: an error, not a vote for either answer.
        const answered = mine.filter((r) => r.target !== undefined);
        const progressIn = (fromMs: number, toMs: number) => {
          const window = answered.filter((r) => r.at >= fromMs && r.at < toMs);
          if (window.length === 0) return null;
          const risingCount = window.filter((r) => r.target !== undefined && rising.includes(r.target)).length;
          return moveProgress(risingCount / window.length, from, change.shares);
        };
        const figures = convergenceFigures(progressIn, change.at, spanEnd, input.windowMs, input.ttlSeconds);
        return { kind, profile, requests: mine.length, ...figures };
      }),
    );
    return {
      atSecond: Math.round((change.at - input.startMs) / 100) / 10,
      from,
      to: change.shares,
      spanSeconds: Math.round((spanEnd - change.at) / 100) / 10,
      groups,
    };
  });
}

/** Requests and errors of every group over the whole run. */
export function groupErrors(
  requests: readonly DnsClientRequest[],
  profiles: readonly ResolverProfile[],
): Array<{
  kind: ClientKind;
  profile: ResolverProfile;
  requests: number;
  errors: number;
  errorRate: number;
  /** Requests not sent because the lookup failed (counted in `errors`). */
  unresolved: number;
}> {
  return profiles.flatMap((profile) =>
    CLIENT_KINDS.map((kind) => {
      const mine = requests.filter((r) => r.kind === kind && r.profile === profile);
      const errors = mine.filter((r) => !r.ok).length;
      const errorRate = mine.length ? Math.round((errors / mine.length) * 10_000) / 10_000 : 0;
      const unresolved = mine.filter((r) => r.target === undefined).length;
      return { kind, profile, requests: mine.length, errors, errorRate, unresolved };
    }),
  );
}
