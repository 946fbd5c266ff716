import { auditTrailFor } from "./lib/audit.ts";
import { alertAnnouncer } from "./lib/aws/alert-topics.ts";
import { MetricsBus } from "./lib/aws/cloudwatch.ts";
import { Route53Switcher } from "./lib/aws/route53.ts";
import { HealthCheckAdmin } from "./lib/aws/route53-health-checks.ts";
import { SIGNAL_ENDPOINTS_ENV, signalEndpointsFrom } from "./lib/dataplane/endpoints.ts";
import { systemClock } from "./lib/clock.ts";
import { handleManualEvent, type ManualDeps } from "./lib/control/manual.ts";
import type { ManualResponse } from "./lib/control/manual-result.ts";
import { configFromEnv } from "./lib/env-config.ts";
import { describeError, FailoverError } from "./lib/errors.ts";
import { log } from "./lib/log.ts";

export type { ManualResponse } from "./lib/control/manual-result.ts";

let wired: ManualDeps | undefined;

/**
 * The manual failover function (invoked with IAM only; no public URL).
 * Event `{ action, target?, weights?, reason, ttlSeconds?, actor }`; answers
 * `{ ok: true, ... }` or `{ ok: false, error: { code, message, hint?, issues? } }`.
 * Config from env FAILOVER_CONFIG (validated once), region from
 * FAILOVER_CONTROL_REGION or AWS_REGION, the signal endpoints (for `verify`)
 * from FAILOVER_SIGNAL_ENDPOINTS.
 */
export const handler = async (event: unknown, context?: { awsRequestId?: string }): Promise<ManualResponse> => {
  if (wired === undefined) {
    try {
      const config = configFromEnv();
      const region = process.env.FAILOVER_CONTROL_REGION || process.env.AWS_REGION || config.controlRegions[0] || "";
      wired = {
        config,
        region,
        clock: systemClock,
        switcher: new Route53Switcher(config),
        bus: new MetricsBus(config),
        announce: alertAnnouncer(region, log),
        audit: auditTrailFor(config, region),
        healthChecks: new HealthCheckAdmin(config),
      };
      const signalEndpoints = signalEndpointsFrom(process.env[SIGNAL_ENDPOINTS_ENV], config);
      if (signalEndpoints !== undefined) wired.signalEndpoints = signalEndpoints;
    } catch (error) {
      log.error("manual failover function misconfigured", { error });
      const code = error instanceof FailoverError ? error.code : "INTERNAL";
      return { ok: false, error: { code, message: describeError(error) } };
    }
  }
  return handleManualEvent(wired, event, context?.awsRequestId ? { lambdaRequestId: context.awsRequestId } : {});
};
