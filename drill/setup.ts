import { createDecideHandler } from "../functions/lib/decider/decider.ts";
import { auditTrailFor } from "../functions/lib/audit.ts";
import { announceRetry } from "../functions/lib/wiring/alert-announcer.ts";
import type { AwsClientOptions } from "../functions/lib/aws/client-config.ts";
import type { RetryOptions } from "../functions/lib/aws/retry.ts";
import { snsAnnouncer } from "../functions/lib/control/announcer.ts";
import type { ManualDeps } from "../functions/lib/manual/handle-event.ts";
import { createNotifyHandler } from "../functions/lib/slack/notifier.ts";
import { slackWebhookParameterName, webhookFromParameterStore } from "../functions/lib/slack/webhook.ts";
import { ParameterStore } from "../functions/lib/aws/ssm.ts";
import { createProbeHandler } from "../functions/probe.ts";
import { alarmDefinitions } from "../functions/lib/alarms.ts";
import { MetricsBus } from "../functions/lib/aws/cloudwatch.ts";
import { VoteTable } from "../functions/lib/aws/vote-table.ts";
import { probePublisher, voteChannel } from "../functions/lib/wiring/votes.ts";
import { createHostedZone } from "../emulator/hosted-zone.ts";
import { Route53Switcher } from "../functions/lib/aws/route53.ts";
import { SnsPublisher } from "../functions/lib/aws/sns.ts";
import type { FailoverConfig } from "../functions/lib/config.ts";
import { describeError } from "../functions/lib/errors.ts";
import { Metric } from "../functions/lib/metrics.ts";
import { probeHttp } from "../functions/lib/probe/http.ts";
import { loadNotifyContext } from "../functions/lib/slack/context.ts";
import { SCENARIO_EPOCH } from "../offline/replay/run.ts";
import { controlRegionsDown } from "../offline/scenario.ts";
import { CloudWatchAdmin } from "../emulator/cloudwatch-admin.ts";
import { startEmulator } from "../emulator/harness.ts";
import { startFaultProxy as startAwsFaultProxy } from "../emulator/aws-fault-proxy.ts";
import { SignalStore } from "../functions/lib/dataplane/signal-store.ts";
import { awsFaultRule, noCalls, type AwsCallCounts } from "./aws-faults.ts";
import { HealthCheckAdmin } from "../functions/lib/aws/route53-health-checks.ts";
import { linkDataPlane } from "../functions/lib/dataplane-link/link.ts";
import { healthCheckReference } from "../functions/lib/dataplane/health-checks.ts";
import { DEFAULT_DATA_PLANE_TIMING } from "../functions/lib/dataplane/timing.ts";
import { createSignalHandler } from "../functions/signal.ts";
import type { HealthAnswerChange } from "./dns-answers.ts";
import { HealthCheckEvaluator } from "./health-check-evaluator.ts";
import { startSignalEndpoint, type SignalEndpoint } from "./signal-endpoint.ts";
import { formatClock } from "./timeline.ts";
import { TimingDraws } from "../offline/timing.ts";
import { AlarmEvaluator } from "./alarm-evaluator.ts";
import { DrillAwsTiming } from "./aws-timing.ts";
import { SimulatedClients } from "./clients.ts";
import { startFaultProxy, type FaultProxy } from "./fault-proxy.ts";
import { hashString, seededRandom, silentVantages } from "./faults.ts";
import { LagMonitor } from "./lag-monitor.ts";
import { RecordWatcher } from "./record-watcher.ts";
import { startRegionServer } from "./region-server.ts";
import { scaledProber } from "./scaled-prober.ts";
import type { DrillSession } from "./session.ts";
import { startSlackStandIn, type SlackStandIn } from "./slack-stand-in.ts";
import { startSlackDrill, type SlackDrill } from "./slack-drill.ts";
import { snsLambdaEvent, startSnsEndpoint } from "./sns-endpoint.ts";
import { describeWeightChange } from "./timeline.ts";

/** One switcher per caller, so the summary can say who made which emulator calls. */
interface Switchers {
  decider: Route53Switcher;
  watcher: Route53Switcher;
  client: Route53Switcher;
  notify: Route53Switcher;
}

/** One metrics bus per caller, as {@link Switchers}; the votes tables' adapters count into the probe's and decider's. */
interface Buses {
  probe: MetricsBus;
  decider: MetricsBus;
  probeVotes: VoteTable;
  deciderVotes: VoteTable;
  alarm: CloudWatchAdmin;
  notify: MetricsBus;
}

/**
 * Where AWS calls go. The system's own parts (probes, deciders, the manual
 * function, the notifier, the signal endpoints) call AWS through a fault
 * proxy that applies the scenario's `route53-api-down`, `cloudwatch-down`,
 * `control-region-down` and `signal-store-down` once armed (./aws-faults.ts);
 * the drill's observers and stand-ins (record watcher, clients' DNS, alarm
 * evaluator, health-check evaluator) and the set-up go straight to the
 * emulator: DNS answers and health checks are Route 53's data plane, which
 * stays up.
 */
export interface AwsRoutes {
  /** Endpoint of the system's parts (the fault proxy). */
  system: AwsClientOptions & { retry: RetryOptions };
  /** Endpoint of the drill's observers and set-up (the emulator). */
  direct: { endpoint: string };
  /** The system's AWS calls by fate since the faults were armed. */
  counts: AwsCallCounts;
  /** Starts applying the scenario's AWS faults (at the scenario's second 0; set-up is ahead of time). */
  arm(): void;
  /** Whether {@link arm} was called: the scenario's faults apply. */
  armed: boolean;
}

/**
 * The data-plane path as the drill runs it: the real signal function served
 * per control region, the health checks `linkDataPlane` created in the
 * emulator (records tied to them), and the stand-in that evaluates them.
 */
export interface DataPlaneParts {
  endpoints: SignalEndpoint[];
  evaluator: HealthCheckEvaluator;
  /** Each target's calculated check. */
  calculated: Record<string, string>;
  /** Control region of each signal check, by check id. */
  regionOf: Map<string, string>;
  /** Decision times (virtual epoch ms) of drains carried out by a signal, by `<check id>@<ask ms>`; found shortly after. */
  decidedAt: Map<string, number>;
  /** The health checks' answer changes, with region and decision time where known. */
  healthChanges(): HealthAnswerChange[];
}

/** An alarm topic of one control region. */
interface AlarmTopic {
  sns: SnsPublisher;
  arn: string;
}

/** Every part a drill runs, started and wired, before the scenario clock starts. */
export interface DrillParts {
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
  probes: Array<{ vantage: string; handler: ReturnType<typeof createProbeHandler> }>;
  deciders: Array<{ controlRegion: string; handler: ReturnType<typeof createDecideHandler> }>;
  /** Scenario seconds at which each control region's decider was invoked (none while its region is lost). */
  deciderRounds: Record<string, number[]>;
  /** What `failover <action> --direct` would run, for the scenario's manual steps (in the first control region). */
  manual: ManualDeps;
  /** On-call through the Slack command, for the scenario's `via: "slack"` steps; absent without such steps. */
  slackDrill?: SlackDrill;
  /** A decider invocation's time budget. */
  budgetMs: number;
  evaluator: AlarmEvaluator;
  watcher: RecordWatcher;
  clients: SimulatedClients;
}

/**
 * Starts the drill's parts: the emulator and its zone, one HTTP server per
 * target behind fault proxies, the alarm topics with a notifier per control
 * region, the probe and decide handlers, the alarm evaluator, the record
 * watcher and the clients; then warms every code path once.
 */
export async function setUpDrill(session: DrillSession): Promise<DrillParts> {
  const emulator = await startEmulator();
  session.onClose(() => emulator.stop());
  session.options.onEmulatorStarted?.(emulator.pid);
  session.checkAborted();
  const routes = await startAwsRoutes(session, emulator.url);
  const aws = routes.direct;
  const base = session.scenario.resolvedConfig;
  const zoneId = await createHostedZone(base.hostedZone.name, aws);
  const config: FailoverConfig = { ...base, hostedZone: { ...base.hostedZone, id: zoneId } };

  const regions = await startRegions(session, config);
  const paths = await startPaths(session, config, regions);
  const system = routes.system;
  const switchers: Switchers = {
    decider: new Route53Switcher(config, system),
    watcher: new Route53Switcher(config, aws),
    client: new Route53Switcher(config, aws),
    notify: new Route53Switcher(config, system),
  };
  await new Route53Switcher(config, aws).init();
  // The votes table of each control region, as the stacks create it.
  const tables = new VoteTable(config, aws);
  await Promise.all(config.controlRegions.map((region) => tables.createTable(region)));
  const dataPlane = await startDataPlane(session, config, routes);
  const probe = new MetricsBus(config, system);
  const decider = new MetricsBus(config, system);
  const buses: Buses = {
    probe,
    decider,
    // Items are stamped on the drill clock, as the deciders read on it.
    probeVotes: new VoteTable(config, { ...system, stats: probe.stats, now: () => session.clock.now() }),
    deciderVotes: new VoteTable(config, {
      ...system,
      stats: decider.stats,
      onRejected: (rejected) => session.log.warn("vote not counted", { ...rejected }),
    }),
    alarm: new CloudWatchAdmin(config, aws),
    notify: new MetricsBus(config, system),
  };
  const { slack, topics } = await startAlarmPath(session, config, aws, switchers, buses);

  const lag = new LagMonitor();
  lag.start();
  session.onClose(async () => lag.stop());
  const parts: DrillParts = {
    aws: routes,
    dataPlane,
    emulatorPid: emulator.pid,
    emulatorUrl: emulator.url,
    config,
    targetIds: config.targets.map((target) => target.id),
    proxies: paths.proxies,
    deciderRounds: Object.fromEntries(config.controlRegions.map((region) => [region, []])),
    switchers,
    buses,
    topics,
    slack,
    lag,
    ...createHandlers(session, config, paths.vantageConfigs, buses, switchers, lag, topics, system),
    ...createObservers(session, config, paths.clientPaths, buses, switchers, topics, lag, dataPlane),
  };
  if (session.scenario.manual.some((step) => step.via === "slack"))
    parts.slackDrill = await startSlackDrill(config, slack, parts.manual, aws);
  await warmUp(config, paths.vantageConfigs, paths.clientPaths, switchers, buses);
  // A deployed decider has run long before any outage, so its view is in the parameter stores (a round with the
  // Route 53 API down and no view changes nothing). One round at the scenario's start, with the API up, writes it.
  session.clock.restart();
  await parts.deciders[0]?.handler.runRound();
  return parts;
}

/** The fault proxy in front of the emulator for the system's AWS calls (see {@link AwsRoutes}). */
async function startAwsRoutes(session: DrillSession, emulatorUrl: string): Promise<AwsRoutes> {
  const { clock, scenario } = session;
  const proxy = await startAwsFaultProxy(emulatorUrl);
  session.onClose(() => proxy.close());
  const counts = noCalls();
  // Backoffs between retries on the drill clock (as long as they would be in AWS); budgets stay wall time.
  const retry = { sleep: (ms: number) => clock.sleep(ms) };
  const routes: AwsRoutes = {
    system: { endpoint: proxy.url, retry },
    direct: { endpoint: emulatorUrl },
    counts,
    armed: false,
    arm() {
      proxy.setRule(awsFaultRule(scenario.faults, () => clock.elapsedSeconds(), counts));
      routes.armed = true;
    },
  };
  return routes;
}

/**
 * The signal endpoint of each control region (functions/signal.ts on the
 * drill clock, reading the parameter stores as deployed), then, ahead of
 * time as `failover init` does, the health checks and the records tied to
 * them (linkDataPlane, straight to the emulator), and the stand-in that
 * evaluates those checks (not the canary checks: they always drain and no
 * record carries them).
 */
async function startDataPlane(
  session: DrillSession,
  config: FailoverConfig,
  routes: AwsRoutes,
): Promise<DataPlaneParts> {
  const { clock, printer, scenario } = session;
  const storesOf = (aws: AwsClientOptions) =>
    new SignalStore(
      config,
      new Map(config.controlRegions.map((region) => [region, new ParameterStore({ ...aws, region })])),
    );
  const endpoints = await startSignalEndpoints(session, config, routes, storesOf(routes.system));
  const admin = new HealthCheckAdmin(config, routes.direct);
  const link = await linkDataPlane(
    config,
    Object.fromEntries(endpoints.map((endpoint) => [endpoint.region, endpoint.url])),
    admin,
    new Route53Switcher(config, routes.direct),
  );
  const checks = (await admin.list()).filter((check) => !Object.values(link.canary).includes(check.id));
  const regionOf = new Map<string, string>();
  const targetOf = new Map<string, string>();
  for (const target of config.targets)
    for (const region of config.controlRegions) {
      const check = checks.find((read) => read.reference === healthCheckReference(config, target.id, region));
      if (check) {
        regionOf.set(check.id, region);
        targetOf.set(check.id, target.id);
      }
    }
  // The drill reads the deciders' view straight from the emulator, to date each drain a signal carried out.
  const observed = storesOf(routes.direct);
  const decidedAt = new Map<string, number>();
  const findDecision = async (checkId: string, at: number) => {
    // Look a little later: the round that drained may still be writing.
    await clock.sleepUntil(at + 15_000);
    const region = regionOf.get(checkId);
    const target = targetOf.get(checkId);
    if (region === undefined || target === undefined) return;
    const read = await observed.read(region);
    const switches = read.docs.flatMap((doc) => doc.view.state.switches);
    const decision = switches.find(
      (event) => event.at * 1000 <= at && (event.to[target] ?? 0) === 0 && (event.from[target] ?? 0) > 0,
    );
    if (decision !== undefined) decidedAt.set(`${checkId}@${at}`, decision.at * 1000);
  };
  const pending: Array<Promise<void>> = [];
  session.onClose(() => Promise.allSettled(pending));
  const timing = DEFAULT_DATA_PLANE_TIMING;
  const evaluator = new HealthCheckEvaluator({
    clock,
    checks,
    timing,
    calculated: link.calculated,
    random: seededRandom(scenario.seed ^ hashString("health checkers")),
    onStatusChange: (change) => {
      const target = targetOf.get(change.id) ?? change.id;
      const region = regionOf.get(change.id) ?? "?";
      const calculated = link.calculated[target];
      const moves =
        calculated !== undefined &&
        evaluator.board.statusAt(calculated, change.at + timing.aggregateSeconds * 1000) === change.healthy;
      printer.event(
        change.at,
        `health check ${target} (${region} signal): ${change.healthy ? "healthy again: the endpoint no longer says drain" : `unhealthy: the endpoint says "drain ${target}"`}${moves ? ` (data plane: DNS answers follow at ${formatClock(change.at + (timing.aggregateSeconds + timing.answerSeconds) * 1000)})` : ""}`,
      );
      if (!change.healthy) pending.push(findDecision(change.id, change.at));
    },
  });
  return {
    endpoints,
    evaluator,
    calculated: link.calculated,
    regionOf,
    decidedAt,
    healthChanges: () =>
      evaluator.answerChanges().map((change) => ({
        ...change,
        region: regionOf.get(change.child),
        decidedAt: change.healthy ? undefined : decidedAt.get(`${change.child}@${change.checkedAt}`),
      })),
  };
}

/** The signal endpoint of each control region, reading `signals`; silent while its region is lost (once armed). */
async function startSignalEndpoints(
  session: DrillSession,
  config: FailoverConfig,
  routes: AwsRoutes,
  signals: SignalStore,
): Promise<SignalEndpoint[]> {
  const { clock, log, scenario } = session;
  const endpoints: SignalEndpoint[] = [];
  for (const region of config.controlRegions) {
    const endpoint = await startSignalEndpoint(
      region,
      createSignalHandler({ config, region, store: signals, clock, log }),
      undefined,
      () => routes.armed && controlRegionsDown(scenario.faults, clock.elapsedSeconds()).has(region),
    );
    session.onClose(() => endpoint.close());
    endpoints.push(endpoint);
  }
  return endpoints;
}

/** One HTTP server per target, playing its region; target id → its URL and health path. */
async function startRegions(
  session: DrillSession,
  config: FailoverConfig,
): Promise<Map<string, { url: string; healthPath: string }>> {
  const regions = new Map<string, { url: string; healthPath: string }>();
  for (const target of config.targets) {
    const health = new URL(target.healthUrl);
    const server = await startRegionServer({
      target: target.id,
      region: target.region,
      healthPath: health.pathname,
      healthBody: config.probe.bodyMatch ?? "ok",
    });
    session.onClose(() => server.close());
    regions.set(target.id, { url: server.url, healthPath: `${health.pathname}${health.search}` });
  }
  return regions;
}

/**
 * A fault proxy per vantage → target path and per target for the clients;
 * each vantage probes through its own proxies (its config's health URLs).
 */
async function startPaths(
  session: DrillSession,
  config: FailoverConfig,
  regions: Map<string, { url: string; healthPath: string }>,
) {
  const { scenario, clock } = session;
  const proxies: FaultProxy[] = [];
  const proxyFor = async (target: string, vantage: string | undefined) => {
    const region = regions.get(target);
    if (region === undefined) throw new Error(`no region server for ${target}`);
    const proxy = await startFaultProxy({
      path: { target, vantage },
      upstream: region.url,
      faults: scenario.faults,
      clock,
      random: seededRandom(scenario.seed ^ hashString(`${target}/${vantage ?? "clients"}`)),
    });
    session.onClose(() => proxy.close());
    proxies.push(proxy);
    return proxy;
  };
  const vantageConfigs = new Map<string, FailoverConfig>();
  for (const vantage of config.vantages) {
    const targets = [];
    for (const target of config.targets) {
      const proxy = await proxyFor(target.id, vantage);
      targets.push({ ...target, healthUrl: `${proxy.url}${regions.get(target.id)?.healthPath ?? "/"}` });
    }
    // The canary is a known-good page: the first region server, reached directly.
    const canaryUrl = config.probe.canaryUrl === undefined ? undefined : `${[...regions.values()][0]?.url}/`;
    vantageConfigs.set(vantage, {
      ...config,
      targets,
      probe: { ...config.probe, ...(canaryUrl ? { canaryUrl } : {}) },
    });
  }
  const clientPaths = new Map<string, string>();
  for (const target of config.targets) clientPaths.set(target.id, (await proxyFor(target.id, undefined)).url);
  return { proxies, vantageConfigs, clientPaths };
}

/**
 * The Slack stand-in, and per control region its alarms (stored in the
 * emulator, so the other region's notifier can ask about them), its topic
 * and its notifier behind an SNS HTTP endpoint.
 */
async function startAlarmPath(
  session: DrillSession,
  config: FailoverConfig,
  aws: { endpoint: string },
  switchers: Switchers,
  buses: Buses,
): Promise<{ slack: SlackStandIn; topics: Map<string, AlarmTopic> }> {
  const { clock, printer, log } = session;
  const slack = await startSlackStandIn({ now: () => clock.now() });
  session.onClose(() => slack.close());
  slack.onMessage = (message) => printer.event(message.at, `Slack: ${message.text}`);
  const topics = new Map<string, AlarmTopic>();
  for (const region of config.controlRegions) {
    // As deployed: the webhook is a SecureString in the region's parameter store, read once by the notifier.
    const webhookParameter = slackWebhookParameterName(config.name);
    // Patient once: moto's first SecureString also creates the region's aws/ssm key.
    await new ParameterStore({ ...aws, region, retry: { budgetMs: 30_000, attemptTimeoutMs: 30_000 } }).put(
      webhookParameter,
      slack.webhookUrl,
      { secure: true },
    );
    const parameters = new ParameterStore({ ...aws, region });
    const notify = createNotifyHandler({
      webhookUrl: webhookFromParameterStore(parameters, webhookParameter),
      loadContext: () => loadNotifyContext(config, { switcher: switchers.notify, log }),
      post: { maxAttempts: 2, timeoutMs: 2000 },
      log,
      announce: {
        controlRegions: config.controlRegions,
        ownRegion: region,
        alarmState: (other, name) => buses.notify.alarmState(other, name),
      },
    });
    const snsEndpoint = await startSnsEndpoint({
      deliver: async (envelope) => void (await notify(snsLambdaEvent(envelope))),
      onError: (error) => session.problem(`notify handler in ${region} failed: ${describeError(error)}`),
    });
    session.onClose(() => snsEndpoint.close());
    const sns = new SnsPublisher({ ...aws, region });
    const arn = await sns.createTopic(`${config.name}-alarms`);
    await sns.subscribe(arn, "http", snsEndpoint.url);
    await buses.alarm.putAlarms(region, alarmDefinitions(config, region), [arn]);
    topics.set(region, { sns, arn });
  }
  return { slack, topics };
}

/** The probe handler of every vantage and the decide handler of every control region, on the drill's clock. */
function createHandlers(
  session: DrillSession,
  config: FailoverConfig,
  vantageConfigs: Map<string, FailoverConfig>,
  buses: Buses,
  switchers: Switchers,
  lag: LagMonitor,
  topics: Map<string, AlarmTopic>,
  aws: AwsRoutes["system"],
): Pick<DrillParts, "probes" | "deciders" | "budgetMs" | "manual"> {
  const { clock, scenario, log } = session;
  const prober = scaledProber(probeHttp, { speed: session.options.speed, lag });
  const handlerClock = clock.frozenAtStop();
  const timing = new DrillAwsTiming(new TimingDraws(scenario.timing, scenario.seed), clock, config, log);
  const probes = config.vantages.map((vantage) => {
    const vantageConfig = vantageConfigs.get(vantage) ?? config;
    const publish = probePublisher(buses.probeVotes, buses.probe, config.controlRegions);
    const readable = timing.readablePublisher(vantage, publish);
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
      bus: voteChannel(buses.deciderVotes, buses.decider),
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
    votes: buses.deciderVotes,
    log,
    syncTimeoutMs: 0,
    announce: announcerIn(manualRegion),
    audit: auditTrailFor(config, manualRegion, aws),
    signals,
  };
  return { probes, deciders, budgetMs: Math.min(config.probe.budgetSeconds * 1000, 57_000), manual };
}

/** What watches the system from outside: CloudWatch's alarm evaluation, the weights in Route 53, and the clients. */
function createObservers(
  session: DrillSession,
  config: FailoverConfig,
  clientPaths: Map<string, string>,
  buses: Buses,
  switchers: Switchers,
  topics: Map<string, AlarmTopic>,
  lag: LagMonitor,
  dataPlane: DataPlaneParts,
): Pick<DrillParts, "evaluator" | "watcher" | "clients"> {
  const { clock, printer, scenario, startMs } = session;
  const targetIds = config.targets.map((target) => target.id);
  const evaluator = new AlarmEvaluator({
    namespace: config.metricNamespace,
    alarms: Object.fromEntries(config.controlRegions.map((region) => [region, alarmDefinitions(config, region)])),
    historyBefore: SCENARIO_EPOCH,
    readMetrics: (region, queries, start, end) => buses.alarm.readSeries(region, queries, start, end),
    publish: async (region, subject, message) => {
      const topic = topics.get(region);
      if (topic) await topic.sns.publish(topic.arn, message, subject);
    },
    recordState: (region, name, state, reason) => buses.alarm.setAlarmState(region, name, state, reason),
    onChange: (change) =>
      printer.event(change.at, `alarm ${change.alarm.name} in ${change.region}: ${change.from} → ${change.to}`),
  });
  const watcher = new RecordWatcher({
    clock,
    read: () => switchers.watcher.read(),
    intervalMs: config.probe.intervalSeconds * 1000,
    targets: targetIds,
    onChange: (change, previous) => {
      if (previous === undefined)
        return printer.event(
          change.at,
          `weights ${targetIds.map((id) => `${id} ${change.weights[id] ?? 0}`).join(", ")}`,
        );
      const moved = describeWeightChange(previous.weights, change.weights, targetIds);
      const why = change.event ? `: ${change.event.reason} (${change.event.mode})` : "";
      printer.event(change.at, `records (compare-and-swap): ${moved}${why}`);
    },
  });
  const clients = new SimulatedClients({
    clock,
    startMs,
    ...session.options.clients,
    ttlSeconds: config.records[0]?.ttl ?? 60,
    // What Route 53 answers: the record weights, less the sets whose health checks are unhealthy.
    resolve: async () => dataPlane.evaluator.answerShares((await switchers.client.read()).weights, clock.now()),
    urlFor: (target) => clientPaths.get(target) ?? "",
    timeoutMs: 10_000,
    slowAfterMs: config.probe.maxLatencyMs,
    lag,
    random: seededRandom(scenario.seed ^ 0x5eed),
  });
  return { evaluator, watcher, clients };
}

/** Warms every code path once (JIT, SDK lazy loading) so the first rounds do not stall the loop. */
async function warmUp(
  config: FailoverConfig,
  vantageConfigs: Map<string, FailoverConfig>,
  clientPaths: Map<string, string>,
  switchers: Switchers,
  buses: Buses,
): Promise<void> {
  await Promise.allSettled([
    ...[...vantageConfigs.values()].flatMap((vantageConfig) =>
      vantageConfig.targets.map((target) =>
        probeHttp({ url: target.healthUrl, timeoutMs: 2000, expectedStatuses: [200], bodyMatchBytes: 1, headers: {} }),
      ),
    ),
    ...[...clientPaths.values()].map((url) => fetch(`${url}/api/warm-up`).then((response) => response.arrayBuffer())),
    ...[switchers.decider, switchers.watcher, switchers.client, switchers.notify].map((switcher) => switcher.read()),
    ...config.controlRegions.map((region) => buses.deciderVotes.readWindow(region, SCENARIO_EPOCH - 600, 60)),
    buses.alarm.readSeries(
      config.controlRegions[0] ?? "us-east-1",
      [{ id: "w", metricName: Metric.Switchover, dimensions: {}, statistic: "Sum", periodSeconds: 60 }],
      SCENARIO_EPOCH - 600,
      SCENARIO_EPOCH - 540,
    ),
  ]);
}
