import { alarmDefinitions } from "../functions/lib/alarms.ts";
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
