import { auditTrailFor } from "../../functions/lib/audit-trail.ts";
import { SnsPublisher } from "../../functions/lib/aws/sns.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { snsAnnouncer } from "../../functions/lib/control/announcer.ts";
import { SignalStore } from "../../functions/lib/dataplane/signal-store.ts";
import { createDecideHandler } from "../../functions/lib/decider/decider.ts";
import type { ManualDeps } from "../../functions/lib/manual/handle-event.ts";
import { probeHttp } from "../../functions/lib/probe/http.ts";
import { announceRetry } from "../../functions/lib/wiring/alert-announcer.ts";
import { createProbeHandler } from "../../functions/probe.ts";
import { SCENARIO_EPOCH } from "../../offline/replay/run.ts";
import { TimingDraws } from "../../offline/timing.ts";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { VoteTable } from "../../functions/lib/aws/vote-table.ts";
import type { CallStats } from "../../functions/lib/aws/stats.ts";
import type { Logger } from "../../functions/lib/log.ts";
import type { VotePort } from "../../functions/lib/decider/ports.ts";
import { probePublisher, voteChannel } from "../../functions/lib/wiring/votes.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { DrillAwsTiming } from "../aws-timing.ts";
import { PracticeAlarms } from "../practice-alarms.ts";
import { practiceHistoryFor, type PracticeHistory } from "../../functions/lib/practice-history.ts";
import { DeciderRoundMeter } from "../round-meter.ts";
import { silentVantages } from "../faults.ts";
import type { LagMonitor } from "../lag-monitor.ts";
import { scaledProber } from "../scaled-prober.ts";
import type { DrillSession } from "../session.ts";
import type { AlarmTopic } from "./alarm-path.ts";
import type { AwsRoutes } from "./aws.ts";
import type { Buses, Switchers } from "./callers.ts";

/** The system's functions as the drill invokes them. */
export interface SystemFunctions {
  probes: Array<{ vantage: string; handler: ReturnType<typeof createProbeHandler> }>;
  deciders: Array<{ controlRegion: string; handler: ReturnType<typeof createDecideHandler> }>;
  /** Each decider round's AWS calls and wall time, once the scenario runs. */
  rounds: DeciderRoundMeter;
  /** A decider invocation's time budget. */
  budgetMs: number;
  /** What `failover <action> --direct` would run, for the scenario's manual steps (in the first control region). */
  manual: ManualDeps;
  /** The application's alarms practice runs are judged by, in the emulator (config `practice`). */
  practiceAlarms: PracticeAlarms;
  /** The practice runs' history the deciders keep, read back for the score. */
  practiceHistory: PracticeHistory;
}

/** The probe handler of every vantage and the decide handler of every control region, on the drill's clock. */
export async function createFunctions(
  session: DrillSession,
  config: FailoverConfig,
  vantageConfigs: Map<string, FailoverConfig>,
  buses: Buses,
  switchers: Switchers,
  lag: LagMonitor,
  topics: Map<string, AlarmTopic>,
  routes: AwsRoutes,
): Promise<SystemFunctions> {
  const { clock, scenario, log } = session;
  const aws = routes.system;
  const rounds = new DeciderRoundMeter(() => routes.armed);
  const prober = scaledProber(probeHttp, { speed: session.options.speed, lag });
  const handlerClock = clock.frozenAtStop();
  const timing = new DrillAwsTiming(new TimingDraws(scenario.timing, scenario.seed), clock, config, log);
  // Items are stamped on the drill clock, as the deciders read on it.
  const probeVotes = new VoteTable(config, { ...aws, stats: buses.probe.stats, now: () => clock.now() });
  const publishVotes = probePublisher(probeVotes, buses.probe, config.controlRegions);
  const probes = config.vantages.map((vantage) => {
    const vantageConfig = vantageConfigs.get(vantage) ?? config;
    const readable = timing.readablePublisher(vantage, publishVotes);
    const handler = createProbeHandler({
      config: vantageConfig,
      vantage,
      clock: handlerClock,
      prober: timing.jitteredProber(
        vantage,
        vantageConfig.targets.map((target) => target.healthUrl),
        prober,
      ),
      log,
      // A vantage that is down cannot publish; after the scenario's end nothing is published.
      publish: async (report) => {
        const second = report.at - SCENARIO_EPOCH;
        if (clock.isStopped || silentVantages(scenario.faults, config.vantages, second).has(vantage)) return [];
        return readable(report);
      },
    });
    return { vantage, handler };
  });
  // Whoever makes a change announces it to its own region's alert topic (the next region's if that fails), as deployed.
  const announcerIn = (ownRegion: string, aws: AwsRoutes["system"]) => {
    const publishers = new Map(
      [...topics.keys()].map((region) => [region, new SnsPublisher({ ...aws, region, retry: announceRetry })]),
    );
    return snsAnnouncer({
      topics: Object.fromEntries([...topics].map(([region, topic]) => [region, topic.arn])),
      ownRegion,
      log,
      publish: async (region, arn, message) => publishers.get(region)?.publish(arn, message),
    });
  };
  const signalStore = (aws: AwsRoutes["system"]) =>
    new SignalStore(
      config,
      new Map(config.controlRegions.map((region) => [region, new ParameterStore({ ...aws, region })])),
    );
  const deciders = [];
  for (const controlRegion of config.controlRegions) {
    // Each decider through a route of its own, as each runs in its own Lambda: its calls per round are measured.
    const route = await routes.callerRoute();
    const own = route.system;
    deciders.push({
      controlRegion,
      handler: createDecideHandler({
        config,
        controlRegion,
        clock: handlerClock,
        // Counted with every decider's calls (and the manual function's) in the summary's emulatorCalls.
        switcher: new Route53Switcher(config, { ...own, stats: switchers.decider.stats }),
        bus: deciderVotePort(config, own, buses.decider.stats, log),
        log,
        announce: announcerIn(controlRegion, own),
        audit: auditTrailFor(config, controlRegion, own),
        // Every decider writes the data-plane signal and its view to every control region's parameter store.
        signals: signalStore(own),
        ...practiceDeciderDeps(config, own),
        onRoundsSkipped: (starts) => session.onSkippedRounds(`decider ${controlRegion}`, starts.length),
        aroundRound: rounds.around(controlRegion, route.calls),
      }),
    });
  }
  const manualRegion = config.controlRegions[0] ?? "us-east-1";
  const manual: ManualDeps = {
    config,
    region: manualRegion,
    clock: handlerClock,
    switcher: switchers.decider,
    bus: buses.decider,
    votes: buses.deciderVotes,
    log,
    syncTimeoutMs: 0,
    announce: announcerIn(manualRegion, aws),
    audit: auditTrailFor(config, manualRegion, aws),
    signals: signalStore(aws),
    ...practiceRecords(config, aws),
  };
  return { probes, deciders, rounds, manual, budgetMs: budgetOf(config), ...(await practiceParts(config, routes)) };
}

/** A decider or probe invocation's time budget in the drill. */
function budgetOf(config: FailoverConfig): number {
  return Math.min(config.probe.budgetSeconds * 1000, 57_000);
}

/** Practice runs: the alarms read and the records kept through the decider's own route, as deployed. */
function practiceDeciderDeps(config: FailoverConfig, own: AwsRoutes["system"]) {
  return config.practice ? { alarms: new MetricsBus(config, own), ...practiceRecords(config, own) } : {};
}

/** Where a writer records the practice runs its writes start or end (config `practice`). */
function practiceRecords(config: FailoverConfig, route: AwsRoutes["system"]) {
  return config.practice ? { practiceHistory: practiceHistoryFor(config, route) } : {};
}

/** The practice alarms created in the emulator (in OK), and the history the deciders keep, read directly. */
async function practiceParts(
  config: FailoverConfig,
  routes: AwsRoutes,
): Promise<Pick<SystemFunctions, "practiceAlarms" | "practiceHistory">> {
  const practiceAlarms = new PracticeAlarms(config, routes.direct);
  await practiceAlarms.create();
  return { practiceAlarms, practiceHistory: practiceHistoryFor(config, routes.direct) };
}

/** A decider's votes (the votes table) and metrics (CloudWatch) through its own route, counted with every decider's calls. */
function deciderVotePort(config: FailoverConfig, own: AwsRoutes["system"], stats: CallStats, log: Logger): VotePort {
  const votes = new VoteTable(config, {
    ...own,
    stats,
    onRejected: (rejected) => log.warn("vote not counted", { ...rejected }),
  });
  return voteChannel(votes, new MetricsBus(config, { ...own, stats }));
}
