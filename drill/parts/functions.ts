import { auditTrailFor } from "../../functions/lib/audit.ts";
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
import { DrillAwsTiming } from "../aws-timing.ts";
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
  /** A decider invocation's time budget. */
  budgetMs: number;
  /** What `failover <action> --direct` would run, for the scenario's manual steps (in the first control region). */
  manual: ManualDeps;
}

/** The probe handler of every vantage and the decide handler of every control region, on the drill's clock. */
export function createFunctions(
  session: DrillSession,
  config: FailoverConfig,
  vantageConfigs: Map<string, FailoverConfig>,
  buses: Buses,
  switchers: Switchers,
  lag: LagMonitor,
  topics: Map<string, AlarmTopic>,
  aws: AwsRoutes["system"],
): SystemFunctions {
  const { clock, scenario, log } = session;
  const prober = scaledProber(probeHttp, { speed: session.options.speed, lag });
  const handlerClock = clock.frozenAtStop();
  const timing = new DrillAwsTiming(new TimingDraws(scenario.timing, scenario.seed), clock, config, log);
  const probes = config.vantages.map((vantage) => {
    const vantageConfig = vantageConfigs.get(vantage) ?? config;
    const readable = timing.readablePublisher(vantage, (report, regions) =>
      buses.probe.publishProbeRound(report, regions),
    );
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
  const announcers = new Map(
    [...topics.keys()].map((region) => [region, new SnsPublisher({ ...aws, region, retry: announceRetry })]),
  );
  const announcerIn = (ownRegion: string) =>
    snsAnnouncer({
      topics: Object.fromEntries([...topics].map(([region, topic]) => [region, topic.arn])),
      ownRegion,
      log,
      publish: async (region, arn, message) => announcers.get(region)?.publish(arn, message),
    });
  // Every decider writes the data-plane signal and its view to every control region's parameter store.
  const signals = new SignalStore(
    config,
    new Map(config.controlRegions.map((region) => [region, new ParameterStore({ ...aws, region })])),
  );
  const deciders = config.controlRegions.map((controlRegion) => ({
    controlRegion,
    handler: createDecideHandler({
      config,
      controlRegion,
      clock: handlerClock,
      switcher: switchers.decider,
      bus: buses.decider,
      log,
      announce: announcerIn(controlRegion),
      audit: auditTrailFor(config, controlRegion, aws),
      signals,
      onRoundsSkipped: (starts) => session.onSkippedRounds(`decider ${controlRegion}`, starts.length),
    }),
  }));
  const manualRegion = config.controlRegions[0] ?? "us-east-1";
  const manual: ManualDeps = {
    config,
    region: manualRegion,
    clock: handlerClock,
    switcher: switchers.decider,
    bus: buses.decider,
    log,
    syncTimeoutMs: 0,
    announce: announcerIn(manualRegion),
    audit: auditTrailFor(config, manualRegion, aws),
    signals,
  };
  return { probes, deciders, budgetMs: Math.min(config.probe.budgetSeconds * 1000, 57_000), manual };
}
