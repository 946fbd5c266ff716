import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "../../emulator/aws-fault-proxy.ts";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { VoteTable } from "../../functions/lib/aws/vote-table.ts";
import { voteChannel } from "../../functions/lib/wiring/votes.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { runDecisionRound, type RoundDeps } from "../../functions/lib/decider/round.ts";
import { SignalStore } from "../../functions/lib/dataplane/signal-store.ts";
import { awsFaultRule, noCalls } from "../../drill/aws-faults.ts";
import type { DrillFault } from "../../drill/faults.ts";
import {
  allUp,
  capturedLog,
  controlZone,
  emulatorPerFile,
  primaryDownFromTwo,
  publishVotes,
  splitDrainPolicy,
} from "../support/control-fixtures.ts";
import { fastRetry } from "./aws-fixtures.ts";
import { createSignalHandler } from "../../functions/signal.ts";
import { startSignalEndpoint } from "../../drill/signal-endpoint.ts";
import { controlRegionsDown } from "../../offline/scenario.ts";

// The drill's fault path: the system's parts reach the emulator through the AWS fault proxy, whose rule
// fails every Route 53 call while the scenario's route53-api-down is active and one region's CloudWatch
// calls while its cloudwatch-down is, one region's SSM writes while its signal-store-down is, and every
// call signed for a control region while its control-region-down is (its signal endpoint then answers nothing).

const emulator = emulatorPerFile();
const t0 = Math.floor(Date.now() / 60_000) * 60 - 900;
const faults: DrillFault[] = [
  { start: 100, end: 200, kind: "route53-api-down" },
  { start: 300, end: 400, kind: "cloudwatch-down", region: "us-west-1" },
  { start: 500, end: 600, kind: "signal-store-down", region: "us-west-1" },
  { start: 700, end: 800, kind: "control-region-down", region: "us-west-1" },
  // Keeps the drains of the signal-store and lost-region cases on the signal path, so they write documents.
  { start: 500, end: 800, kind: "route53-api-down" },
];
const policy = splitDrainPolicy;
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(emulator.url);
  // moto imports its SSM backend on the first call (seconds on a busy machine).
  await new ParameterStore({ region: "us-east-2", endpoint: emulator.url, retry: { budgetMs: 30_000 } }).get("/warm");
}, 60_000);
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers) await close();
  await proxy?.close();
});

/** The drill's wiring: direct adapters for set-up and checks, adapters through the proxy for the system. */
async function setUp() {
  let second = 0;
  const counts = noCalls();
  proxy.setRule(awsFaultRule(faults, () => second, counts));
  const direct = await controlZone(emulator.url, { policy });
  const { config } = direct;
  const system = { endpoint: proxy.url, retry: fastRetry };
  const signals = new SignalStore(
    config,
    new Map(config.controlRegions.map((region) => [region, new ParameterStore({ ...system, region })])),
  );
  const { log } = capturedLog();
  const deps = (controlRegion: string): RoundDeps => ({
    config,
    controlRegion,
    switcher: new Route53Switcher(config, system),
    bus: voteChannel(new VoteTable(config, system), new MetricsBus(config, system)),
    log,
    dryRun: false,
    signals,
  });
  /** us-west-1's signal endpoint as the drill serves it: the real handler over the proxy, silent while its region is lost. */
  const endpoint = async () => {
    const region = "us-west-1";
    const handler = createSignalHandler({ config, region, store: signals, log, cacheMs: 0 });
    const served = await startSignalEndpoint(region, handler, undefined, () =>
      controlRegionsDown(faults, second).has(region),
    );
    closers.push(() => served.close());
    return (target: string) =>
      fetch(`${served.url}/?target=${target}`, { signal: AbortSignal.timeout(10_000) }).then(
        async (response) => ({ status: response.status, body: await response.text() }),
        () => undefined,
      );
  };
  return { direct, counts, signals, deps, endpoint, at: (scenarioSecond: number) => (second = scenarioSecond) };
}

/** Before any fault, a round writes us-east-2's document into both stores (returns us-west-1's copy); primary then fails. */
async function storedThenPrimaryDown({ direct, signals, deps, at }: Awaited<ReturnType<typeof setUp>>) {
  await publishVotes(direct.votes, t0, allUp);
  at(50);
  await runDecisionRound(deps("us-east-2"), t0 + 6);
  const stored = (await signals.read("us-west-1")).docs.find((doc) => doc.by === "us-east-2");
  await publishVotes(direct.votes, t0 + 10, primaryDownFromTwo);
  await publishVotes(direct.votes, t0 + 20, primaryDownFromTwo);
  return stored;
}

describe("the drill's AWS fault path (emulator behind the fault proxy)", () => {
  it("fails every Route 53 call of a decider during route53-api-down, which then drains through the health-check signal", async () => {
    // Prepare: a round before the outage writes the view; primary then fails from two vantages.
    const { direct, counts, signals, deps, at } = await setUp();
    await publishVotes(direct.votes, t0, allUp);
    at(50);
    const before = await runDecisionRound(deps("us-east-2"), t0 + 6);
    const passedBefore = counts.route53Passed;
    await publishVotes(direct.votes, t0 + 10, primaryDownFromTwo);
    await publishVotes(direct.votes, t0 + 20, primaryDownFromTwo);

    // Act: the round runs inside the Route 53 API outage.
    at(150);
    const during = await runDecisionRound(deps("us-west-1"), t0 + 26);

    // Assess: no Route 53 call got through; the drain went to every region's signal; the records never moved.
    expect(before.path).toBe("api");
    expect(passedBefore).toBeGreaterThan(0);
    expect(counts.route53Failed).toBeGreaterThan(0);
    expect(counts.route53Passed).toBe(passedBefore);
    expect(during).toMatchObject({ path: "data-plane", kind: "drain", switched: true });
    expect(during.signals).toMatchObject({ draining: ["primary"], confirmed: true });
    for (const region of ["us-east-2", "us-west-1"])
      expect((await signals.read(region)).docs.find((doc) => doc.by === "us-west-1")?.drain).toEqual(["primary"]);
    expect((await direct.switcher.read()).weights).toEqual({ primary: 90, failover: 10 });
  }, 60_000);

  it("fails the CloudWatch calls of the control region whose CloudWatch is down, not the other's; both deciders still see their votes", async () => {
    // Prepare: votes in both regions' tables; the clock inside us-west-1's CloudWatch outage.
    const { direct, counts, deps, at } = await setUp();
    await publishVotes(direct.votes, t0, allUp);
    at(350);

    // Act: one round in each control region.
    const west = await runDecisionRound(deps("us-west-1"), t0 + 6);
    const east = await runDecisionRound(deps("us-east-2"), t0 + 6);

    // Assess: the votes come from the votes table, so both decided; only their metrics for us-west-1 failed.
    for (const round of [west, east]) {
      expect(round.kind).toBe("steady");
      expect(round.published.map(({ region, ok }) => ({ region, ok }))).toEqual([
        { region: "us-east-2", ok: true },
        { region: "us-west-1", ok: false },
      ]);
    }
    expect(counts.cloudwatchFailed).toBeGreaterThan(0);
  }, 60_000);

  it("fails the SSM writes signed for the region whose signal store is down, while its reads pass for deciders and the endpoint", async () => {
    // Prepare: a round before the fault writes us-east-2's document into both stores; primary then fails.
    const wired = await setUp();
    const { counts, signals, deps, at } = wired;
    const stored = await storedThenPrimaryDown(wired);
    const ask = await wired.endpoint();

    // Act: us-east-2's round drains through the signal inside us-west-1's signal-store outage; its endpoint is asked.
    at(550);
    const during = await runDecisionRound(deps("us-east-2"), t0 + 26);
    const read = await signals.read("us-west-1");
    const answer = await ask("primary");

    // Assess: the write to us-west-1 failed, us-east-2's passed; us-west-1 still reads, holding the document from before.
    expect(stored).toBeDefined();
    expect(during.signals?.writes.map(({ region, ok }) => ({ region, ok }))).toEqual([
      { region: "us-east-2", ok: true },
      { region: "us-west-1", ok: false },
    ]);
    expect((await signals.read("us-east-2")).docs.find((doc) => doc.by === "us-east-2")?.drain).toEqual(["primary"]);
    expect(counts.signalWritesFailed).toBeGreaterThan(0);
    expect(read.error).toBeUndefined();
    expect(read.docs.find((doc) => doc.by === "us-east-2")).toEqual(stored);
    expect(answer).toMatchObject({ status: 404, body: "serve primary\n" });
  }, 60_000);

  it("silences a lost control region's endpoint and fails every call signed for it, and it comes back with what it stored", async () => {
    // Prepare: a round before the fault writes us-east-2's document into both stores; primary then fails.
    const wired = await setUp();
    const { counts, signals, deps, at } = wired;
    const stored = await storedThenPrimaryDown(wired);
    const ask = await wired.endpoint();
    const before = await ask("primary");

    // Act: inside us-west-1's loss, us-east-2 drains; us-west-1's store is read and its endpoint asked; then the loss ends.
    at(750);
    const during = await runDecisionRound(deps("us-east-2"), t0 + 26);
    const lostRead = await signals.read("us-west-1");
    const silent = await ask("primary");
    at(800);
    const back = await signals.read("us-west-1");
    const after = await ask("primary");

    // Assess: no write, no read and no answer while lost; after, the store holds the document written before the loss.
    expect(before).toMatchObject({ status: 404, body: "serve primary\n" });
    expect(during.signals?.writes.map(({ region, ok }) => ({ region, ok }))).toEqual([
      { region: "us-east-2", ok: true },
      { region: "us-west-1", ok: false },
    ]);
    expect(during.published.find((result) => result.region === "us-west-1")?.ok).toBe(false);
    expect(lostRead.error).toBeDefined();
    expect(silent).toBeUndefined();
    expect(counts.regionDownFailed).toBeGreaterThan(0);
    expect(back.error).toBeUndefined();
    expect(back.docs.find((doc) => doc.by === "us-east-2")).toEqual(stored);
    expect(after).toMatchObject({ status: 404, body: "serve primary\n" });
  }, 60_000);
});
