import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";

/** Puts alarm `name` in the emulator's CloudWatch in `region`, in `state` (moto stores alarms but never evaluates them). */
export async function putAlarmState(
  emulatorUrl: string,
  region: string,
  name: string,
  state: "OK" | "ALARM",
): Promise<void> {
  const client = new CloudWatchClient({
    region,
    endpoint: emulatorUrl,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await client.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: "App",
      MetricName: "Errors",
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: "GreaterThanThreshold",
    }),
  );
  await client.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: "test" }));
}
