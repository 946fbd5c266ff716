import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { SnsPublisher } from "../../functions/lib/aws/sns.ts";
import { alarmDefinitions } from "../../functions/lib/alarms.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { describeError } from "../../functions/lib/errors.ts";
import { loadNotifyContext } from "../../functions/lib/slack/context.ts";
import { createNotifyHandler } from "../../functions/lib/slack/notifier.ts";
import { slackWebhookParameterName, webhookFromParameterStore } from "../../functions/lib/slack/webhook.ts";
import type { DrillSession } from "../session.ts";
import { startSlackStandIn, type SlackStandIn } from "../slack-stand-in.ts";
import { snsLambdaEvent, startSnsEndpoint } from "../sns-endpoint.ts";
import type { Buses, Switchers } from "./callers.ts";

/** An alarm topic of one control region. */
export interface AlarmTopic {
  sns: SnsPublisher;
  arn: string;
}

/**
 * The Slack stand-in, and per control region its alarms (stored in the
 * emulator, so the other region's notifier can ask about them), its topic
 * and its notifier behind an SNS HTTP endpoint.
 */
export async function startAlarmPath(
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
        alarmStatus: (other, name) => buses.notify.alarmStatus(other, name),
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
