import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { faultAction, faultsOnPath, type DrillFault, type FaultPath } from "./faults.ts";
import { LoopbackListener } from "./net.ts";

/** The part of the drill clock a proxy needs. */
export interface ProxyClock {
  /** Virtual seconds since the scenario start. */
  elapsedSeconds(): number;
  /** Wall ms for a virtual duration. */
  toWallMs(virtualMs: number): number;
}

/** A fault-injecting HTTP proxy on one path (vantage → target, or clients → target). */
export interface FaultProxy {
  path: FaultPath;
  /** Base URL of the proxy; same port for its whole life, also across `down` periods. */
  url: string;
  /** Requests seen, by what happened to them. */
  readonly counts: Record<"forwarded" | "answered" | "reset" | "hung" | "refused", number>;
  /**
   * Applies listener-level faults at the current time: the port is closed
   * (connections refused) while a `down` fault is active now and still
   * `marginSeconds` later, open otherwise. The drill calls it at every fault
   * boundary and `marginSeconds` before it, so the port reopens just before
   * a fault ends; requests in that last moment are reset one by one, and a
   * probe at the very second the fault ends gets through, as in the replay.
   */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  path: FaultPath;
  /** Base URL of the region server. */
  upstream: string;
  faults: readonly DrillFault[];
  clock: ProxyClock;
  /** Uniform [0, 1), seeded per path. */
  random: () => number;
  /** See {@link FaultProxy.refresh}. @default 1 */
  marginSeconds?: number;
}

/** What a proxy's request handler and its close() share. */
interface ProxyState {
  upstream: URL;
  /** Keep-alive connections to the region server. */
  agent: Agent;
  counts: FaultProxy["counts"];
  /** Pending delayed actions, cleared on close. */
  timers: Set<NodeJS.Timeout>;
  closed: boolean;
}

/**
 * Starts a proxy in front of `upstream` that applies the scenario's faults
 * on the drill's clock: `down` closes the listening port (refused; a request
 * racing the boundary is reset), `blackhole` accepts and never answers,
 * `status` answers that status for `ratio` of requests, `latency` delays by
 * `ms` (scaled by the speed), `loss` resets `ratio` of connections (seeded).
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const state: ProxyState = {
    upstream: new URL(options.upstream),
    agent: new Agent({ keepAlive: true, maxSockets: 64 }),
    counts: { forwarded: 0, answered: 0, reset: 0, hung: 0, refused: 0 },
    timers: new Set(),
    closed: false,
  };
  const server = createServer((request, response) => applyFault(options, state, request, response));
  server.keepAliveTimeout = 5_000;
  const listener = new LoopbackListener(server);
  const port = await listener.listen();
  const listening = listenerRefresher(options, state, server, listener, port);
  await listening.refresh();

  return {
    path: options.path,
    url: `http://127.0.0.1:${port}`,
    counts: state.counts,
    refresh: listening.refresh,
    close: async () => {
      state.closed = true;
      for (const timer of state.timers) clearTimeout(timer);
      state.timers.clear();
      await listening.settled();
      await listener.close();
      state.agent.destroy();
    },
  };
}

/** Does to one request what the faults active on the path now say: refuse, hang, reset, answer or forward it. */
function applyFault(options: FaultProxyOptions, state: ProxyState, request: IncomingMessage, response: ServerResponse) {
  const { counts } = state;
  const action = faultAction(
    faultsOnPath(options.faults, options.path, options.clock.elapsedSeconds()),
    options.random,
  );
  const later = (virtualMs: number, run: () => void) => runLater(options.clock, state, virtualMs, run);
  switch (action.kind) {
    case "refuse":
      counts.refused++;
      request.socket.resetAndDestroy();
      return;
    case "hang":
      // Accept and never answer: the caller's own timeout ends it (or close()).
      counts.hung++;
      request.resume();
      return;
    case "reset":
      counts.reset++;
      return later(action.delayMs, () => request.socket.resetAndDestroy());
    case "respond":
      counts.answered++;
      request.resume();
      return later(action.delayMs, () => {
        response.writeHead(action.status, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: `injected status ${action.status}` }));
      });
    case "forward":
      counts.forwarded++;
      return later(action.delayMs, () => forward(state.upstream, state.agent, request, response));
  }
}

/** Runs `run` after `virtualMs` of drill time (at once if not positive); never after the proxy closed. */
function runLater(clock: ProxyClock, state: ProxyState, virtualMs: number, run: () => void) {
  if (virtualMs <= 0) return run();
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    if (!state.closed) run();
  }, clock.toWallMs(virtualMs));
  state.timers.add(timer);
}

/** Passes a request to the region server and its answer back; an unreachable upstream answers 502. */
function forward(upstream: URL, agent: Agent, request: IncomingMessage, response: ServerResponse): void {
  const outbound = httpRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: request.method,
      path: request.url,
      headers: { ...request.headers, host: upstream.host },
      agent,
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  outbound.on("error", () => {
    if (!response.headersSent) response.writeHead(502, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: "upstream unreachable" }));
  });
  request.pipe(outbound);
}

/** {@link FaultProxy.refresh} for one listener, and a way to wait for the last change to finish. */
function listenerRefresher(
  options: FaultProxyOptions,
  state: ProxyState,
  server: Server,
  listener: LoopbackListener,
  port: number,
): { refresh: () => Promise<void>; settled: () => Promise<void> } {
  const margin = options.marginSeconds ?? 1;
  const downAt = (second: number) =>
    faultsOnPath(options.faults, options.path, second).some((fault) => fault.kind === "down");
  // Listener changes are serialised so a quick down/up pair cannot interleave.
  let pending: Promise<void> = Promise.resolve();
  const refresh = () => {
    const step = pending.then(async () => {
      if (state.closed) return;
      const now = options.clock.elapsedSeconds();
      const down = downAt(now) && downAt(now + margin);
      if (down && server.listening) await listener.close();
      else if (!down && !server.listening) await listener.listen(port);
    });
    pending = step.catch(() => undefined);
    return step;
  };
  return { refresh, settled: () => pending.catch(() => undefined) };
}
