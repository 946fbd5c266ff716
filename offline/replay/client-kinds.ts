import type { FailoverConfig } from "../../functions/lib/config.ts";
import type { Weights } from "../../functions/lib/types.ts";
import { faultActive, faultApplies, type Fault } from "../scenario.ts";
import { publishedShares } from "./clients.ts";
import { clientFailure } from "./faults.ts";

/**
 * How a client follows DNS: `per-request` resolves before every request (a
 * Go or Node client without a DNS cache); `ttl-cache` keeps an answer for
 * the TTL its resolver gave; `fixed-30s` keeps it 30 s whatever the TTL (the
 * JVM's default `networkaddress.cache.ttl`); `keep-alive` keeps one HTTP
 * connection and resolves again only when that connection breaks.
 */
export const CLIENT_KINDS = ["per-request", "ttl-cache", "fixed-30s", "keep-alive"] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/**
 * How the recursive resolver caches: unbound's defaults; `serve-expired`
 * (an expired entry is answered, with TTL 30 s, while it is refreshed);
 * `cache-min-ttl-60` (every entry kept at least 60 s: a resolver that
 * stretches short TTLs).
 */
export const RESOLVER_PROFILES = ["default", "serve-expired", "cache-min-ttl-60"] as const;
export type ResolverProfile = (typeof RESOLVER_PROFILES)[number];

/**
 * Seconds a client may hold an answer beyond its resolver's cache, drawn
 * uniformly from [0, this]: the model's one free parameter per kind and
 * profile, calibrated against the drill's real clients (docs/performance.md,
 * "Clients behind real DNS"). A JVM client adds its 30 s; behind
 * serve-expired a client may be handed the expired answer once more, with
 * TTL 30 s, and a client that caches by TTL then keeps it that long.
 */
export const EXTRA_HOLD_SECONDS: Readonly<Record<Exclude<ClientKind, "keep-alive">, Record<ResolverProfile, number>>> =
  {
    "per-request": { default: 0, "serve-expired": 15, "cache-min-ttl-60": 0 },
    "ttl-cache": { default: 0, "serve-expired": 30, "cache-min-ttl-60": 0 },
    "fixed-30s": { default: 30, "serve-expired": 45, "cache-min-ttl-60": 30 },
  };

/** How long the resolver keeps an entry of TTL `ttl` under `profile`. */
export function resolverHoldSeconds(profile: ResolverProfile, ttl: number): number {
  return profile === "cache-min-ttl-60" ? Math.max(ttl, 60) : ttl;
}

/**
 * P(age > x) where a request's answer is `age` seconds old: the resolver's
 * entry is uniformly 0..`hold` old and the client adds uniformly 0..`extra`.
 */
export function ageSurvival(x: number, hold: number, extra: number): number {
  if (x < 0) return 1;
  const steps = 200;
  let below = 0;
  for (let i = 0; i < steps; i++) {
    const r = ((i + 0.5) / steps) * hold;
    const rest = x - r;
    below += extra <= 0 ? (rest >= 0 ? 1 : 0) : Math.min(1, Math.max(0, rest / extra));
  }
  return 1 - below / steps;
}

/** Each target's share of the published answers, per second (before the first entry: the first answers). */
export function publishedPerSecond(
  ids: readonly string[],
  durationSeconds: number,
  answers: ReadonlyArray<{ at: number; shares: Weights }>,
): Float64Array[] {
  return publishedShares(
    ids,
    durationSeconds,
    answers.map((answer) => ({ at: answer.at, weights: answer.shares })),
  );
}

/** Share of a kind's requests per target per second, behind `profile`, for answers published per second. */
export function kindShares(
  kind: ClientKind,
  profile: ResolverProfile,
  options: {
    ttl: number;
    published: readonly Float64Array[];
    breaks: (second: number, target: number) => number;
    intervalSeconds: number;
  },
): Float64Array[] {
  const hold = resolverHoldSeconds(profile, options.ttl);
  const lagged = (extra: number) => {
    const weights: number[] = [];
    for (let l = 0; ageSurvival(l, hold, extra) > 1e-6; l++)
      weights.push(ageSurvival(l, hold, extra) - ageSurvival(l + 1, hold, extra));
    return options.published.map((row) =>
      row.map((_, s) => weights.reduce((sum, w, l) => sum + w * (row[Math.max(0, s - l)] ?? 0), 0)),
    );
  };
  if (kind !== "keep-alive") return lagged(EXTRA_HOLD_SECONDS[kind][profile]);
  // Kept-alive clients stay on their target; a broken connection (once per request interval) resolves anew.
  const view = lagged(EXTRA_HOLD_SECONDS["per-request"][profile]);
  const rows = options.published.map((row) => new Float64Array(row.length));
  let on = options.published.map((row) => row[0] ?? 0);
  const length = options.published[0]?.length ?? 0;
  for (let s = 0; s < length; s++) {
    for (const [i, row] of rows.entries()) row[s] = on[i] ?? 0;
    const moving = on.map((share, i) => (share * options.breaks(s, i)) / options.intervalSeconds);
    const moved = moving.reduce((sum, share) => sum + share, 0);
    on = on.map((share, i) => share - (moving[i] ?? 0) + moved * (view[i]?.[s] ?? 0));
  }
  return rows;
}

/** Whether a request to `target` at `second` breaks its connection: refused, hung past the timeout (down, blackhole, latency over it). */
export function breaksConnection(faults: readonly Fault[], second: number, target: string, timeoutMs: number): number {
  const breaking = faults.some(
    (fault) =>
      faultActive(fault, second) &&
      faultApplies(fault, target) &&
      fault.vantages === undefined &&
      (fault.kind === "down" || fault.kind === "blackhole" || (fault.kind === "latency" && fault.ms >= timeoutMs)),
  );
  return breaking ? 1 : 0;
}

/**
 * Expected requests and failures of one client kind behind one resolver
 * profile: its share of each target per second (kindShares), failing as
 * the faults say (clientFailure).
 */
export function modelKindErrors(
  config: FailoverConfig,
  faults: readonly Fault[],
  shares: readonly Float64Array[],
): { requests: number; failed: number; errorRate: number } {
  const ids = config.targets.map((target) => target.id);
  let failed = 0;
  let requests = 0;
  for (const [i, row] of shares.entries())
    for (const [s, share] of row.entries()) {
      requests += share;
      failed += share * clientFailure(config, faults, s, ids[i] ?? "");
    }
  return { requests, failed, errorRate: requests > 0 ? failed / requests : 0 };
}
