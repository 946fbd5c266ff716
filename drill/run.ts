import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDecideHandler } from "../functions/decide.ts";
import { createNotifyHandler } from "../functions/notify.ts";
import { snsAnnouncer } from "../functions/lib/control/announcer.ts";
import { handleManualEvent, type ManualDeps } from "../functions/lib/control/manual.ts";
import { createProbeHandler } from "../functions/probe.ts";
import { alarmDefinitions } from "../functions/lib/alarms.ts";
import { MetricsBus } from "../functions/lib/aws/cloudwatch.ts";
import { createHostedZone, Route53Switcher } from "../functions/lib/aws/route53.ts";
import { SnsPublisher } from "../functions/lib/aws/sns.ts";
import type { FailoverConfig } from "../functions/lib/config.ts";
import { describeError } from "../functions/lib/errors.ts";
import { createLogger } from "../functions/lib/log.ts";
import { Metric } from "../functions/lib/metrics.ts";
import { probeHttp } from "../functions/lib/probe/http.ts";
import { SCENARIO_EPOCH } from "../offline/replay/run.ts";
import { formatRate, scoreRun, type ReplaySummary } from "../offline/replay/score.ts";
import type { Scenario } from "../offline/scenario.ts";
import { loadNotifyContext } from "../functions/lib/slack/context.ts";
import { startEmulator } from "../emulator/harness.ts";
import { AlarmEvaluator } from "./alarm-evaluator.ts";
import { SimulatedClients } from "./clients.ts";
import { DrillClock } from "./clock.ts";
import { startFaultProxy, type FaultProxy } from "./fault-proxy.ts";
import { LagMonitor } from "./lag-monitor.ts";
import { faultBoundaries, hashString, seededRandom, silentVantages } from "./faults.ts";
import { RecordWatcher } from "./record-watcher.ts";
import { startRegionServer } from "./region-server.ts";
import { renderReport } from "./report.ts";
import { scaledProber } from "./scaled-prober.ts";
import { startSlackStandIn } from "./slack-stand-in.ts";
import { snsLambdaEvent, startSnsEndpoint } from "./sns-endpoint.ts";
import { describeFault, describeWeightChange, formatClock, TimelinePrinter } from "./timeline.ts";

/** Virtual seconds per wall second: the Clerk scenario (8400 s) takes 3.5 minutes of wall time. */
export const DEFAULT_SPEED = 40;
export const DEFAULT_SCENARIO = "scenarios/clerk-2025-08-06.json";
export const DEFAULT_OUT = "drill-out";

export interface DrillOptions {
  scenario: Scenario;
  /** Virtual seconds per wall second. */
  speed: number;
  /** Where summary.json, report.html and drill.log go (created). */
  outDir: string;
  /** Output for the timeline. @default process.stdout.write */
  write?: (text: string) => void;
  /** Draw a progress line (stdout is a terminal). @default false */
  isTTY?: boolean;
  /** Simulated clients. @default 30 clients, one request each per 15 s */
  clients?: { count?: number; requestIntervalSeconds?: number };
  /** Aborting stops the drill early (Ctrl-C); everything started is still stopped. @default none: runs to the end */
  signal?: AbortSignal;
  /** Told the emulator's pid once it runs (the interrupt test watches it). @default none */
  onEmulatorStarted?: (pid: number) => void;
}

/** What `summary.json` holds: the replay's keys, plus what only a drill has. */
export interface DrillSummary extends ReplaySummary {
  slackMessages: Array<{ at: string; text: string }>;
  wallSeconds: number;
  drill: {
    speed: number;
    interrupted: boolean;
    clientRequests: number;
    clientErrors: number;
    alarms: Array<{ at: string; region: string; alarm: string; from: string; to: string }>;
    /** Wall seconds per phase: where the time went (scenario = duration / speed). */
    wall: {
      setupSeconds: number;
      scenarioSeconds: number;
      windDownSeconds: number;
      stopSeconds: number;
      reportSeconds: number;
    };
    /** CPU seconds used by the drill process and by the emulator (undefined where /proc is not available). */
    cpu: { drillSeconds: number; emulatorSeconds: number | undefined };
    /** Stalls of the drill's own event loop (discounted from probe and client latencies). */
    eventLoop: { maxStallMs: number; totalStallMs: number };
    /** AWS API calls made to the emulator, by who made them. */
    emulatorCalls: Record<string, number>;
    problems: string[];
  };
}

export interface DrillResult {
  summary: DrillSummary;
  interrupted: boolean;
  files: { summary: string; report: string; log: string };
}

const POLICY = "default";

/**
 * Runs a scenario end to end on real local parts: the moto emulator, one
 * HTTP server per target, fault proxies per vantage → target path and for
 * the clients, the probe handler of every vantage and the decide handler of
 * every control region (invoked each virtual minute, as EventBridge would),
 * simulated clients, the alarm evaluator → SNS → the notify handler of
 * each control region → Slack stand-in. Writes summary.json, report.html
 * and drill.log in `outDir`.
 */
export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const wallStart = performance.now();
  const cpuStart = (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
  const { scenario, speed } = options;
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  mkdirSync(options.outDir, { recursive: true });
  const files = {
    summary: join(options.outDir, "summary.json"),
    report: join(options.outDir, "report.html"),
    log: join(options.outDir, "drill.log"),
  };
  const logStream = createWriteStream(files.log);
  const log = createLogger({ write: (line) => void logStream.write(line), level: "info" });
  const printer = new TimelinePrinter({ write, isTTY: options.isTTY ?? false });
  const closers: Array<() => Promise<unknown>> = [];
  // Everything started is stopped in reverse order, once (also on errors and interrupts).
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse())
      await close().catch((error: unknown) => log.warn("closing a drill part failed", { error }));
  };
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 50) problems.push(text);
    log.warn(text);
  };

  const startMs = SCENARIO_EPOCH * 1000;
  const endMs = startMs + scenario.durationSeconds * 1000;
  const clock = new DrillClock({ startMs, speed });
  const base = scenario.resolvedConfig;
  const targetIds = base.targets.map((target) => target.id);
  const background: Array<Promise<unknown>> = [];
  let interrupted = false;
  const onAbort = () => {
    interrupted = true;
    clock.stop();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const aborted = () => options.signal?.aborted === true;

  try {
    // --- Set-up: emulator, zone, servers, proxies, topics, handlers. ---
    const emulator = await startEmulator();
    closers.push(() => emulator.stop());
    options.onEmulatorStarted?.(emulator.pid);
    if (aborted()) throw new DrillInterrupted();
    const aws = { endpoint: emulator.url };
    const zoneId = await createHostedZone(base.hostedZone.name, aws);
    const config: FailoverConfig = { ...base, hostedZone: { ...base.hostedZone, id: zoneId } };

    const regions = new Map<string, { url: string; healthPath: string }>();
    for (const target of config.targets) {
      const health = new URL(target.healthUrl);
      const server = await startRegionServer({
        target: target.id,
        region: target.region,
        healthPath: health.pathname,
        healthBody: config.probe.bodyMatch ?? "ok",
      });
      closers.push(() => server.close());
      regions.set(target.id, { url: server.url, healthPath: `${health.pathname}${health.search}` });
    }
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
      closers.push(() => proxy.close());
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

    const deciderSwitcher = new Route53Switcher(config, aws);
    await deciderSwitcher.init();
    const watcherSwitcher = new Route53Switcher(config, aws);
    const clientSwitcher = new Route53Switcher(config, aws);
    const notifySwitcher = new Route53Switcher(config, aws);
    const probeBus = new MetricsBus(config, aws);
    const deciderBus = new MetricsBus(config, aws);
    const alarmBus = new MetricsBus(config, aws);
    const notifyBus = new MetricsBus(config, aws);

    const slack = await startSlackStandIn({ now: () => clock.now() });
    closers.push(() => slack.close());
    slack.onMessage = (message) => printer.event(message.at, `Slack: ${message.text}`);
    // Per control region: its alarms (stored in the emulator, so the other
    // region's notifier can ask about them), its topic and its notifier.
    const topics = new Map<string, { sns: SnsPublisher; arn: string }>();
    for (const region of config.controlRegions) {
      const notify = createNotifyHandler({
        webhookUrl: async () => slack.webhookUrl,
        loadContext: () => loadNotifyContext(config, { switcher: notifySwitcher, log }),
        post: { maxAttempts: 2, timeoutMs: 2000 },
        log,
        announce: {
          controlRegions: config.controlRegions,
          ownRegion: region,
          alarmState: (other, name) => notifyBus.alarmState(other, name),
        },
      });
      const snsEndpoint = await startSnsEndpoint({
        deliver: async (envelope) => void (await notify(snsLambdaEvent(envelope))),
        onError: (error) => problem(`notify handler in ${region} failed: ${describeError(error)}`),
      });
      closers.push(() => snsEndpoint.close());
      const sns = new SnsPublisher({ ...aws, region });
      const arn = await sns.createTopic(`${config.name}-alarms`);
      await sns.subscribe(arn, "http", snsEndpoint.url);
      await alarmBus.putAlarms(region, alarmDefinitions(config, region), [arn]);
      topics.set(region, { sns, arn });
    }

    const lag = new LagMonitor();
    lag.start();
    closers.push(async () => lag.stop());
    const prober = scaledProber(probeHttp, { speed, lag });
    const handlerClock = clock.frozenAtStop();
    const probes = config.vantages.map((vantage) => {
      const vantageConfig = vantageConfigs.get(vantage) ?? config;
      const handler = createProbeHandler({
        config: vantageConfig,
        vantage,
        clock: handlerClock,
        prober,
        log,
        // A vantage that is down cannot publish; after the scenario's end nothing is published.
        publish: async (report) => {
          const second = report.at - SCENARIO_EPOCH;
          if (clock.isStopped || silentVantages(scenario.faults, config.vantages, second).has(vantage)) return [];
          return probeBus.publishProbeRound(report);
        },
      });
      return { vantage, handler };
    });
    // Whoever makes a change announces it to its own region's topic (the other region's if that fails), as deployed.
    const topicArns = Object.fromEntries([...topics].map(([region, topic]) => [region, topic.arn]));
    const announcerIn = (ownRegion: string) =>
      snsAnnouncer({
        topics: topicArns,
        ownRegion,
        log,
        publish: async (region, arn, message) => topics.get(region)?.sns.publish(arn, message),
      });
    const deciders = config.controlRegions.map((controlRegion) => ({
      controlRegion,
      handler: createDecideHandler({
        config,
        controlRegion,
        clock: handlerClock,
        switcher: deciderSwitcher,
        bus: deciderBus,
        log,
        announce: announcerIn(controlRegion),
      }),
    }));
    const manualRegion = config.controlRegions[0] ?? "us-east-1";
    const manualDeps: ManualDeps = {
      config,
      region: manualRegion,
      clock: handlerClock,
      switcher: deciderSwitcher,
      bus: deciderBus,
      log,
      syncTimeoutMs: 0,
      announce: announcerIn(manualRegion),
    };
    const budgetMs = Math.min(config.probe.budgetSeconds * 1000, 57_000);

    const evaluator = new AlarmEvaluator({
      namespace: config.metricNamespace,
      alarms: Object.fromEntries(config.controlRegions.map((region) => [region, alarmDefinitions(config, region)])),
      historyBefore: SCENARIO_EPOCH,
      readMetrics: (region, queries, start, end) => alarmBus.readSeries(region, queries, start, end),
      publish: async (region, subject, message) => {
        const topic = topics.get(region);
        if (topic) await topic.sns.publish(topic.arn, message, subject);
      },
      recordState: (region, name, state, reason) => alarmBus.setAlarmState(region, name, state, reason),
      onChange: (change) =>
        printer.event(change.at, `alarm ${change.alarm.name} in ${change.region}: ${change.from} → ${change.to}`),
    });

    const watcher = new RecordWatcher({
      clock,
      read: () => watcherSwitcher.read(),
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
        printer.event(change.at, `${moved}${why}`);
      },
    });
    const clients = new SimulatedClients({
      clock,
      startMs,
      ...options.clients,
      ttlSeconds: config.records[0]?.ttl ?? 60,
      resolve: async () => (await clientSwitcher.read()).weights,
      urlFor: (target) => clientPaths.get(target) ?? "",
      timeoutMs: 10_000,
      slowAfterMs: config.probe.maxLatencyMs,
      lag,
      random: seededRandom(scenario.seed ^ 0x5eed),
    });
    // Warm every code path once (JIT, SDK lazy loading) so the first rounds do not stall the loop.
    await Promise.allSettled([
      ...[...vantageConfigs.values()].flatMap((vantageConfig) =>
        vantageConfig.targets.map((target) =>
          probeHttp({
            url: target.healthUrl,
            timeoutMs: 2000,
            expectedStatuses: [200],
            bodyMatchBytes: 1,
            headers: {},
          }),
        ),
      ),
      ...[...clientPaths.values()].map((url) => fetch(`${url}/api/warm-up`).then((response) => response.arrayBuffer())),
      ...[deciderSwitcher, watcherSwitcher, clientSwitcher, notifySwitcher].map((switcher) => switcher.read()),
      ...config.controlRegions.map((region) => deciderBus.readWindow(region, SCENARIO_EPOCH - 600, 60)),
      alarmBus.readSeries(
        config.controlRegions[0] ?? "us-east-1",
        [{ id: "w", metricName: Metric.Switchover, dimensions: {}, statistic: "Sum", periodSeconds: 60 }],
        SCENARIO_EPOCH - 600,
        SCENARIO_EPOCH - 540,
      ),
    ]);
    const setupSeconds = (performance.now() - wallStart) / 1000;
    if (aborted()) throw new DrillInterrupted();

    // --- The scenario, on the drill clock. ---
    clock.restart();
    await watcher.poll();
    printer.event(
      startMs,
      `drill started: ${scenario.name}, ${scenario.durationSeconds} s at ${speed}x (${config.targets.length} targets, ${config.vantages.length} vantages, ${config.controlRegions.length} control regions)`,
    );
    // An invocation still running when the drill stops is not waited for (its clock is frozen).
    const running = new Set<Promise<unknown>>();
    const track = (promise: Promise<unknown>, what: string) => {
      const settled = promise.catch((error: unknown) => problem(`${what}: ${describeError(error)}`));
      running.add(settled);
      void settled.finally(() => running.delete(settled));
      background.push(Promise.race([settled, clock.whenStopped]));
    };
    const everyMinute = (offsetMs: number, what: string, run: (minuteAt: number) => Promise<unknown>) =>
      track(
        (async () => {
          for (let minute = 0; minute * 60_000 < scenario.durationSeconds * 1000; minute++) {
            const at = startMs + minute * 60_000 + offsetMs;
            if (at >= endMs) break;
            await clock.sleepUntil(at);
            if (clock.isStopped) break;
            track(run(at), what);
          }
        })(),
        what,
      );
    // EventBridge invokes each function once a minute; a down vantage's function does not run.
    for (const probe of probes) {
      everyMinute(0, `probe ${probe.vantage}`, async (at) => {
        if (silentVantages(scenario.faults, config.vantages, (at - startMs) / 1000).has(probe.vantage)) return;
        await probe.handler({}, { getRemainingTimeInMillis: () => 60_000 - (clock.now() - at) });
      });
    }
    for (const decider of deciders)
      everyMinute(0, `decider ${decider.controlRegion}`, () => decider.handler.run(budgetMs));
    // CloudWatch evaluates a minute's alarms shortly after it closes.
    everyMinute(20_000, "alarm evaluator", async (at) => {
      await evaluator.evaluate(at);
      for (const error of evaluator.errors.splice(0)) problem(error);
    });
    track(
      (async () => {
        for (const second of faultBoundaries(scenario.faults)) {
          if (second > scenario.durationSeconds) break;
          // A second early (a closed port reopens before its fault ends; see FaultProxy.refresh), then on the boundary.
          await clock.sleepUntil(startMs + (second - 1) * 1000);
          if (clock.isStopped) break;
          await Promise.all(proxies.map((proxy) => proxy.refresh()));
          await clock.sleepUntil(startMs + second * 1000);
          if (clock.isStopped) break;
          await Promise.all(proxies.map((proxy) => proxy.refresh()));
          for (const fault of scenario.faults) {
            if (fault.start === second) printer.event(startMs + second * 1000, describeFault(fault, config.vantages));
            else if (fault.end === second && fault.kind !== "loss")
              printer.event(
                startMs + second * 1000,
                `${describeFault(fault, config.vantages).split(":")[0]}: ${fault.kind} over`,
              );
          }
        }
      })(),
      "fault scheduler",
    );
    // On-call's changes, as `failover <action> --direct` would send them.
    for (const step of scenario.manual) {
      track(
        (async () => {
          await clock.sleepUntil(startMs + step.at * 1000);
          if (clock.isStopped) return;
          const { at: _at, ...event } = step;
          const answer = await handleManualEvent(manualDeps, event);
          printer.event(
            clock.now(),
            answer.ok
              ? `manual ${step.action}${step.target ? ` ${step.target}` : ""} by ${step.actor}: ${"shift" in answer ? answer.shift : "done"}`
              : `manual ${step.action} failed: ${answer.error.message}`,
          );
          if (!answer.ok) problem(`manual ${step.action} at ${step.at} s failed: ${answer.error.message}`);
        })(),
        `manual ${step.action}`,
      );
    }
    track(watcher.run(endMs), "record watcher");
    clients.start(endMs);
    const progress = setInterval(() => {
      const totals = clients.totals();
      const weights = watcher.current ?? {};
      printer.progress(
        `${formatClock(clock.now())}  ${Math.min(100, Math.round((clock.elapsedSeconds() / scenario.durationSeconds) * 100))}%  weights ${targetIds.map((id) => `${id} ${weights[id] ?? "?"}`).join(" ")}  clients ${totals.requests} req ${totals.errors} err  Slack ${slack.messages.length}`,
      );
    }, 500);
    await clock.sleepUntil(endMs);
    clearInterval(progress);
    printer.endProgress();
    const scenarioSeconds = (performance.now() - wallStart) / 1000 - setupSeconds;

    // --- Wind down: stop the clock (wakes every loop), let in-flight work finish. ---
    const teardownStart = performance.now();
    clock.stop();
    await clients.stop();
    await settle(background, 15_000);
    // Rounds that were mid-flight at the end finish their writes; frozen invocations never will.
    for (let i = 0; i < 250 && running.size > clock.frozen; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await watcher.poll();

    const observed = watcher.changes.map((change) => ({
      at: Math.max(0, Math.round((change.at - startMs) / 1000)),
      weights: change.weights,
    }));
    if (observed[0]) observed[0] = { at: 0, weights: observed[0].weights };
    const totals = clients.totals();
    const score = scoreRun({
      scenario,
      config,
      policy: POLICY,
      weightTimeline: observed,
      clientRequests: { total: totals.requests, failed: totals.errors },
    });
    const emulatorCalls = {
      probes: probeBus.stats.total().calls,
      deciders: deciderSwitcher.stats.total().calls + deciderBus.stats.total().calls,
      alarmEvaluator:
        alarmBus.stats.total().calls +
        [...topics.values()].reduce((sum, topic) => sum + topic.sns.stats.total().calls, 0),
      clients: clientSwitcher.stats.total().calls,
      recordWatcher: watcherSwitcher.stats.total().calls,
      notifier: notifySwitcher.stats.total().calls + notifyBus.stats.total().calls,
    };
    const cpu = {
      drillSeconds: round2((process.cpuUsage().user + process.cpuUsage().system) / 1e6 - cpuStart),
      emulatorSeconds: processCpuSeconds(emulator.pid),
    };
    const windDownSeconds = (performance.now() - teardownStart) / 1000;
    const stopStart = performance.now();
    await closeAll();
    const stopSeconds = (performance.now() - stopStart) / 1000;
    const reportStart = performance.now();
    const report = renderReport({
      scenario,
      startMs,
      targets: targetIds,
      vantages: config.vantages,
      weights: watcher.changes.map((change) => ({ at: Math.max(startMs, change.at), weights: change.weights })),
      faults: scenario.faults,
      switches: watcher.changes.slice(1).map((change, index) => ({
        at: change.at,
        text: describeWeightChange(watcher.changes[index]?.weights ?? {}, change.weights, targetIds),
      })),
      clientMinutes: clients.minutes(),
      slackMessages: slack.messages,
      timeline: printer.entries,
      headline: `${score.failovers} failover(s), ${score.failbacks} failback(s), detection ${score.detectSeconds.join(", ") || "none"} s, client errors ${formatRate(score.clientErrorRate)}, ${slack.messages.length} Slack message(s)`,
      figures: {
        failovers: String(score.failovers),
        failbacks: String(score.failbacks),
        "detection (s)": score.detectSeconds.join(", ") || "none",
        "missed outages": String(score.missedOutages),
        "false switches": String(score.falseSwitches),
        "client error rate": `${formatRate(score.clientErrorRate)} (${totals.errors} of ${totals.requests} requests)`,
        "final weights": targetIds.map((id) => `${id} ${score.finalWeights[id] ?? 0}`).join(", "),
        expectations: score.expectations.map((e) => `${e.ok ? "✓" : "✗"} ${e.name}: ${e.detail}`).join("; ") || "none",
        "wall time": `${round2(setupSeconds + scenarioSeconds + windDownSeconds + stopSeconds)} s at ${speed}x (set-up ${round2(setupSeconds)} s, scenario ${round2(scenarioSeconds)} s)`,
      },
      ok: score.ok && !interrupted,
    });
    writeFileSync(files.report, report);
    const reportSeconds = (performance.now() - reportStart) / 1000;
    const summary: DrillSummary = {
      ...score,
      ok: score.ok && !interrupted,
      slackMessages: slack.messages.map((message) => ({ at: new Date(message.at).toISOString(), text: message.text })),
      wallSeconds: round2((performance.now() - wallStart) / 1000),
      drill: {
        speed,
        interrupted,
        clientRequests: totals.requests,
        clientErrors: totals.errors,
        alarms: evaluator.changes.map((change) => ({
          at: new Date(change.at).toISOString(),
          region: change.region,
          alarm: change.alarm.name,
          from: change.from,
          to: change.to,
        })),
        wall: {
          setupSeconds: round2(setupSeconds),
          scenarioSeconds: round2(scenarioSeconds),
          windDownSeconds: round2(windDownSeconds),
          stopSeconds: round2(stopSeconds),
          reportSeconds: round2(reportSeconds),
        },
        cpu,
        eventLoop: { maxStallMs: Math.round(lag.maxStallMs), totalStallMs: Math.round(lag.totalStallMs) },
        emulatorCalls,
        problems,
      },
    };
    writeFileSync(files.summary, `${JSON.stringify(summary, null, 2)}\n`);
    return { summary, interrupted, files };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    clock.stop();
    await closeAll();
    await new Promise<void>((resolve) => logStream.end(() => resolve()));
  }
}

/** Thrown when the drill is interrupted during set-up (nothing to score yet). */
export class DrillInterrupted extends Error {
  constructor() {
    super("the drill was interrupted");
  }
}

/** Waits for every promise, at most `timeoutMs` (a stuck one is left behind, its parts get closed). */
async function settle(promises: Array<Promise<unknown>>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined elsewhere. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return round2((Number(fields[11]) + Number(fields[12])) / 100);
  } catch {
    return undefined;
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
