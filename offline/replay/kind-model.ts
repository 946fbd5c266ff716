import type { FailoverConfig } from "../../functions/lib/config.ts";
import type { Weights } from "../../functions/lib/types.ts";
import type { Fault } from "../scenario.ts";
import {
  breaksConnection,
  CLIENT_KINDS,
  kindShares,
  modelKindErrors,
  publishedPerSecond,
  type ClientKind,
  type ResolverProfile,
} from "./client-kinds.ts";
import { convergenceFigures, moveProgress, risingTargets, type ConvergenceFigures } from "./convergence.ts";

/** The model's figures for one client kind behind one resolver profile. */
export interface ModelledKind {
  kind: ClientKind;
  profile: ResolverProfile;
  /** Expected share of the kind's requests that fail. */
  errorRate: number;
  /** Convergence after each answer change (after the first entry of the answers). */
  changes: ConvergenceFigures[];
}

export interface KindModelInput {
  config: FailoverConfig;
  faults: readonly Fault[];
  durationSeconds: number;
  /** What DNS answered, change by change (scenario seconds, answer shares); the first is the start. */
  answers: ReadonlyArray<{ at: number; shares: Weights }>;
  /** Record TTL, seconds. */
  ttlSeconds: number;
  /** Seconds between one client's requests (the convergence windows). @default 15 */
  intervalSeconds?: number;
  /** A client request's timeout, ms (longer hangs break a kept-alive connection). @default 10000 */
  timeoutMs?: number;
}

/**
 * The replay's client model per kind and resolver profile: each second, the
 * share of a kind's requests going to each target (client-kinds.ts
 * `kindShares`: answers aged by the resolver's cache and the client's own,
 * kept-alive clients moving only when their connection breaks), its
 * expected error rate, and its convergence after each answer change,
 * measured as the drill measures its real clients.
 */
export function modelKinds(input: KindModelInput, profiles: readonly ResolverProfile[]): ModelledKind[] {
  const ids = input.config.targets.map((target) => target.id);
  const intervalSeconds = input.intervalSeconds ?? 15;
  const published = publishedPerSecond(ids, input.durationSeconds, input.answers);
  const breaks = (second: number, target: number) =>
    breaksConnection(input.faults, second, ids[target] ?? "", input.timeoutMs ?? 10_000);
  return profiles.flatMap((profile) =>
    CLIENT_KINDS.map((kind) => {
      const shares = kindShares(kind, profile, { ttl: input.ttlSeconds, published, breaks, intervalSeconds });
      const changes = input.answers.slice(1).map((change, i) => {
        const from = input.answers[i]?.shares ?? {};
        const rising = risingTargets(from, change.shares).map((id) => ids.indexOf(id));
        const spanEnd = input.answers[i + 2]?.at ?? input.durationSeconds;
        const progressIn = (fromMs: number, toMs: number) => {
          let sum = 0;
          let count = 0;
          for (let s = Math.ceil(fromMs / 1000); s < toMs / 1000 && s < input.durationSeconds; s++, count++)
            sum += rising.reduce((total, t) => total + (shares[t]?.[s] ?? 0), 0);
          return count === 0 ? null : moveProgress(sum / count, normalized(from), normalized(change.shares));
        };
        return convergenceFigures(
          progressIn,
          change.at * 1000,
          spanEnd * 1000,
          intervalSeconds * 1000,
          input.ttlSeconds,
        );
      });
      const { errorRate } = modelKindErrors(input.config, input.faults, shares);
      return { kind, profile, errorRate: Math.round(errorRate * 10_000) / 10_000, changes };
    }),
  );
}

/** Shares summing to 1 (equal shares when all are 0), as answers are. */
function normalized(shares: Weights): Weights {
  const ids = Object.keys(shares);
  const total = ids.reduce((sum, id) => sum + (shares[id] ?? 0), 0);
  return Object.fromEntries(ids.map((id) => [id, total > 0 ? (shares[id] ?? 0) / total : 1 / ids.length]));
}
