import { alarmDefinitions } from "../functions/lib/alarms.ts";
import { CANARY_ALARM_REGION, canaryTopicName } from "../functions/lib/dataplane/canary-alarm.ts";
import type { ControlRegion } from "./control.ts";
import type { Settings } from "./settings.ts";
import { logicalName, providerFor } from "./regions.ts";

/**
 * Every alarm of {@link alarmDefinitions}, in each control region; those
 * that announce have alarm AND OK actions to that region's topic (Slack
 * hears when it fires and when it ends).
 */
export function createAlerts(settings: Settings, control: ControlRegion[]): aws.cloudwatch.MetricAlarm[] {
  const { config } = settings;
  return control.flatMap(({ region, alarmTopic }) =>
    alarmDefinitions(config, region).map(
      (definition) =>
        new aws.cloudwatch.MetricAlarm(
          logicalName("Alarm", region, definition.key),
          {
            name: definition.name,
            alarmDescription: definition.description,
            namespace: config.metricNamespace,
            metricName: definition.metricName,
            dimensions: definition.dimensions,
            statistic: definition.statistic,
            period: definition.periodSeconds,
            evaluationPeriods: definition.evaluationPeriods,
            datapointsToAlarm: definition.datapointsToAlarm,
            threshold: definition.threshold,
            comparisonOperator: definition.comparisonOperator,
            treatMissingData: definition.treatMissingData,
            // Switchover and flap-budget reach Slack as events from whoever made the change (definition.announce).
            alarmActions: definition.announce ? [alarmTopic.arn] : [],
            okActions: definition.announce ? [alarmTopic.arn] : [],
          },
          { provider: providerFor(region) },
        ),
    ),
  );
}

/**
 * The topic the canary alarms announce to: in us-east-1 (Route 53's metrics
 * are only there, and an alarm's SNS actions must be in its own region),
 * named `<name>-<stage>-signal-canary` so `failover init`, which puts the
 * alarms, finds it from the alert topics' ARNs; the first control region's
 * notifier is subscribed (it always posts), so a broken signal path reaches
 * Slack.
 */
export function createCanaryTopic(settings: Settings, control: ControlRegion[]): aws.sns.Topic {
  const [first] = control;
  if (first === undefined) throw new Error("no control region");
  const provider = providerFor(CANARY_ALARM_REGION);
  const topic = new aws.sns.Topic(
    logicalName("CanaryAlarms", CANARY_ALARM_REGION),
    { name: canaryTopicName(`${settings.config.name}-${$app.stage}`) },
    { provider },
  );
  const permission = new aws.lambda.Permission(
    logicalName("CanaryNotifyPermission", first.region),
    {
      action: "lambda:InvokeFunction",
      function: first.notifierArn,
      principal: "sns.amazonaws.com",
      sourceArn: topic.arn,
    },
    { provider: providerFor(first.region) },
  );
  new aws.sns.TopicSubscription(
    logicalName("CanaryNotify", CANARY_ALARM_REGION),
    { topic: topic.arn, protocol: "lambda", endpoint: first.notifierArn },
    { provider, dependsOn: [permission] },
  );
  return topic;
}
