import { MetricsBus } from "./lib/aws/cloudwatch.ts";
import { ParameterStore } from "./lib/aws/ssm.ts";
import { auditTrailFor } from "./lib/audit-trail.ts";
import type { FailoverConfig } from "./lib/config.ts";
import { configFromEnv } from "./lib/env-config.ts";
import { log as defaultLog } from "./lib/log.ts";
import { loadNotifyContext } from "./lib/slack/context.ts";
import { createNotifyHandler, type LambdaContext, type NotifyResult } from "./lib/slack/notifier.ts";
import { slackWebhookParameterName, webhookFromParameterStore } from "./lib/slack/webhook.ts";
import { slackTestParameterName } from "./lib/slack/slack-test.ts";

let wired: ReturnType<typeof createNotifyHandler> | undefined;

/**
 * Lambda entry: webhook from the SecureString parameter named by env
 * FAILOVER_SLACK_WEBHOOK_PARAMETER (default `/<config name>/slack-webhook`)
 * in this region, kept 5 minutes at most and read again when Slack answers
 * 404/410; context from Route 53 via env
 * FAILOVER_CONFIG; region from FAILOVER_CONTROL_REGION or AWS_REGION. An
 * unreadable config costs the context and the first-region check, never
 * the post.
 */
export const handler = async (event: unknown, context?: LambdaContext): Promise<NotifyResult> => {
  wired ??= wire();
  return wired(event, context);
};

function wire(): ReturnType<typeof createNotifyHandler> {
  let config: FailoverConfig | undefined;
  try {
    config = configFromEnv();
  } catch (error) {
    defaultLog.error("config unreadable: posting every notification, without context", { error });
  }
  const bus = config && new MetricsBus(config);
  const ownRegion = process.env.FAILOVER_CONTROL_REGION || process.env.AWS_REGION || "";
  const parameter =
    process.env.FAILOVER_SLACK_WEBHOOK_PARAMETER || slackWebhookParameterName(config?.name ?? "regional-failover");
  const store = new ParameterStore({ region: ownRegion });
  const testRecord = slackTestParameterName(config?.name ?? "regional-failover");
  return createNotifyHandler({
    webhookUrl: webhookFromParameterStore(store, parameter),
    recordTest: (delivery) => store.put(testRecord, JSON.stringify({ ...delivery, region: ownRegion })),
    loadContext: () => {
      const known = config ?? configFromEnv();
      return loadNotifyContext(known, { log: defaultLog, audit: auditTrailFor(known, ownRegion) });
    },
    ...(config && bus
      ? {
          announce: {
            controlRegions: config.controlRegions,
            ownRegion,
            alarmStatus: (region, name) => bus.alarmStatus(region, name),
          },
        }
      : {}),
  });
}
