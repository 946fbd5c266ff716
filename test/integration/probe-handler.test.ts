import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ProbeRoundReport } from "../../functions/lib/probe/report.ts";
import type { RegionResult } from "../../functions/lib/region-result.ts";
import { FailoverError } from "../../functions/lib/errors.ts";
import { createLogger } from "../../functions/lib/log.ts";
import type { Prober } from "../../functions/lib/probe/types.ts";
import { createProbeHandler, handler } from "../../functions/probe.ts";
import { type LocalServer, startServer } from "../support/local-servers.ts";
import { manualClock } from "../support/manual-clock.ts";
import { configForTargets } from "../support/probe-config.ts";

const minute = Date.UTC(2025, 7, 6, 12, 0, 0);
const ok = (region: string): RegionResult => ({ region, ok: true, calls: 1, bytes: 100 });

describe("probe handler (real prober, fake clock, captured publish)", () => {
  let app: LocalServer;
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });
  const logged = (msg: string) => lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === msg);

  beforeAll(async () => {
    app = await startServer((req, res) => {
      res.writeHead(req.url === "/down" ? 500 : 200);
      res.end("ok");
    });
  });
  afterAll(() => app.close());
  afterEach(() => void lines.splice(0));

  const setup = (
    publish: (report: ProbeRoundReport) => Promise<RegionResult[]>,
    probe: Record<string, unknown> = {},
  ) => {
    const config = configForTargets([`${app.url}/up`, `${app.url}/down`], probe);
    const clock = manualClock(minute + 500);
    return { clock, run: createProbeHandler({ config, vantage: "eu-west-1", clock, publish, log }) };
  };

  it("runs rounds aligned to the interval until the budget, publishing each", async () => {
    const reports: ProbeRoundReport[] = [];
    const { run, clock } = setup(async (report) => {
      reports.push(report);
      return [ok("us-east-2"), ok("us-west-1")];
    });

    const summary = await run({ "detail-type": "Scheduled Event", source: "aws.events", time: "2025-08-06T12:00:00Z" });

    const expectedAts = [0, 10, 20, 30, 40, 50].map((s) => minute / 1000 + s);
    expect(summary).toEqual({ vantage: "eu-west-1", rounds: expectedAts, skipped: [], published: 6 });
    expect(reports.map((report) => report.at)).toEqual(expectedAts);
    for (const report of reports) {
      expect(report).toMatchObject({ vantage: "eu-west-1", voting: true });
      expect(report.results.map(({ target, ok, status }) => ({ target, ok, status }))).toEqual([
        { target: "t0", ok: true, status: 200 },
        { target: "t1", ok: false, status: 500 },
      ]);
    }
    expect(clock.sleeps.every((ms) => ms > 0)).toBe(true);
    expect(logged("probe round")).toHaveLength(6);
    expect(logged("probe round")[0]).toMatchObject({
      level: "info",
      vantage: "eu-west-1",
      checked: 2,
      down: [{ target: "t1", errorKind: "status", status: 500 }],
      latencyMs: Object.fromEntries(reports[0]?.results.map((r) => [r.target, Math.round(r.latencyMs)]) ?? []),
      published: ["us-east-2", "us-west-1"],
    });
    // One line a round: log ingestion is billed per byte.
    expect(lines).toHaveLength(6);
  });

  it("does not wait for a round's publish before the next round", async () => {
    const released: string[] = [];
    let releaseFirst: (() => void) | undefined;
    const publish = (report: ProbeRoundReport) =>
      new Promise<RegionResult[]>((resolve) => {
        const done = (how: string) => {
          released.push(how);
          resolve([ok("us-east-2")]);
        };
        if (releaseFirst === undefined) {
          // The first publish finishes only once the second round has been handed over (or after 3 s, which fails the test).
          releaseFirst = () => done("by the next round");
          setTimeout(() => done("by timeout"), 3000).unref();
        } else {
          releaseFirst();
          done(`round ${report.at}`);
        }
      });
    const { run } = setup(publish);

    const summary = await run({ maxRounds: 2 });

    expect(summary.rounds).toHaveLength(2);
    expect(released[0]).toBe("by the next round");
  });

  it("keeps probing and logs when a control region is unreachable or publishing fails", async () => {
    let calls = 0;
    const publish = async (): Promise<RegionResult[]> => {
      calls++;
      if (calls === 2) throw new Error("socket closed");
      return [
        {
          region: "us-east-2",
          ok: false,
          error: new FailoverError("CLOUDWATCH_UNAVAILABLE", "us-east-2 unreachable"),
          calls: 3,
          bytes: 0,
        },
        ok("us-west-1"),
      ];
    };
    const { run } = setup(publish);

    const summary = await run({ maxRounds: 3 });

    expect(summary).toMatchObject({ rounds: expect.any(Array), published: 0 });
    expect(summary.rounds).toHaveLength(3);
    expect(logged("probe round")[0]).toMatchObject({
      level: "warn",
      checked: 2,
      published: ["us-west-1"],
      unpublished: [{ region: "us-east-2", error: { code: "CLOUDWATCH_UNAVAILABLE" } }],
    });
    expect(logged("probe round not published")[0]).toMatchObject({
      level: "error",
      checked: 2,
      error: { message: "socket closed" },
    });
  });

  it("stops early enough for Lambda's remaining time", async () => {
    const { run } = setup(async () => [ok("us-east-2")]);
    const summary = await run({}, { getRemainingTimeInMillis: () => 20_000 });
    expect(summary.rounds).toHaveLength(2);
  });

  it("skips a slot the previous round overran instead of voting late", async () => {
    const config = configForTargets([`${app.url}/up`, `${app.url}/up`], { timeoutMs: 4000 });
    const clock = manualClock(minute + 500);
    // The first check takes 17 s of virtual time: round :00 ends at :17.5 (its second check, not started by :06.5, is left out),
    // 7.5 s into the :10 slot (more than the 6 s a late round may start), so :10 is skipped and :20 runs on time.
    const slow: Prober = async () => {
      clock.advance(17_000);
      return { ok: true, status: 200, latencyMs: 17_000 };
    };
    const run = createProbeHandler({
      config,
      vantage: "eu-west-1",
      clock,
      publish: async () => [ok("us-east-2")],
      prober: slow,
      log,
    });
    const summary = await run({ maxRounds: 3 });
    expect(summary.rounds).toEqual([minute / 1000, minute / 1000 + 20]);
    expect(summary.skipped).toEqual([minute / 1000 + 10]);
    expect(logged("probe rounds skipped")).toHaveLength(1);
  });

  it("refuses a vantage that is not in the config", () => {
    const config = configForTargets([`${app.url}/up`, `${app.url}/up`]);
    expect(() =>
      createProbeHandler({ config, vantage: "ap-south-1", clock: manualClock(0), publish: async () => [], log }),
    ).toThrow(/vantage "ap-south-1" is not listed in config.vantages/);
  });

  it.each([
    ["a string", "tick", "(root)"],
    ["a number", 42, "(root)"],
    ["a list", [], "(root)"],
    ["a boolean", true, "(root)"],
    ["another event source", { source: "aws.s3" }, "source"],
    ["another detail type", { "detail-type": "Object Created" }, "detail-type"],
    ["zero rounds", { maxRounds: 0 }, "maxRounds"],
    ["fractional rounds", { maxRounds: 1.5 }, "maxRounds"],
    ["rounds as text", { maxRounds: "2" }, "maxRounds"],
    ["too many rounds", { maxRounds: 1000 }, "maxRounds"],
    ["a bad time", { time: "yesterday" }, "time"],
  ])("refuses %s as its event, naming the field, and probes and publishes nothing", async (_name, event, field) => {
    let probed = 0;
    let published = 0;
    const config = configForTargets([`${app.url}/up`, `${app.url}/up`]);
    const run = createProbeHandler({
      config,
      vantage: "eu-west-1",
      clock: manualClock(minute),
      publish: async () => {
        published++;
        return [];
      },
      prober: async () => {
        probed++;
        return { ok: true, latencyMs: 1 };
      },
      log,
    });
    const error = await run(event).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(FailoverError);
    expect((error as FailoverError).code).toBe("INVALID_INPUT");
    expect((error as Error).message).toContain(`invalid probe event`);
    expect((error as Error).message).toContain(`${field}:`);
    expect([probed, published]).toEqual([0, 0]);
  });
});

describe("probe handler default wiring", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ["FAILOVER_CONFIG", "FAILOVER_VANTAGE"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it("names a missing config", async () => {
    delete process.env.FAILOVER_CONFIG;
    await expect(handler({})).rejects.toMatchObject({ code: "CONFIG_MISSING" });
  });

  it("names the bad field of the config in its environment", async () => {
    const config = JSON.parse(JSON.stringify(configForTargets(["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"])));
    config.probe.timeoutMs = 60_000;
    process.env.FAILOVER_CONFIG = JSON.stringify(config);
    await expect(handler({})).rejects.toThrow(/probe\.timeoutMs: expected an integer from 100 to 30000/);
  });

  it("names config that is not JSON", async () => {
    process.env.FAILOVER_CONFIG = "{not json";
    await expect(handler({})).rejects.toThrow(/config in env FAILOVER_CONFIG/);
  });
});
