import { handleManualEvent, type ManualDeps } from "./lib/manual/handle-event.ts";
import type { ManualResponse } from "./lib/manual/result.ts";
import { configFromEnv } from "./lib/env-config.ts";
import { describeError, FailoverError } from "./lib/errors.ts";
import { log } from "./lib/log.ts";
import { manualDepsFromEnv } from "./lib/wiring/manual.ts";

export type { ManualResponse } from "./lib/manual/result.ts";

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
      wired = manualDepsFromEnv(configFromEnv());
    } catch (error) {
      log.error("manual failover function misconfigured", { error });
      const code = error instanceof FailoverError ? error.code : "INTERNAL";
      return { ok: false, error: { code, message: describeError(error) } };
    }
  }
  return handleManualEvent(wired, event, context?.awsRequestId ? { lambdaRequestId: context.awsRequestId } : {});
};
