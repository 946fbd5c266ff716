import { afterEach, describe, expect, it } from "vitest";
import { SimulatedClients } from "../../drill/clients.ts";
import { DrillClock } from "../../drill/clock.ts";
import { startFaultProxy, type FaultProxy } from "../../drill/fault-proxy.ts";
import { seededRandom, type DrillFault } from "../../drill/faults.ts";
import { startRegionServer, type RegionServer } from "../../drill/region-server.ts";
import { startSlackStandIn } from "../../drill/slack-stand-in.ts";

/** A request's outcome as a probe sees it: status, or the error code. */
async function get(url: string, timeoutMs = 500): Promise<{ status?: number; error?: string; ms: number }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { error: cause?.code ?? (error as Error).name, ms: performance.now() - started };
  }
}

describe("drill network parts", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function setUp(
    faults: DrillFault[],
    vantage: string | undefined,
  ): Promise<{ region: RegionServer; proxy: FaultProxy; clock: DrillClock }> {
    const clock = new DrillClock({ startMs: 0, speed: 100 });
    const region = await startRegionServer({ target: "primary", region: "us-east-1" });
    closers.push(() => region.close());
    const proxy = await startFaultProxy({
      path: { target: "primary", vantage },
      upstream: region.url,
      faults,
      clock,
      random: () => 0,
    });
    closers.push(() => proxy.close());
    return { region, proxy, clock };
  }

  it("forwards health checks and API calls to the region server", async () => {
    const { region, proxy } = await setUp([], "eu-west-1");
    const health = await get(`${proxy.url}/health`);
    const api = await fetch(`${proxy.url}/api/session`).then((r) => r.json());
    expect(health.status).toBe(200);
    expect(api).toMatchObject({ target: "primary", region: "us-east-1" });
    expect(region.served).toBe(2);
  });

  it("refuses connections while the target is down and accepts them after", async () => {
    // Prepare: down for the first 2 virtual seconds (20 ms wall at speed 100).
    const { proxy, clock } = await setUp([{ start: 0, end: 2, target: "primary", kind: "down" }], "eu-west-1");
    // Act
    const during = await get(`${proxy.url}/health`);
    await clock.sleepUntil(2_000);
    await proxy.refresh();
    const after = await get(`${proxy.url}/health`);
    // Assess
    expect(during.error).toBe("ECONNREFUSED");
    expect(after.status).toBe(200);
  });

  it("hangs a blackholed request until the caller gives up", async () => {
    const { proxy } = await setUp([{ start: 0, end: 1000, kind: "blackhole" }], "eu-west-1");
    const result = await get(`${proxy.url}/health`, 150);
    expect(result.error).toBe("TimeoutError");
    expect(proxy.counts.hung).toBe(1);
  });

  it("answers the injected status and delays by the scaled latency", async () => {
    // 4000 virtual ms at speed 100 = 40 ms wall.
    const { proxy } = await setUp(
      [
        { start: 0, end: 1000, kind: "status", status: 429, ratio: 1 },
        { start: 0, end: 1000, kind: "latency", ms: 4000 },
      ],
      "eu-west-1",
    );
    const result = await get(`${proxy.url}/health`);
    expect(result.status).toBe(429);
    expect(result.ms).toBeGreaterThanOrEqual(35);
  });

  it("keeps vantage-limited faults off the clients' path", async () => {
    const { proxy } = await setUp(
      [{ start: 0, end: 1000, kind: "status", status: 503, ratio: 1, vantages: ["eu-west-1"] }],
      undefined,
    );
    expect((await get(`${proxy.url}/api/x`)).status).toBe(200);
  });

  it("records what the Slack stand-in receives", async () => {
    const slack = await startSlackStandIn({ now: () => 42 });
    closers.push(() => slack.close());
    const answer = await fetch(slack.webhookUrl, {
      method: "POST",
      body: JSON.stringify({ text: "switchover ALARM" }),
    });
    expect(await answer.text()).toBe("ok");
    expect(slack.messages).toEqual([{ at: 42, body: { text: "switchover ALARM" }, text: "switchover ALARM" }]);
  });

  it("counts client errors per minute on the region the record sent them to", async () => {
    // Prepare: the clients' path to primary is down during the second minute. 50x (3.6 s wall), not
    // faster: a request's lag from client to proxy, in virtual time, grows with the speed, and at 200x a
    // busy machine's lag carried requests across the minute boundary.
    const clock = new DrillClock({ startMs: 0, speed: 50 });
    const region = await startRegionServer({ target: "primary", region: "us-east-1" });
    closers.push(() => region.close());
    const proxy = await startFaultProxy({
      path: { target: "primary" },
      upstream: region.url,
      faults: [{ start: 60, end: 120, kind: "status", status: 503, ratio: 1 }],
      clock,
      random: () => 0,
    });
    closers.push(() => proxy.close());
    let resolutions = 0;
    const clients = new SimulatedClients({
      clock,
      startMs: 0,
      count: 4,
      requestIntervalSeconds: 10,
      ttlSeconds: 60,
      timeoutMs: 10_000,
      random: seededRandom(1),
      resolve: async () => {
        resolutions++;
        return { primary: 100, failover: 0 };
      },
      urlFor: () => proxy.url,
    });
    // Act
    clients.start(180_000);
    await clients.stop();
    // Assess
    const minutes = clients.minutes();
    expect(minutes.map((m) => [m.at, m.target, m.errors > 0])).toEqual([
      [0, "primary", false],
      [60_000, "primary", true],
      [120_000, "primary", false],
    ]);
    expect(minutes[1]?.errors).toBe(minutes[1]?.requests);
    expect(resolutions).toBeGreaterThanOrEqual(8);
  });
});
