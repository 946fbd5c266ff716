import type { Weights } from "../functions/lib/types.ts";
import type { LagMonitor } from "./lag-monitor.ts";

/** The part of the drill clock the clients need. */
export interface ClientClock {
  /** Virtual epoch ms. */
  now(): number;
  sleepUntil(atMs: number): Promise<void>;
  toWallMs(virtualMs: number): number;
  readonly isStopped: boolean;
}

/** Requests and errors of one minute to one target. */
export interface ClientMinute {
  /** Virtual epoch ms of the minute's start. */
  at: number;
  target: string;
  requests: number;
  errors: number;
}

export interface SimulatedClientsOptions {
  clock: ClientClock;
  /** Virtual epoch ms of the scenario start (minute buckets count from here). */
  startMs: number;
  /** Number of clients, each with its own resolver cache. @default 30 */
  count?: number;
  /** Virtual seconds between one client's requests. @default 15 */
  requestIntervalSeconds?: number;
  /** Record TTL in seconds: how long a client keeps its answer. */
  ttlSeconds: number;
  /** Reads the current weights (the drill: Route 53 in the emulator, through the adapter). */
  resolve: () => Promise<Weights>;
  /** Base URL of the clients' path to a target (its fault proxy). */
  urlFor: (target: string) => string;
  /** A client request's own timeout, virtual ms. @default 10000 */
  timeoutMs?: number;
  /**
   * A request slower than this (virtual ms) counts as failed: the config's
   * `probe.maxLatencyMs`, its own definition of unusable (the replay counts
   * such requests the same way).
   * @default none: only errors and timeouts fail
   */
  slowAfterMs?: number | undefined;
  /** Stalls of this process are not the region's latency (see scaledProber). @default none discounted */
  lag?: LagMonitor | undefined;
  /** Uniform [0, 1), seeded. */
  random: () => number;
}

/**
 * Clients of the application as DNS sees them: each one resolves the record
 * when its cached answer has expired, gets ONE target chosen by weight (as
 * Route 53 answers a weighted query), keeps it for the TTL, and sends its
 * requests there. First expiries are spread evenly over the TTL, so a weight
 * change reaches all clients within one TTL, as resolvers would. There are no
 * SDK-style retries: a failed request is an error.
 */
export class SimulatedClients {
  private readonly buckets = new Map<string, ClientMinute>();
  private readonly inFlight = new Set<Promise<void>>();
  private loops: Array<Promise<void>> = [];
  /** Resolutions that failed (the client kept its previous answer). */
  resolveFailures = 0;

  constructor(private readonly options: SimulatedClientsOptions) {}

  /** Starts every client's loop; they run until the clock stops or `until` (virtual epoch ms). */
  start(untilMs: number): void {
    const count = this.options.count ?? 30;
    this.loops = Array.from({ length: count }, (_, index) => this.runClient(index, count, untilMs));
  }

  /** Waits for the loops and the requests still in flight. */
  async stop(): Promise<void> {
    await Promise.all(this.loops);
    await Promise.all([...this.inFlight]);
  }

  /** Per-minute counts, oldest first. */
  minutes(): ClientMinute[] {
    return [...this.buckets.values()].sort((a, b) => a.at - b.at || a.target.localeCompare(b.target));
  }

  /** Totals over the whole run. */
  totals(): { requests: number; errors: number } {
    let requests = 0;
    let errors = 0;
    for (const minute of this.buckets.values()) {
      requests += minute.requests;
      errors += minute.errors;
    }
    return { requests, errors };
  }

  private async runClient(index: number, count: number, untilMs: number): Promise<void> {
    const { clock, startMs, ttlSeconds } = this.options;
    const intervalMs = (this.options.requestIntervalSeconds ?? 15) * 1000;
    let target: string | undefined;
    // Spread first expiries and first requests evenly, so clients move one by one.
    const firstExpiry = startMs + (ttlSeconds * 1000 * (index + 1)) / count;
    let expiresAt = 0;
    let next = startMs + (intervalMs * index) / count;
    for (let round = 0; round < 10_000_000 && !clock.isStopped; round++) {
      await clock.sleepUntil(next);
      const now = clock.now();
      if (clock.isStopped || now >= untilMs) return;
      if (target === undefined || now >= expiresAt) {
        try {
          target = pickByWeight(await this.options.resolve(), this.options.random);
          expiresAt = expiresAt === 0 ? firstExpiry : now + ttlSeconds * 1000;
        } catch {
          this.resolveFailures++;
        }
      }
      if (target !== undefined) this.track(this.request(target, now));
      next += intervalMs;
    }
  }

  private track(request: Promise<void>): void {
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
  }

  private async request(target: string, at: number): Promise<void> {
    const minuteAt = this.options.startMs + Math.floor((at - this.options.startMs) / 60_000) * 60_000;
    const key = `${minuteAt}/${target}`;
    const bucket = this.buckets.get(key) ?? { at: minuteAt, target, requests: 0, errors: 0 };
    this.buckets.set(key, bucket);
    bucket.requests++;
    const { clock, slowAfterMs } = this.options;
    const timeoutMs = clock.toWallMs(this.options.timeoutMs ?? 10_000);
    const started = performance.now();
    // The timeout counts this process's own time only (LagMonitor.waitOwn): a stall alone never times a request out.
    const abort = new AbortController();
    const deadline = this.options.lag?.waitOwn(started, timeoutMs);
    const timer = deadline
      ? void deadline.done.then(() => abort.abort())
      : setTimeout(() => abort.abort(), Math.max(1, Math.ceil(timeoutMs)));
    try {
      const response = await fetch(`${this.options.urlFor(target)}/api/session`, { signal: abort.signal });
      await response.arrayBuffer();
      const ended = performance.now();
      let slow = slowAfterMs !== undefined && ended - started > clock.toWallMs(slowAfterMs);
      if (slow && this.options.lag && slowAfterMs !== undefined) {
        // Let the lag monitor tick once, so a stall that ended just now is counted.
        await new Promise((resolve) => setTimeout(resolve, 6));
        slow = ended - started - this.options.lag.stalledBetween(started, ended) > clock.toWallMs(slowAfterMs);
      }
      if (!response.ok || slow) bucket.errors++;
    } catch {
      bucket.errors++;
    } finally {
      deadline?.cancel();
      clearTimeout(timer);
    }
  }
}

/** One target chosen with probability proportional to its weight; all zero: evenly, as Route 53 does. */
export function pickByWeight(weights: Weights, random: () => number): string {
  const entries = Object.entries(weights);
  if (entries.length === 0) throw new RangeError("no targets to choose from");
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  if (total <= 0) return entries[Math.floor(random() * entries.length)]?.[0] ?? entries[0]![0];
  let roll = random() * total;
  for (const [target, weight] of entries) {
    roll -= weight;
    if (roll < 0) return target;
  }
  return entries.at(-1)![0];
}
