import { ParameterStore } from "./lib/aws/ssm.ts";
import { systemClock, type Clock } from "./lib/clock.ts";
import type { FailoverConfig } from "./lib/config.ts";
import { CANARY_TARGET, drainMarker, SERVE_STATUS, serveMarker } from "./lib/dataplane/health-checks.ts";
import { SignalStore, type SignalRead } from "./lib/dataplane/signal-store.ts";
import { drainedIn } from "./lib/dataplane/signal-union.ts";
import { configFromEnv } from "./lib/env-config.ts";
import { log as defaultLog, type Logger } from "./lib/log.ts";

/** What Route 53's health checkers ask: `GET /?target=<id>` (a function URL event carries these fields). */
export interface SignalRequest {
  queryStringParameters?: Record<string, string | undefined> | null;
}

/** A function URL answer. */
export interface SignalAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface SignalDeps {
  config: FailoverConfig;
  /** The control region this endpoint answers for (it reads only this region's store). */
  region: string;
  store: SignalStore;
  clock?: Clock;
  /** How long one read of the store is reused across requests (health checkers ask many times a second). @default 1000 */
  cacheMs?: number;
  log?: Logger;
}

/**
 * The data-plane signal endpoint: answers per target whether it should
 * serve. `200 drain <id>` only when a fresh decider document in this
 * region's store drains it and no active override serves it
 * (../lib/dataplane/signal-union.ts: a document older than five minutes
 * counts as serve); `404 serve <id>` otherwise; `503` when the store cannot
 * be read, and `404` for an unknown target or a malformed query; always
 * `200 drain _canary` for the canary (CANARY_TARGET), whose check must
 * therefore always fail. The inverted status checks read 2xx/3xx as drain:
 * only the two drain answers below are 2xx, so silence, errors, throttling or
 * a lost region never drain anything.
 */
export function createSignalHandler(deps: SignalDeps) {
  const clock = deps.clock ?? systemClock;
  const cacheMs = deps.cacheMs ?? 1000;
  const log = deps.log ?? defaultLog;
  const ids = new Set(deps.config.targets.map((target) => target.id));
  let cached: { at: number; read: Promise<SignalRead> } | undefined;
  const answer = (statusCode: number, body: string): SignalAnswer => ({
    statusCode,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    body: `${body}\n`,
  });
  // The only 2xx answer: the inverted checks read any 2xx/3xx as drain.
  const drain = (target: string) => answer(200, drainMarker(target));
  return async (event: SignalRequest | undefined): Promise<SignalAnswer> => {
    const target = event?.queryStringParameters?.target;
    // The canary always drains, without reading the store: its check reading "serve" means the path is broken.
    if (target === CANARY_TARGET) return drain(CANARY_TARGET);
    if (target === undefined || !ids.has(target))
      return answer(SERVE_STATUS, `unknown target: expected ?target= one of ${[...ids].join(", ")}`);
    const now = clock.now();
    if (cached === undefined || now - cached.at >= cacheMs) cached = { at: now, read: deps.store.read(deps.region) };
    const read = await cached.read;
    if (read.error !== undefined) {
      cached = undefined;
      log.warn("signal store unreadable: answering 503 (counts as serve)", { region: deps.region, error: read.error });
      return answer(503, "signal unavailable");
    }
    if (read.problems !== undefined)
      log.warn("signal documents ignored", { region: deps.region, problems: read.problems });
    const drained = drainedIn(read, Math.floor(now / 1000)).has(target);
    return drained ? drain(target) : answer(SERVE_STATUS, serveMarker(target));
  };
}

let wired: ReturnType<typeof createSignalHandler> | undefined;

/** Lambda entry behind a function URL (auth NONE: Route 53's checkers send no credentials). */
export const handler = async (event: SignalRequest | undefined): Promise<SignalAnswer> => {
  if (wired === undefined) {
    const config = configFromEnv();
    const region = process.env.FAILOVER_CONTROL_REGION || process.env.AWS_REGION || "";
    const stores = new Map(config.controlRegions.map((r) => [r, new ParameterStore({ region: r })]));
    wired = createSignalHandler({ config, region, store: new SignalStore(config, stores) });
  }
  return wired(event);
};
