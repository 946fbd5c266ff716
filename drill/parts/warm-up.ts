import type { FailoverConfig } from "../../functions/lib/config.ts";
import { Metric } from "../../functions/lib/metrics.ts";
import { probeHttp } from "../../functions/lib/probe/http.ts";
import { SCENARIO_EPOCH } from "../../offline/replay/run.ts";
import type { Buses, Switchers } from "./callers.ts";

/** Warms every code path once (JIT, SDK lazy loading) so the first rounds do not stall the loop. */
export async function warmUp(
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
