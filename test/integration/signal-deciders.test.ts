import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "../../emulator/aws-fault-proxy.ts";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { voteChannel } from "../../functions/lib/wiring/votes.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import type { FailoverEvent } from "../../functions/lib/slack/failover-event.ts";
import { runDecisionRound, type RoundDeps } from "../../functions/lib/decider/round.ts";
import { answerSharesFor } from "../../functions/lib/dataplane/answers.ts";
import { SignalStore } from "../../functions/lib/dataplane/signal-store.ts";
import { drainedAnywhere, SIGNAL_STALE_SECONDS } from "../../functions/lib/dataplane/signal-union.ts";
import { createSignalHandler } from "../../functions/signal.ts";
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
import { handleManualEvent, type ManualDeps } from "../../functions/lib/manual/handle-event.ts";
import type { ChangeResult, StatusResult } from "../../functions/lib/manual/result.ts";
import { manualClock } from "../support/manual-clock.ts";

// Two deciders, one mind, on the data-plane path (emulator): each decider writes only its own signal
// document; the endpoints drain on the union of fresh ones.
const emulator = emulatorPerFile();
const t0 = Math.floor(Date.now() / 60_000) * 60 - 1800;
const east = "us-east-2";
const west = "us-west-1";
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(emulator.url);
  // moto imports its SSM backend on the first call (seconds on a busy machine).
  await new ParameterStore({
    region: east,
    endpoint: emulator.url,
    retry: { budgetMs: 30_000, attemptTimeoutMs: 30_000 },
  }).get("/warm-up");
}, 60_000);
afterAll(async () => {
  await proxy?.close();
});

/** Both deciders over one zone; the signal stores reached through the fault proxy (so a test can fail their writes). */
async function setUp() {
  proxy.setRule(undefined);
  const { config, switcher, bus, votes, channel, audit } = await controlZone(emulator.url, {
    policy: splitDrainPolicy,
  });
  const stores = new Map(
    config.controlRegions.map((region) => [
      region,
      new ParameterStore({ region, endpoint: proxy.url, retry: fastRetry }),
    ]),
  );
  const signals = new SignalStore(config, stores);
  const direct = new SignalStore(
    config,
    new Map(config.controlRegions.map((region) => [region, new ParameterStore({ region, endpoint: emulator.url })])),
  );
  const apiDown = new Route53Switcher(config, { endpoint: "http://127.0.0.1:9", retry: fastRetry });
  const viaProxy = new Route53Switcher(config, { endpoint: proxy.url, retry: fastRetry });
  const { log } = capturedLog();
  const announced: Array<{ by: string; event: FailoverEvent }> = [];
  const deps = (controlRegion: string, api: "up" | "down" | "proxy"): RoundDeps => ({
    config,
    controlRegion,
    switcher: api === "up" ? switcher : api === "down" ? apiDown : viaProxy,
    bus: channel,
    log,
    dryRun: false,
    signals,
    announce: async (event) => {
      announced.push({ by: controlRegion, event });
      return { region: controlRegion, problems: [] };
    },
  });
  /** Votes readable in one control region only (each region's votes table is its own). */
  const votesIn = (region: string, at: number, up: Record<string, Record<string, boolean>>) =>
    publishVotes(votes, at, up, [region]);
  /** What DNS answers at `at`: the records, less the targets any region's fresh documents drain. */
  const dns = async (at: number) => {
    const drained = drainedAnywhere(await direct.readAll(), at);
    const records = (await switcher.read()).weights;
    return { drained: [...drained].sort(), shares: answerSharesFor(records, drained, ["primary", "failover"]) };
  };
  const endpoint = (region: string, at: number, target: string) =>
    createSignalHandler({
      config,
      region,
      store: direct,
      cacheMs: 0,
      log,
      clock: { now: () => at * 1000, sleep: async () => {} },
    })({ queryStringParameters: { target } });
  /** The manual function on the rounds' clock, with the signal stores (so a lease can clear a drain). */
  const manual = (at: number): ManualDeps => ({
    config,
    region: east,
    clock: manualClock(at * 1000),
    switcher,
    bus,
    votes,
    log,
    audit,
    signals: direct,
    syncTimeoutMs: 0,
  });
  return { config, switcher, votes, deps, votesIn, dns, endpoint, announced, direct, manual };
}

/** Both deciders' rounds at `at`, at the same moment, with the Route 53 API down. */
async function bothAtOnce(env: Awaited<ReturnType<typeof setUp>>, at: number) {
  await Promise.all([runDecisionRound(env.deps(west, "down"), at), runDecisionRound(env.deps(east, "down"), at)]);
}

/** A drain of primary decided at t0+26 (votes down from two of three vantages at t0+10 and t0+20), after a warm round at t0+6. */
async function primaryFails(env: Awaited<ReturnType<typeof setUp>>) {
  await publishVotes(env.votes, t0, allUp);
  await runDecisionRound(env.deps(east, "up"), t0 + 6);
  await runDecisionRound(env.deps(west, "up"), t0 + 7);
  await publishVotes(env.votes, t0 + 10, primaryDownFromTwo);
  await publishVotes(env.votes, t0 + 20, primaryDownFromTwo);
}

describe("the data-plane signal with two deciders (emulator)", () => {
  it("a decider whose window still shows primary up cannot take back the other's drain", async () => {
    // Prepare: the API is down; us-west-1's window shows primary failing, us-east-2's (stale) does not.
    const env = await setUp();
    await publishVotes(env.votes, t0, allUp);
    await runDecisionRound(env.deps(east, "up"), t0 + 6);
    await runDecisionRound(env.deps(west, "up"), t0 + 7);
    for (const at of [t0 + 10, t0 + 20]) {
      await env.votesIn(west, at, primaryDownFromTwo);
      await env.votesIn(east, at, allUp);
    }

    // Act: us-west-1 drains; one second later us-east-2 decides from its own window.
    const drain = await runDecisionRound(env.deps(west, "down"), t0 + 26);
    const other = await runDecisionRound(env.deps(east, "down"), t0 + 27);

    // Assess: the drain stands in both regions' endpoints, and is announced once (DNS already drained it when
    // the second decider wrote).
    expect(drain).toMatchObject({ kind: "drain", switched: true, path: "data-plane" });
    expect(other.switched).toBe(false);
    expect(env.announced.map(({ by, event }) => [by, event.kind])).toEqual([[west, "drain"]]);
    expect(await env.dns(t0 + 28)).toEqual({ drained: ["primary"], shares: { primary: 0, failover: 1 } });
    for (const region of [east, west])
      expect((await env.endpoint(region, t0 + 28, "primary")).body).toBe("drain primary\n");
  }, 60_000);

  it("with one region's store refusing writes, never leaves every record unhealthy, and recovers once its stale drain expires", async () => {
    // Prepare: primary drained with the API up (records 0/100, both stores drain primary).
    const env = await setUp();
    await primaryFails(env);
    await runDecisionRound(env.deps(east, "up"), t0 + 26);
    expect((await env.switcher.read()).weights).toEqual({ primary: 0, failover: 100 });
    // Then the API goes down, us-west-1's store refuses writes (reads still work), primary recovers and failover fails.
    proxy.setRule((call) =>
      call.operation === "PutParameter" && call.region === west ? { kind: "status", status: 503 } : undefined,
    );
    const failoverDown = {
      "us-east-1": { primary: true, failover: false },
      "us-west-2": { primary: true, failover: false },
      "eu-west-1": { primary: true, failover: false },
    };
    for (let at = t0 + 30; at <= t0 + 70; at += 10) await publishVotes(env.votes, at, failoverDown);

    // Act: the emergency round; us-west-1's store still holds the old drain of primary.
    const emergency = await runDecisionRound(env.deps(east, "down"), t0 + 76);
    const during = await env.dns(t0 + 77);
    // ...and a round after that stale document's bound.
    const late = t0 + 26 + SIGNAL_STALE_SECONDS + 10;
    for (let at = t0 + 290; at <= t0 + 330; at += 10) await publishVotes(env.votes, at, failoverDown);
    const recovered = await runDecisionRound(env.deps(east, "down"), late);

    // Assess: never both drained (Route 53 would fail open to 0/100, onto the dead failover); not reported done.
    expect(emergency.signals?.withheld).toEqual(["failover"]);
    expect(emergency.signals?.inEffect).toBe(false);
    expect(emergency.switched).toBe(false);
    expect(during.drained).toEqual(["primary"]);
    // Past the bound the stuck drain counts as serve and the emergency goes through: all traffic to primary.
    expect(recovered.signals).toMatchObject({ draining: ["failover"], confirmed: true });
    expect(await env.dns(late + 1)).toEqual({ drained: ["failover"], shares: { primary: 1, failover: 0 } });
  }, 90_000);

  it("a promote of a drained target clears its drain signal: DNS answers what the lease says, and status shows every document", async () => {
    // Prepare: primary drained through the signal with the API down (records still 90/10).
    const env = await setUp();
    await primaryFails(env);
    await runDecisionRound(env.deps(west, "down"), t0 + 26);
    await runDecisionRound(env.deps(east, "down"), t0 + 27);
    expect((await env.dns(t0 + 28)).shares).toEqual({ primary: 0, failover: 1 });

    // Act: on-call promotes primary (the API is back for the manual function), then asks for status.
    const promote = await handleManualEvent(env.manual(t0 + 40), {
      action: "promote",
      target: "primary",
      actor: "alice",
      reason: "primary is fine, the probes are wrong",
    });
    const status = await handleManualEvent(env.manual(t0 + 41), { action: "status", actor: "bob" });

    // Assess: the records say primary 100, and so do DNS answers: the override serves primary whatever the
    // deciders' documents say.
    expect(promote).toMatchObject({ ok: true, to: { primary: 100, failover: 0 } });
    expect((promote as ChangeResult & { ok: true }).problems).toEqual([]);
    expect(await env.dns(t0 + 41)).toEqual({ drained: [], shares: { primary: 1, failover: 0 } });
    expect((await env.endpoint(west, t0 + 41, "primary")).body).toBe("serve primary\n");
    const signal = (status as StatusResult & { ok: true }).signal;
    expect(signal?.documents.map((d) => [d.store, d.writer, d.ageSeconds, d.drain])).toEqual([
      [east, east, 14, ["primary"]],
      [east, west, 15, ["primary"]],
      [west, east, 14, ["primary"]],
      [west, west, 15, ["primary"]],
    ]);
    expect(signal?.overrides.map((o) => [o.store, o.serve, o.active])).toEqual([
      [east, ["primary"], true],
      [west, ["primary"], true],
    ]);
    expect(signal?.drained).toEqual([]);
  }, 60_000);

  it("announces each event once, with the weights DNS really moved from and to, though both deciders act with the API down", async () => {
    // Prepare
    const env = await setUp();
    await primaryFails(env);

    // Act: both deciders drain at the same moment with the API down; primary recovers; the API returns.
    await bothAtOnce(env, t0 + 26);
    await runDecisionRound(env.deps(west, "down"), t0 + 36);
    for (let at = t0 + 30; at <= t0 + 70; at += 10) await publishVotes(env.votes, at, allUp);
    await runDecisionRound(env.deps(east, "up"), t0 + 76);
    await runDecisionRound(env.deps(west, "up"), t0 + 77);

    // Assess: one drain, one ramp; the ramp moved primary from 0 (drained by the signal), not from the records' 90.
    const told = env.announced.map(({ event }) => [event.kind, event.from, event.to]);
    expect(told).toEqual([
      ["drain", { primary: 90, failover: 10 }, { primary: 0, failover: 100 }],
      ["ramp", { primary: 0, failover: 100 }, { primary: 45, failover: 55 }],
    ]);
  }, 60_000);

  it("announces an undrain both deciders make in the same second once (every target down: failing open)", async () => {
    // Prepare: both deciders drained primary with the API down, one after the other in the same second (this test
    // is about the undrain; a drain both make at once can still go unannounced when one adopts the other's
    // drain-first write and the tie goes to it: docs/dataplane.md, "One announcement per event"); then every
    // target fails.
    const env = await setUp();
    await primaryFails(env);
    await runDecisionRound(env.deps(west, "down"), t0 + 26);
    await runDecisionRound(env.deps(east, "down"), t0 + 26);
    const allDown = {
      "us-east-1": { primary: false, failover: false },
      "us-west-2": { primary: false, failover: false },
      "eu-west-1": { primary: false, failover: false },
    };
    for (let at = t0 + 30; at <= t0 + 90; at += 10) await publishVotes(env.votes, at, allDown);

    // Act: both deciders clear their drains in the same second (each planning with the other's drain still in
    // place), then each runs its next rounds.
    await bothAtOnce(env, t0 + 76);
    await runDecisionRound(env.deps(west, "down"), t0 + 86);
    await runDecisionRound(env.deps(east, "down"), t0 + 87);

    // Assess: DNS fails open to the normal weights, and each move (the drain, the fail-open) was told once.
    expect(await env.dns(t0 + 88)).toEqual({ drained: [], shares: { primary: 0.9, failover: 0.1 } });
    const told = env.announced.map(({ event }) => [event.kind, event.from, event.to]);
    expect(told).toEqual([
      ["drain", { primary: 90, failover: 10 }, { primary: 0, failover: 100 }],
      ["fail-open", { primary: 0, failover: 100 }, { primary: 90, failover: 10 }],
    ]);
  }, 90_000);

  it("a lost control region costs the surviving decider's round one failed store read and one CloudWatch attempt, and the drain still goes out", async () => {
    // Prepare: primary failing, the API down, and every SSM and CloudWatch call signed for us-east-2 answering 503
    // (the drill's control-region-down); the calls made to it are counted.
    const env = await setUp();
    await primaryFails(env);
    const toLost: string[] = [];
    proxy.setRule((call) => {
      if (call.region !== east) return undefined;
      toLost.push(`${call.service}:${call.operation}`);
      return { kind: "status", status: 503 };
    });
    const bus = voteChannel(env.votes, new MetricsBus(env.config, { endpoint: proxy.url, retry: fastRetry }));

    // Act
    const drain = await runDecisionRound({ ...env.deps(west, "down"), bus }, t0 + 26);

    // Assess: after the first read failed, the store and its CloudWatch are not retried in the round
    // (before: each write and read-back spent its own retry budget, and the metrics theirs).
    const calls = (name: string) => toLost.filter((call) => call === name).length;
    expect(calls("ssm:PutParameter")).toBe(0);
    expect(calls("ssm:GetParameters")).toBeGreaterThanOrEqual(1);
    expect(calls("monitoring:PutMetricData")).toBe(1);
    expect(toLost.length).toBe(calls("ssm:GetParameters") + 1);
    // Its failures still count: the write to us-east-2 failed (SignalWriteFailed) and so did its metrics.
    expect(drain.signals?.writes).toEqual([
      expect.objectContaining({ region: east, ok: false }),
      { region: west, ok: true },
    ]);
    expect(drain.published.map(({ region, ok }) => [region, ok])).toEqual([
      [east, false],
      [west, true],
    ]);
    expect(drain).toMatchObject({ kind: "drain", switched: true, path: "data-plane" });
    expect((await env.dns(t0 + 28)).drained).toEqual(["primary"]);
    proxy.setRule(undefined);
  }, 60_000);

  it.each(["down", "up"] as const)(
    "a decider that dies at any write point of a drain round (Route 53 API %s) leaves a state the next round of either decider completes: no traffic back before the recovery wait, no full weight",
    async (api) => {
      // Count the writes of an uninterrupted drain round, then crash one after each of them in turn.
      const total = await crashedDrain(api, Number.POSITIVE_INFINITY);
      expect(total.writes).toBeGreaterThanOrEqual(api === "up" ? 5 : 4);
      for (let crashAfter = 1; crashAfter < total.writes; crashAfter++) {
        const run = await crashedDrain(api, crashAfter);
        // Assess: within the recovery wait primary gets nothing; after it, at most the first ramp step (50%).
        expect({ crashAfter, next: run.next.primary }).toEqual({ crashAfter, next: 0 });
        expect(run.later.primary ?? 0).toBeLessThanOrEqual(0.5);
      }
    },
    240_000,
  );
});

/**
 * A drain round of us-west-1 at t0+26 whose process dies right after its `crashAfter`-th write (SSM
 * PutParameter or Route 53 ChangeResourceRecordSets): every later call of it fails. Then primary is up
 * again, and the next rounds are run by the other decider (odd crash points) or the same one (even):
 * what DNS answers at t0+37 (within the 20 s recovery wait) and at t0+67 (after it).
 */
async function crashedDrain(api: "up" | "down", crashAfter: number) {
  await fetch(`${emulator.url}/moto-api/reset`, { method: "POST" });
  const env = await setUp();
  await primaryFails(env);
  let writes = 0;
  let crashed = false;
  proxy.setRule((call) => {
    if (crashed) return { kind: "status", status: 503 };
    const write = call.operation === "PutParameter" || (call.service === "route53" && call.method === "POST");
    if (!write) return undefined;
    writes += 1;
    if (writes >= crashAfter) crashed = true;
    return undefined;
  });
  await runDecisionRound(env.deps(west, api === "up" ? "proxy" : "down"), t0 + 26).catch(() => undefined);
  proxy.setRule(undefined);
  const next = crashAfter % 2 === 1 ? east : west;
  await publishVotes(env.votes, t0 + 30, allUp);
  await runDecisionRound(env.deps(next, api), t0 + 36);
  const within = await env.dns(t0 + 37);
  for (const at of [t0 + 40, t0 + 50, t0 + 60]) await publishVotes(env.votes, at, allUp);
  await runDecisionRound(env.deps(next, api), t0 + 66);
  const after = await env.dns(t0 + 67);
  return { writes, next: within.shares, later: after.shares };
}
