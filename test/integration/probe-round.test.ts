import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { probeHttp } from "../../functions/lib/probe/http.ts";
import { runProbeRound } from "../../functions/lib/probe/round.ts";
import type { Prober } from "../../functions/lib/probe/types.ts";
import { closedPort, type LocalServer, selfSignedCertificate, startServer } from "../support/local-servers.ts";
import { configForTargets } from "../support/probe-config.ts";

describe("runProbeRound against local servers", () => {
  let app: LocalServer;
  let inFlight = 0;
  let maxInFlight = 0;
  let served = 0;
  // Paths under /blip fail their first request only.
  const blipped = new Map<string, number>();

  beforeAll(async () => {
    app = await startServer((req, res) => {
      inFlight++;
      served++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        const blip = req.url?.startsWith("/blip") && (blipped.get(req.url) ?? 0) < 1;
        if (blip && req.url) blipped.set(req.url, 1);
        res.writeHead(req.url?.startsWith("/down") || blip ? 503 : 200);
        res.end("ok");
      }, 15);
    });
  });
  afterAll(() => app.close());

  it("checks every target, never more than probe.concurrency at once, in config order", async () => {
    const urls = Array.from({ length: 40 }, (_, index) => `${app.url}/${index % 5 === 0 ? "down" : "up"}/${index}`);
    const config = configForTargets(urls, { concurrency: 4 });
    maxInFlight = 0;
    served = 0;

    const report = await runProbeRound({ config, vantage: "eu-west-1", at: 1754481600 });

    expect(served).toBe(40);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(report).toMatchObject({ vantage: "eu-west-1", at: 1754481600, voting: true });
    expect(report.canary).toBeUndefined();
    expect(report.results.map((result) => result.target)).toEqual(urls.map((_, index) => `t${index}`));
    expect(
      report.results.filter((result) => !result.ok).map((result) => [result.target, result.status, result.errorKind]),
    ).toEqual([0, 5, 10, 15, 20, 25, 30, 35].map((index) => [`t${index}`, 503, "status"]));
  });

  it("fails a target with a self-signed certificate, and passes it when the target skips the check with a reason", async () => {
    // Prepare
    const tls = await startServer((_req, res) => res.end("ok"), selfSignedCertificate());
    try {
      const base = configForTargets([`${tls.url}/a`, `${tls.url}/b`]);
      const config = {
        ...base,
        targets: base.targets.map((target, index) =>
          index === 1 ? { ...target, skipCertificateCheck: { reason: "private listener, internal CA" } } : target,
        ),
      };
      // Act
      const report = await runProbeRound({ config, vantage: "us-east-1", at: 10 });
      // Assess
      expect(report.results.map((result) => [result.target, result.ok, result.errorKind])).toEqual([
        ["t0", false, "tls"],
        ["t1", true, undefined],
      ]);
    } finally {
      await tls.close();
    }
  });

  it("votes when the canary answers, and reports it", async () => {
    const config = configForTargets([`${app.url}/up/a`, `${app.url}/up/b`], { canaryUrl: `${app.url}/up/canary` });
    const report = await runProbeRound({ config, vantage: "us-east-1", at: 10 });
    expect(report.voting).toBe(true);
    expect(report.canary?.ok).toBe(true);
  });

  it("does not vote when the canary is unreachable, but still reports the checks", async () => {
    const config = configForTargets([`${app.url}/up/a`, `${app.url}/up/b`], {
      canaryUrl: `http://127.0.0.1:${await closedPort()}/`,
    });
    const report = await runProbeRound({ config, vantage: "us-east-1", at: 10 });
    expect(report).toMatchObject({ voting: false, canary: { ok: false } });
    expect(report.results.map((result) => result.ok)).toEqual([true, true]);
  });

  it("re-checks a failed check 2 s after it started: a blip votes up, a lasting failure votes down, a passing target is checked once", async () => {
    // Prepare: a virtual clock the round's waits advance.
    const config = configForTargets([`${app.url}/blip/a`, `${app.url}/down/b`, `${app.url}/up/c`], {
      timeoutMs: 2000,
    });
    served = 0;
    // Act
    const { report, waits, elapsedMs } = await roundOnVirtualClock(config);
    // Assess
    expect(report.results.map((result) => [result.target, result.ok])).toEqual([
      ["t0", true],
      ["t1", false],
      ["t2", true],
    ]);
    expect(served).toBe(5);
    // Both failed checks started together, so both re-checks ran 2 s into the round (one shared virtual wait).
    expect(waits).toEqual([2000]);
    expect(elapsedMs).toBe(2000);
  });

  it("re-checks with the time left when a full timeout could not end a second before the next round", async () => {
    // Prepare: a 7.5 s timeout; the re-check starts 2 s into the round, so 7 s are left before the 9 s mark.
    const config = configForTargets([`${app.url}/blip/late`, `${app.url}/up/b`], { timeoutMs: 7500 });
    const timeouts: number[] = [];
    const prober: Prober = (request) => {
      timeouts.push(request.timeoutMs);
      return probeHttp(request);
    };
    served = 0;
    // Act
    const { report } = await roundOnVirtualClock(config, prober);
    // Assess: the blip's re-check ran, with 7 s instead of 7.5 s, and voted up.
    expect(report.results.map((result) => result.ok)).toEqual([true, true]);
    expect(served).toBe(3);
    expect(timeouts.sort()).toEqual([7000, 7500, 7500]);
  });

  it("does not re-check when less than half the timeout is left before a second before the next round", async () => {
    // Prepare: the round began 6 s ago (a late invocation): 3 s are left before the 9 s mark, under half of 7.5 s.
    const config = configForTargets([`${app.url}/down/a`, `${app.url}/up/b`], { timeoutMs: 7500 });
    const nowMs = 1754481600_000;
    served = 0;
    // Act
    const report = await runProbeRound({ config, vantage: "us-east-1", at: (nowMs - 6000) / 1000, now: () => nowMs });
    // Assess
    expect(report.results.map((result) => result.ok)).toEqual([false, true]);
    expect(served).toBe(2);
  });

  it("leaves out checks still queued when they could no longer finish within the interval (no vote, not a down vote)", async () => {
    const config = configForTargets([`${app.url}/up/a`, `${app.url}/up/b`, `${app.url}/up/c`], {
      concurrency: 1,
      intervalSeconds: 10,
      timeoutMs: 2000,
    });
    let nowMs = 0;
    // Each read of the clock is 5 s later: the second queued check would start past 10 s - 2 s.
    const report = await runProbeRound({ config, vantage: "us-east-1", at: 0, now: () => (nowMs += 5000) });
    expect(report.results.map((result) => result.target)).toEqual(["t0"]);
  });
});

/** Runs one round from its aligned start on a virtual clock that the round's waits advance. */
async function roundOnVirtualClock(config: FailoverConfig, prober?: Prober) {
  const start = 1754481600_000;
  let nowMs = start;
  const waits: number[] = [];
  const report = await runProbeRound({
    config,
    vantage: "us-east-1",
    at: start / 1000,
    now: () => nowMs,
    sleep: async (ms) => {
      waits.push(ms);
      nowMs += ms;
    },
    ...(prober ? { prober } : {}),
  });
  return { report, waits, elapsedMs: nowMs - start };
}
