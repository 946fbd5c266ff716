import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClients } from "../../drill/clients.ts";
import { DrillClock } from "../../drill/clock.ts";
import { LagMonitor } from "../../drill/lag-monitor.ts";
import { scaledProber } from "../../drill/scaled-prober.ts";
import { probeHttp } from "../../functions/lib/probe/http.ts";
import { startServer, type LocalServer } from "../support/local-servers.ts";

// The drill's unexplained all-vantage time-outs: every part of the drill shares one
// process, so a stall of it (a long GC, or the machine busy elsewhere) longer than
// a compressed timeout (100 ms at 40x) fired every pending timeout at once, before
// the answers that had arrived meanwhile were read. Timeouts now count the process's
// own time only.

/** Blocks this process's event loop, as a long GC pause or a descheduled process would. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

let server: LocalServer;
const lag = new LagMonitor();
beforeAll(async () => {
  server = await startServer((_request, response) => response.end("ok"));
  lag.start();
});
afterAll(async () => {
  lag.stop();
  await server.close();
});

describe("the drill under a stalled event loop", () => {
  it("does not time a probe out when only a stall made it late", async () => {
    // Prepare: a 4,000 ms timeout at 40x is 100 ms of wall time.
    const prober = scaledProber(probeHttp, { speed: 40, lag });
    const request = { url: `${server.url}/health`, timeoutMs: 4000, maxLatencyMs: 2000, expectedStatuses: [200] };

    // Act: the loop stalls for 250 ms while the check is in flight.
    const result = prober({ ...request, bodyMatchBytes: 1, headers: {} });
    setTimeout(() => stall(250), 1);

    // Assess: ok, and its latency is the check's own, not the stall's.
    const answer = await result;
    expect(answer.ok).toBe(true);
    expect(answer.latencyMs).toBeLessThan(2000);
  });

  it("still times a probe out when the target does not answer in the process's own time", async () => {
    // Prepare: a server that never answers (blackhole).
    const blackhole = await startServer(() => undefined);
    const prober = scaledProber(probeHttp, { speed: 40, lag });

    // Act
    const answer = await prober({
      url: `${blackhole.url}/health`,
      timeoutMs: 4000,
      expectedStatuses: [200],
      bodyMatchBytes: 1,
      headers: {},
    });
    await blackhole.close();

    // Assess
    expect(answer).toMatchObject({ ok: false, errorKind: "timeout", latencyMs: 4000 });
  });

  it("does not count a client request as failed when only a stall made it late", async () => {
    // Prepare: one client, a 10 s timeout at 40x (250 ms wall), a request every 15 s.
    const clock = new DrillClock({ startMs: 0, speed: 40 });
    const clients = new SimulatedClients({
      clock,
      startMs: 0,
      count: 1,
      requestIntervalSeconds: 15,
      ttlSeconds: 60,
      resolve: async () => ({ primary: 1 }),
      urlFor: () => server.url,
      timeoutMs: 10_000,
      lag,
      random: () => 0.5,
    });

    // Act: the loop stalls for 400 ms (16 s virtual) right after the first request starts.
    clients.start(30_000);
    setTimeout(() => stall(400), 2);
    await clock.sleepUntil(30_000);
    clock.stop();
    await clients.stop();

    // Assess
    const totals = clients.totals();
    expect(totals.requests).toBeGreaterThan(0);
    expect(totals.errors).toBe(0);
  });
});
