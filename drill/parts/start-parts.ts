import type { FailoverConfig } from "../../functions/lib/config.ts";
import type { RealDns } from "../dns/real-dns.ts";
import type { FaultProxy } from "../fault-proxy.ts";
import { LagMonitor } from "../lag-monitor.ts";
import type { DrillSession } from "../session.ts";
import { startSlackDrill, type SlackDrill } from "../slack-drill.ts";
import type { SlackStandIn } from "../slack-stand-in.ts";
import { startAlarmPath, type AlarmTopic } from "./alarm-path.ts";
import { startAws, type AwsRoutes } from "./aws.ts";
import { awsClientsPerCaller, type Buses, type Switchers } from "./callers.ts";
import { startDataPlane, type DataPlaneParts } from "./data-plane.ts";
import { createFunctions, type SystemFunctions } from "./functions.ts";
import { createObservers, type Observers } from "./observers.ts";
import { startRealDnsPart } from "./real-dns.ts";
import { startTargets } from "./targets.ts";
import { warmUp } from "./warm-up.ts";

/** Every part a drill runs, started and wired, before the scenario clock starts. */
export interface DrillParts extends SystemFunctions, Observers {
  emulatorPid: number;
  /** Base URL of the emulator (the load guard times it). */
  emulatorUrl: string;
  aws: AwsRoutes;
  dataPlane: DataPlaneParts;
  /** The scenario's config with the emulator's hosted zone. */
  config: FailoverConfig;
  targetIds: string[];
  proxies: FaultProxy[];
  switchers: Switchers;
  buses: Buses;
  topics: Map<string, AlarmTopic>;
  slack: SlackStandIn;
  lag: LagMonitor;
  /** Scenario seconds at which each control region's decider was invoked (none while its region is lost). */
  deciderRounds: Record<string, number[]>;
  /** On-call through the Slack command, for the scenario's `via: "slack"` steps; absent without such steps. */
  slackDrill?: SlackDrill;
  /** The real DNS path (`--dns real`): PowerDNS, unbound resolvers and real clients; absent without it. */
  realDns?: RealDns;
}

/**
 * Starts the drill's parts, in order: the emulator and its zone
 * (./aws.ts), one HTTP server per target behind fault proxies
 * (./targets.ts), the data-plane path (./data-plane.ts), the alarm topics
 * with a notifier per control region and the Slack stand-in
 * (./alarm-path.ts), the probe and decide handlers (./functions.ts), the
 * alarm evaluator, record watcher and clients (./observers.ts), then the
 * optional parts; then warms every code path once. Each part registers its
 * stop with the session as it starts (a process also by its pid:
 * `session.startedProcess`), so the drill stops whatever started, in
 * reverse order, however it ends.
 */
export async function startParts(session: DrillSession): Promise<DrillParts> {
  const { emulatorPid, emulatorUrl, routes, config } = await startAws(session);
  const targets = await startTargets(session, config);
  const { switchers, buses } = awsClientsPerCaller(config, routes);
  const dataPlane = await startDataPlane(session, config, routes);
  const { slack, topics } = await startAlarmPath(session, config, routes.direct, switchers, buses);
  const lag = new LagMonitor();
  lag.start();
  session.onClose(async () => lag.stop());
  const parts: DrillParts = {
    aws: routes,
    dataPlane,
    emulatorPid,
    emulatorUrl,
    config,
    targetIds: config.targets.map((target) => target.id),
    proxies: targets.proxies,
    deciderRounds: Object.fromEntries(config.controlRegions.map((region) => [region, []])),
    switchers,
    buses,
    topics,
    slack,
    lag,
    ...(await createFunctions(session, config, targets.vantageConfigs, buses, switchers, lag, topics, routes)),
    ...createObservers(session, config, targets.clientPaths, buses, switchers, topics, lag, dataPlane),
  };
  await startOptionalParts(session, parts, targets.clientPaths);
  await warmUp(config, targets.vantageConfigs, targets.clientPaths, switchers, buses);
  // A deployed decider has run long before any outage, so its view is in the parameter stores (a round with the
  // Route 53 API down and no view changes nothing). One round at the scenario's start, with the API up, writes it.
  session.clock.restart();
  await parts.deciders[0]?.handler.runRound();
  return parts;
}

/**
 * The parts only some drills run, by the scenario or the options: each
 * starts here, after the parts it builds on, and registers its stop (and
 * its pid, if it is a process) with the session.
 */
async function startOptionalParts(
  session: DrillSession,
  parts: DrillParts,
  clientPaths: ReadonlyMap<string, string>,
): Promise<void> {
  // On-call through the Slack command, for the scenario's `via: "slack"` steps.
  if (session.scenario.manual.some((step) => step.via === "slack"))
    parts.slackDrill = await startSlackDrill(parts.config, parts.slack, parts.manual, parts.aws.direct);
  // The real DNS path (--dns real), after the data plane whose answers it serves.
  if (session.options.dns === "real") parts.realDns = await startRealDnsPart(session, parts, clientPaths);
}
