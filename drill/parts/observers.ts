import { alarmDefinitions } from "../../functions/lib/alarms.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { SCENARIO_EPOCH } from "../../offline/replay/run.ts";
import { AlarmEvaluator } from "../alarm-evaluator.ts";
import { SimulatedClients } from "../clients.ts";
import { seededRandom } from "../faults.ts";
import type { LagMonitor } from "../lag-monitor.ts";
import { RecordWatcher } from "../record-watcher.ts";
import type { DrillSession } from "../session.ts";
import { describeWeightChange } from "../timeline.ts";
import type { AlarmTopic } from "./alarm-path.ts";
import type { Buses, Switchers } from "./callers.ts";
import type { DataPlaneParts } from "./data-plane.ts";

/** What watches the system from outside. */
export interface Observers {
  evaluator: AlarmEvaluator;
  watcher: RecordWatcher;
  clients: SimulatedClients;
}

/** What watches the system from outside: CloudWatch's alarm evaluation, the weights in Route 53, and the clients. */
export function createObservers(
  session: DrillSession,
  config: FailoverConfig,
  clientPaths: Map<string, string>,
  buses: Buses,
  switchers: Switchers,
  topics: Map<string, AlarmTopic>,
  lag: LagMonitor,
  dataPlane: DataPlaneParts,
): Observers {
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
