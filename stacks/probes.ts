import { functionMemoryMb } from "../functions/lib/deployment.ts";
import { roundsTimeoutSeconds } from "../functions/lib/decider/schedule.ts";
import type { Settings } from "./settings.ts";
import { probePermissions } from "./iam.ts";
import { functionArgs, logicalName, providerFor } from "./regions.ts";

/**
 * One probe per vantage region: a Cron every minute running
 * functions/probe.ts, which runs aligned rounds for `probe.budgetSeconds`
 * and publishes each to every control region.
 */
export function createProbes(settings: Settings): Record<string, sst.aws.Cron> {
  const { config, configJson } = settings;
  return Object.fromEntries(
    config.vantages.map((vantage) => [
      vantage,
      new sst.aws.Cron(
        logicalName("Probe", vantage),
        {
          schedule: "rate(1 minute)",
          function: functionArgs({
            handler: "functions/probe.handler",
            description: `regional-failover probe (vantage ${vantage})`,
            configJson,
            environment: { FAILOVER_VANTAGE: vantage },
            permissions: probePermissions(config, vantage),
            timeoutSeconds: roundsTimeoutSeconds(config),
            memoryMb: functionMemoryMb.probe,
          }),
        },
        { provider: providerFor(vantage) },
      ),
    ]),
  );
}
