import { promises as dns } from "node:dns";
import { sameShares } from "../../functions/lib/dataplane/answers.ts";
import type { Weights } from "../../functions/lib/types.ts";
import type { ClientClock } from "../clients.ts";
import type { LagMonitor } from "../lag-monitor.ts";
import { targetAddresses, weightedAnswers } from "./answers.ts";
import { RESOLVER_PROFILES, type ResolverProfile } from "../../offline/replay/client-kinds.ts";
import { RealDnsClients } from "./clients.ts";
import { convergence, groupErrors, type AnswerChange, type ChangeConvergence } from "./convergence.ts";
import { startAuthoritative, type Authoritative } from "./pdns.ts";
import { findDnsSoftware, type DnsSoftware } from "./software.ts";
import { startResolver, type Resolver } from "./unbound.ts";

export interface RealDnsOptions {
  clock: ClientClock;
  /** Virtual epoch ms of the scenario's second 0 and end. */
  startMs: number;
  endMs: number;
  /** Virtual seconds per wall second: DNS times (TTLs, resolver settings) are divided by it. */
  speed: number;
  /** The hosted zone and the managed record name. */
  zone: string;
  name: string;
  /** Record TTL, virtual seconds. */
  ttlSeconds: number;
  targetIds: readonly string[];
  /** Base URL of the clients' path to a target (its fault proxy). */
  urlFor: (target: string) => string;
  /** What Route 53 answers now (answer shares by target; the drill's Route 53 view). */
  answers: () => Promise<Weights>;
  /** Stalls of this process, discounted from the clients' timeouts. @default none */
  lag?: LagMonitor | undefined;
  /** Told of a failed answer update (the drill's problem list). @default ignored */
  problem?: (text: string) => void;
  /** Registers a process to stop at the end, by its pid (the drill session's `startedProcess`). */
  started: (name: string, pid: number, stop: () => Promise<unknown>) => void;
  /** Resolver profiles to run. @default all of {@link RESOLVER_PROFILES} */
  profiles?: readonly ResolverProfile[];
  /** unbound instances per profile (each caches on its own, as separate resolvers do). @default 6 */
  resolversPerProfile?: number;
  /** Clients of each kind behind each resolver. @default 1 */
  perResolver?: number;
  /** Virtual seconds between one client's requests. @default 15 */
  requestIntervalSeconds?: number;
}

/** The `dns` section of summary.json. */
export interface DnsSection {
  authoritative: string;
  resolver: string;
  /** Record TTL as the drill's clock counts it (the served TTL times the speed), and as served (wall seconds). */
  ttlSeconds: number;
  servedTtlSeconds: number;
  profiles: readonly ResolverProfile[];
  resolversPerProfile: number;
  clientsPerGroup: number;
  requestIntervalSeconds: number;
  /** Each change of what the authoritative server answered (seconds since start, answer shares). */
  answerChanges: Array<{ atSecond: number; shares: Weights }>;
  /**
   * Queries the authoritative server answered during the scenario (all resolvers' cache misses: Route 53 bills
   * these), and per hour of scenario time.
   */
  authoritativeQueries: { total: number; perHour: number };
  /** Scenario seconds the clients ran (less than the scenario's duration when the drill stopped early). */
  measuredSeconds: number;
  /** Requests, errors and error rate of every client kind behind every profile over the run. */
  clients: ReturnType<typeof groupErrors>;
  convergence: ChangeConvergence[];
}

/** The real DNS path of a drill (`--dns real`), started; {@link start} at the scenario's second 0. */
export interface RealDns {
  authoritative: Authoritative;
  resolvers: Resolver[];
  clients: RealDnsClients;
  /** Starts publishing Route 53's answers and the clients' loops. */
  start(): void;
  /** Stops the clients and the publisher (the servers stop with the session). */
  stop(): Promise<void>;
  section(): DnsSection;
}

/**
 * Starts PowerDNS serving the managed record as Route 53 answers it (one
 * address per target, picked by the answer shares), unbound resolvers in
 * front of it (a few per profile), and clients of every kind behind them.
 * Throws DNS_SOFTWARE_MISSING (with the install command) before starting
 * anything when the packages are not installed.
 */
export async function startRealDns(options: RealDnsOptions): Promise<RealDns> {
  const software = await findDnsSoftware();
  const authoritative = await startAuthoritative(software, options.zone);
  options.started("PowerDNS", authoritative.pid, () => authoritative.stop());
  const served = Math.max(1, Math.round(options.ttlSeconds / options.speed));
  const profiles = options.profiles ?? RESOLVER_PROFILES;
  const perProfile = options.resolversPerProfile ?? 6;
  const resolvers = await startResolvers(options, software, authoritative.port, profiles, perProfile);
  const addresses = targetAddresses(options.targetIds);
  const publish = (shares: Weights) =>
    authoritative.setAnswers(options.name, served, weightedAnswers(shares, addresses));
  const first = await options.answers();
  await publish(first);
  await staggerCaches(resolvers, options.name, served);
  const changes: AnswerChange[] = [{ at: options.startMs, shares: first }];
  const perResolver = options.perResolver ?? 1;
  const requestIntervalSeconds = options.requestIntervalSeconds ?? 15;
  const clients = new RealDnsClients({
    clock: options.clock,
    startMs: options.startMs,
    name: options.name,
    resolvers: resolvers.map((resolver) => ({ profile: resolver.profile, port: resolver.port })),
    targetOf: new Map([...addresses].map(([id, address]) => [address, id])),
    urlFor: options.urlFor,
    speed: options.speed,
    perGroup: perResolver,
    requestIntervalSeconds,
    lag: options.lag,
  });
  let publisher: Promise<void> = Promise.resolve();
  let queriesAtStart = 0;
  let queries = 0;
  return {
    authoritative,
    resolvers,
    clients,
    start() {
      changes[0] = { at: options.clock.now(), shares: changes[0]?.shares ?? first };
      publisher = publishLoop(options, changes, publish);
      clients.start(options.endMs);
      void authoritative.queries().then((count) => (queriesAtStart = count));
    },
    async stop() {
      await clients.stop();
      await publisher;
      queries = (await authoritative.queries().catch(() => queriesAtStart)) - queriesAtStart;
    },
    section: () => ({
      authoritative: software.pdnsVersion,
      resolver: software.unboundVersion,
      ttlSeconds: served * options.speed,
      servedTtlSeconds: served,
      profiles,
      resolversPerProfile: perProfile,
      clientsPerGroup: perResolver * perProfile,
      requestIntervalSeconds,
      authoritativeQueries: {
        total: queries,
        perHour: Math.round((queries / Math.max(1, options.endMs - options.startMs)) * 3_600_000),
      },
      answerChanges: changes.map((change) => ({
        atSecond: Math.round((change.at - options.startMs) / 100) / 10,
        shares: change.shares,
      })),
      measuredSeconds: Math.ceil(
        (clients.requests.reduce((last, r) => Math.max(last, Math.min(r.at, options.endMs)), options.startMs) -
          options.startMs) /
          1000,
      ),
      clients: groupErrors(clients.requests, profiles),
      convergence: convergence({
        changes,
        requests: clients.requests,
        profiles,
        ttlSeconds: served * options.speed,
        startMs: options.startMs,
        endMs: options.endMs,
        windowMs: requestIntervalSeconds * 1000,
      }),
    }),
  };
}

/** `perProfile` unbound resolvers per profile, each registered as soon as it runs (one failing leaves none behind). */
function startResolvers(
  options: RealDnsOptions,
  software: DnsSoftware,
  authoritativePort: number,
  profiles: readonly ResolverProfile[],
  perProfile: number,
): Promise<Resolver[]> {
  const seconds = (s: number) => Math.max(1, Math.round(s / options.speed));
  return Promise.all(
    profiles.flatMap((profile) =>
      Array.from({ length: perProfile }, async () => {
        const resolver = await startResolver(software, { zone: options.zone, authoritativePort, profile, seconds });
        options.started(`unbound (${resolver.profile})`, resolver.pid, () => resolver.stop());
        return resolver;
      }),
    ),
  );
}

/**
 * Fills each resolver's cache at its own phase of the TTL: a profile's
 * resolvers, asked one after the other TTL/n apart. Started cold together,
 * every cache would expire within the clients' first interval of each other
 * (0.75 s at 20x, against a 3 s TTL) and flip as one; real resolvers'
 * caches expire at unrelated moments.
 */
async function staggerCaches(resolvers: readonly Resolver[], name: string, ttlSeconds: number): Promise<void> {
  const profiles = [...new Set(resolvers.map((resolver) => resolver.profile))];
  await Promise.all(
    profiles.map(async (profile) => {
      const mine = resolvers.filter((resolver) => resolver.profile === profile);
      for (const resolver of mine) {
        const lookup = new dns.Resolver({ timeout: 1000, tries: 2 });
        lookup.setServers([`127.0.0.1:${resolver.port}`]);
        await lookup.resolve4(name).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, (ttlSeconds * 1000) / mine.length));
      }
    }),
  );
}

/** Every 200 ms of wall time: what Route 53 answers now; a change goes to PowerDNS at once and is dated. */
async function publishLoop(
  options: RealDnsOptions,
  changes: AnswerChange[],
  publish: (shares: Weights) => Promise<void>,
): Promise<void> {
  const { clock } = options;
  while (!clock.isStopped && clock.now() < options.endMs) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    try {
      const shares = await options.answers();
      const last = changes.at(-1)?.shares ?? {};
      if (sameShares(shares, last, options.targetIds)) continue;
      await publish(shares);
      changes.push({ at: clock.now(), shares });
    } catch (error) {
      options.problem?.(`real DNS: the answers could not be updated: ${String(error)}`);
    }
  }
}
