import { promises as dns } from "node:dns";
import { Agent, request as httpRequest } from "node:http";
import type { Socket } from "node:net";
import type { ClientClock } from "../clients.ts";
import type { LagMonitor } from "../lag-monitor.ts";
import { CLIENT_KINDS, type ClientKind, type ResolverProfile } from "../../offline/replay/client-kinds.ts";

/** One request of a real-DNS client. */
export interface DnsClientRequest {
  /** Virtual epoch ms it was sent. */
  at: number;
  kind: ClientKind;
  profile: ResolverProfile;
  /** Target that answered (or was asked and failed); undefined when DNS gave no usable answer. */
  target: string | undefined;
  ok: boolean;
}

export interface RealDnsClientsOptions {
  clock: ClientClock;
  startMs: number;
  /** The record name the clients resolve. */
  name: string;
  /** Each resolver the clients ask, by profile (one group of every client kind per resolver). */
  resolvers: ReadonlyArray<{ profile: ResolverProfile; port: number }>;
  /** Target of each address DNS answers with. */
  targetOf: ReadonlyMap<string, string>;
  /** Base URL of the clients' path to a target (its fault proxy). */
  urlFor: (target: string) => string;
  /** Virtual seconds per DNS second (the drill's speed; a TTL of 3 s at 20x is 60 virtual s). @default 1 */
  speed?: number;
  /** Clients of each kind behind each resolver. @default 8 */
  perGroup?: number;
  /** Virtual seconds between one client's requests. @default 15 */
  requestIntervalSeconds?: number;
  /** A request's timeout, virtual ms. @default 10000 */
  timeoutMs?: number;
  /** Stalls of this process are not the region's latency (as the modelled clients). @default none discounted */
  lag?: LagMonitor | undefined;
}

/** How late (virtual ms) a request may start before its slot is skipped. */
const LATE_MS = 3000;

/** What one client holds between requests. */
interface ClientState {
  target: string | undefined;
  /** Virtual epoch ms its cached answer expires (ttl-cache, fixed-30s). */
  expiresAt: number;
  /** keep-alive: the client's own agent (one connection) and whether that connection is still open. */
  agent: Agent | undefined;
  connected: boolean;
}

/**
 * Clients that resolve through a real recursive resolver (Node's c-ares
 * resolver asking unbound on loopback; a fresh channel per lookup, so no
 * cache but the kind's own) and send their requests to the target the
 * address stands for. Every request is recorded with the target that
 * answered it. No retries: a failed request is an error.
 */
export class RealDnsClients {
  readonly requests: DnsClientRequest[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly agents: Agent[] = [];
  private readonly shared = new Agent({ keepAlive: true, maxSockets: 64 });
  private loops: Array<Promise<void>> = [];

  constructor(private readonly options: RealDnsClientsOptions) {}

  /** Starts every client; they run until the clock stops or `untilMs` (virtual epoch ms). */
  start(untilMs: number): void {
    const perGroup = this.options.perGroup ?? 8;
    const groups = this.options.resolvers.flatMap((resolver) => CLIENT_KINDS.map((kind) => ({ kind, resolver })));
    const count = groups.length * perGroup;
    // A resolver's clients of the four kinds sit a quarter interval apart, so its cache refills at any phase.
    const resolvers = this.options.resolvers.length;
    const phase = (g: number, i: number) =>
      ((g % CLIENT_KINDS.length) * resolvers + Math.floor(g / CLIENT_KINDS.length)) * perGroup + i;
    this.loops = groups.flatMap((group, g) =>
      Array.from({ length: perGroup }, (_, i) => this.run(group.kind, group.resolver, phase(g, i), count, untilMs)),
    );
  }

  /** Waits for the loops and requests in flight, then closes every connection. */
  async stop(): Promise<void> {
    await Promise.all(this.loops);
    await Promise.all([...this.inFlight]);
    for (const agent of [...this.agents, this.shared]) agent.destroy();
  }

  private async run(
    kind: ClientKind,
    resolver: { profile: ResolverProfile; port: number },
    index: number,
    count: number,
    untilMs: number,
  ): Promise<void> {
    const { clock, startMs } = this.options;
    const intervalMs = (this.options.requestIntervalSeconds ?? 15) * 1000;
    const state: ClientState = { target: undefined, expiresAt: 0, agent: undefined, connected: false };
    // Spread first requests evenly over one interval, so clients resolve at every phase of the TTL.
    let next = startMs + (intervalMs * index) / count;
    for (let round = 0; round < 10_000_000 && !clock.isStopped; round++) {
      await clock.sleepUntil(next);
      const now = clock.now();
      if (clock.isStopped || now >= untilMs) return;
      const late = now - next;
      next += intervalMs;
      // A stall of this process left the slot behind: skip it rather than send with every other late client at
      // once, which would refill every resolver's cache at the same moment (real clients keep their own phases).
      if (late > LATE_MS) continue;
      if (this.needsLookup(kind, state, now)) await this.lookup(kind, resolver.port, state, now);
      this.track(this.send(kind, resolver.profile, state, now));
    }
  }

  private needsLookup(kind: ClientKind, state: ClientState, now: number): boolean {
    if (state.target === undefined || kind === "per-request") return true;
    if (kind === "keep-alive") return !state.connected;
    return now >= state.expiresAt;
  }

  /** Resolves through the resolver; keeps the previous answer when the lookup fails. */
  private async lookup(kind: ClientKind, port: number, state: ClientState, now: number): Promise<void> {
    const resolver = new dns.Resolver({ timeout: 1000, tries: 2 });
    resolver.setServers([`127.0.0.1:${port}`]);
    try {
      const answer = (await resolver.resolve4(this.options.name, { ttl: true }))[0];
      const target = answer ? this.options.targetOf.get(answer.address) : undefined;
      if (target === undefined) return;
      const speed = this.options.speed ?? 1;
      state.expiresAt = now + (kind === "fixed-30s" ? 30_000 : (answer?.ttl ?? 0) * 1000 * speed);
      if (kind === "keep-alive" && target !== state.target) state.agent = undefined;
      state.target = target;
    } catch {
      if (kind === "per-request") state.target = undefined;
    }
  }

  private track(request: Promise<void>): void {
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
  }

  private async send(kind: ClientKind, profile: ResolverProfile, state: ClientState, at: number): Promise<void> {
    const target = state.target;
    if (target === undefined) {
      this.requests.push({ at, kind, profile, target, ok: false });
      return;
    }
    let agent = this.shared;
    if (kind === "keep-alive") {
      if (state.agent === undefined) {
        state.agent = new Agent({ keepAlive: true, maxSockets: 1 });
        this.agents.push(state.agent);
      }
      agent = state.agent;
      state.connected = true;
    }
    const timeoutMs = this.options.clock.toWallMs(this.options.timeoutMs ?? 10_000);
    const started = performance.now();
    const lag = this.options.lag;
    // The timeout counts this process's own time only (LagMonitor.waitOwn): a stall alone never times a request out.
    const deadline = (fire: () => void) => {
      if (lag === undefined) {
        const timer = setTimeout(fire, Math.max(1, Math.ceil(timeoutMs)));
        return () => clearTimeout(timer);
      }
      const wait = lag.waitOwn(started, timeoutMs);
      void wait.done.then(fire);
      return () => wait.cancel();
    };
    const result = await get(
      `${this.options.urlFor(target)}/api/session`,
      agent,
      deadline,
      // The kept-alive connection broke (reset, refused, closed by the server): resolve before the next request.
      () => {
        if (agent === state.agent) state.connected = false;
      },
    );
    this.requests.push({ at, kind, profile, target: result.target ?? target, ok: result.ok });
  }
}

const hooked = new WeakSet<Socket>();

/** GET `url` through `agent`; `onClose` is told when the connection it used closes. Never throws. */
function get(
  url: string,
  agent: Agent,
  deadline: (fire: () => void) => () => void,
  onClose: () => void,
): Promise<{ ok: boolean; target?: string | undefined }> {
  return new Promise((resolve) => {
    const request = httpRequest(url, { agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        cancel();
        let target: string | undefined;
        try {
          target = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { target?: string }).target;
        } catch {
          target = undefined;
        }
        resolve({ ok: response.statusCode === 200, target });
      });
      response.on("error", () => resolve({ ok: false }));
    });
    const cancel = deadline(() => request.destroy(new Error("timeout")));
    request.on("socket", (socket) => {
      // A kept-alive socket serves many requests: listen for its close once.
      if (hooked.has(socket)) return;
      hooked.add(socket);
      socket.once("close", onClose);
    });
    request.on("error", () => {
      cancel();
      onClose();
      resolve({ ok: false });
    });
    request.end();
  });
}
