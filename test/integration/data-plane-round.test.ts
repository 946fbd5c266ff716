import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { beforeAll, describe, expect, it } from "vitest";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { runDecisionRound, type RoundDeps } from "../../functions/lib/decider/round.ts";
import { SignalStore, type SignalRead } from "../../functions/lib/dataplane/signal-store.ts";
import { parseStateDocument } from "../../functions/lib/state-document.ts";
import { createSignalHandler } from "../../functions/signal.ts";
import {
  allUp,
  capturedLog,
  controlZone,
  drainDocument,
  emulatorPerFile,
  primaryDownFromTwo,
  publishVotes,
  splitDrainPolicy,
} from "../support/control-fixtures.ts";
import { fastRetry } from "./aws-fixtures.ts";

const emulator = emulatorPerFile();
/** The view in `writer`'s own document as one store holds it. */
const ownView = (read: SignalRead, writer: string) => read.docs.find((doc) => doc.by === writer)?.view;
const t0 = Math.floor(Date.now() / 60_000) * 60 - 900;
// Two split rounds (eu-west-1 still sees primary up) drain: a round that is not unanimous waits one more.
const policy = splitDrainPolicy;

beforeAll(async () => {
  // moto imports its SSM backend on the first call (seconds on a busy machine).
  await new ParameterStore({
    region: "us-east-2",
    endpoint: emulator.url,
    retry: { budgetMs: 30_000, attemptTimeoutMs: 30_000 },
  }).get("/warm-up");
}, 60_000);

async function setUp() {
  const { config, switcher, votes, channel } = await controlZone(emulator.url, { policy });
  const stores = new Map(
    config.controlRegions.map((region) => [region, new ParameterStore({ region, endpoint: emulator.url })]),
  );
  const signals = new SignalStore(config, stores);
  // Every Route 53 call of this switcher fails: a closed port, as when the control plane is down.
  const apiDown = new Route53Switcher(config, { endpoint: "http://127.0.0.1:9", retry: fastRetry });
  const { log, entries } = capturedLog();
  const deps = (switcher: Route53Switcher, controlRegion = "us-east-2"): RoundDeps => ({
    config,
    controlRegion,
    switcher,
    bus: channel,
    log,
    dryRun: false,
    signals,
  });
  // The endpoint on the rounds' clock: the documents' freshness is judged at that time.
  const endpoint = (region: string, at: number) =>
    createSignalHandler({
      config,
      region,
      store: signals,
      cacheMs: 0,
      log,
      clock: { now: () => at * 1000, sleep: async () => {} },
    });
  return { config, switcher, votes, signals, apiDown, deps, endpoint, entries };
}

describe("decider with the Route 53 API down (emulator)", () => {
  it("drains through the health-check signal, makes failing back wait, and leaves records, state and signals consistent once the API returns", async () => {
    // Prepare: one round with the API up writes the view; then the API goes down and primary fails.
    const { config, switcher, votes, signals, apiDown, deps, endpoint } = await setUp();
    await publishVotes(votes, t0, allUp);
    const warm = await runDecisionRound(deps(switcher), t0 + 6);
    await publishVotes(votes, t0 + 10, primaryDownFromTwo);
    await publishVotes(votes, t0 + 20, primaryDownFromTwo);

    // Act 1: the API is down when the drain is decided, in either control region.
    const drain = await runDecisionRound(deps(apiDown, "us-west-1"), t0 + 26);

    // Assess 1: drained through the signal in every region's store; the records never moved.
    expect(warm).toMatchObject({ path: "api", signals: { draining: [] } });
    expect(drain).toMatchObject({ path: "data-plane", kind: "drain", switched: true });
    expect(drain.signals).toMatchObject({ draining: ["primary"], drained: ["primary"], confirmed: true });
    expect(drain.signals?.answers).toEqual({ primary: 0, failover: 1 });
    expect(drain.signals?.writes.map((write) => write.ok)).toEqual([true, true]);
    for (const region of config.controlRegions) {
      const answer = await endpoint(region, t0 + 27)({ queryStringParameters: { target: "primary" } });
      expect(answer.body).toBe("drain primary\n");
    }
    expect((await switcher.read()).weights).toEqual({ primary: 90, failover: 10 });

    // Act 2: primary is up again for longer than its recovery time; the API is still down.
    for (let at = t0 + 30; at <= t0 + 70; at += 10) await publishVotes(votes, at, allUp);
    const wait = await runDecisionRound(deps(apiDown), t0 + 76);

    // Assess 2: the policy wants the ramp; it cannot be carried out by a signal, so failing back waits.
    // us-east-2 took us-west-1's view (it holds a newer decision); us-west-1's document still drains primary.
    expect(wait).toMatchObject({ path: "data-plane", kind: "ramp", switched: false });
    expect(wait.signals).toMatchObject({ draining: [], dnsAfter: ["primary"] });
    expect(ownView(await signals.read("us-east-2"), "us-east-2")?.applied).toEqual({ primary: 0, failover: 100 });
    expect((await switcher.read()).weights).toEqual({ primary: 90, failover: 10 });

    // Act 3: the API answers again.
    await publishVotes(votes, t0 + 80, allUp);
    const back = await runDecisionRound(deps(switcher), t0 + 86);
    await publishVotes(votes, t0 + 90, allUp);
    const next = await runDecisionRound(deps(switcher, "us-west-1"), t0 + 96);

    // Assess 3: the records take the ramp step by compare-and-swap; the state record carries the
    // drain done through health checks; the signal clears one round later; view and records agree.
    expect(back).toMatchObject({ path: "api", switched: true, weights: { primary: 45, failover: 55 } });
    expect(back.signals?.dnsAfter).toEqual(["primary"]);
    expect(next.signals).toMatchObject({ draining: [], dnsAfter: [] });
    const snapshot = await switcher.read();
    expect(snapshot.weights).toEqual({ primary: 45, failover: 55 });
    const state = parseStateDocument(snapshot.state);
    expect(state.memory.targets.primary).toMatchObject({ mode: "ramp" });
    expect(state.switches.map((s) => s.reason).some((r) => r.startsWith("through health checks"))).toBe(true);
    const view = ownView(await signals.read("us-east-2"), "us-west-1");
    expect(view).toMatchObject({ applied: snapshot.weights, records: snapshot.weights });
    expect(view?.state.memory).toEqual(state.memory);
    const answer = await endpoint("us-west-1", t0 + 97)({ queryStringParameters: { target: "primary" } });
    expect(answer.body).toBe("serve primary\n");
  }, 60_000);

  it("with no view yet and the API down, changes nothing and says why", async () => {
    const { votes, apiDown, deps, signals } = await setUp();
    await publishVotes(votes, t0, primaryDownFromTwo);
    await publishVotes(votes, t0 + 10, primaryDownFromTwo);
    await expect(runDecisionRound(deps(apiDown), t0 + 16)).rejects.toMatchObject({ code: "ROUTE53_UNAVAILABLE" });
    expect((await signals.read("us-east-2")).docs).toEqual([]);
  }, 30_000);
});

describe("signal faults as decider metrics (emulator)", () => {
  it("publishes SignalWriteFailed in its own region, naming the control region whose store refused the drain signal", async () => {
    // Prepare: the us-west-1 store is a closed port.
    const { config, switcher, votes, channel } = await controlZone(emulator.url, { policy });
    const stores = new Map([
      ["us-east-2", new ParameterStore({ region: "us-east-2", endpoint: emulator.url })],
      ["us-west-1", new ParameterStore({ region: "us-west-1", endpoint: "http://127.0.0.1:9", retry: fastRetry })],
    ]);
    const { log } = capturedLog();
    const deps: RoundDeps = {
      config,
      controlRegion: "us-east-2",
      switcher,
      bus: channel,
      log,
      dryRun: false,
      signals: new SignalStore(config, stores),
    };
    await publishVotes(votes, t0, primaryDownFromTwo);
    await publishVotes(votes, t0 + 10, primaryDownFromTwo);
    // Act
    const outcome = await runDecisionRound(deps, t0 + 16);
    // Assess
    expect(outcome.signals?.writes.filter((write) => !write.ok).map((write) => write.region)).toEqual(["us-west-1"]);
    const listed = await new CloudWatchClient({
      endpoint: emulator.url,
      region: "us-east-2",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    }).send(new ListMetricsCommand({ Namespace: config.metricNamespace, MetricName: "SignalWriteFailed" }));
    expect(listed.Metrics?.map((metric) => metric.Dimensions)).toEqual([
      [{ Name: "ControlRegion", Value: "us-west-1" }],
    ]);
  }, 60_000);

  it("publishes SignalUnsound 2 (stale) in its own region while another writer's draining document has not been refreshed for over 2 minutes", async () => {
    // Prepare: us-west-1's decider stopped 150 s ago, its document (still fresh: under 300 s) draining primary.
    const { config, switcher, votes, channel } = await controlZone(emulator.url, { policy });
    const signals = new SignalStore(
      config,
      new Map(config.controlRegions.map((region) => [region, new ParameterStore({ region, endpoint: emulator.url })])),
    );
    await signals.publish(drainDocument("us-west-1", ["primary"], t0 - 134));
    const deps: RoundDeps = {
      config,
      controlRegion: "us-east-2",
      switcher,
      bus: channel,
      log: capturedLog().log,
      dryRun: false,
      signals,
    };
    await publishVotes(votes, t0, allUp);
    await publishVotes(votes, t0 + 10, allUp);
    // Act
    const outcome = await runDecisionRound(deps, t0 + 16);
    // Assess
    expect(outcome.signals).toMatchObject({ stale: ["us-west-1"], dnsAfter: ["primary"], draining: [] });
    const stats = await new CloudWatchClient({
      endpoint: emulator.url,
      region: "us-east-2",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    }).send(
      new GetMetricStatisticsCommand({
        Namespace: config.metricNamespace,
        MetricName: "SignalUnsound",
        StartTime: new Date((t0 - 60) * 1000),
        EndTime: new Date((t0 + 60) * 1000),
        Period: 60,
        Statistics: ["Maximum"],
      }),
    );
    expect(stats.Datapoints?.map((point) => point.Maximum)).toEqual([2]);
  }, 60_000);
});
