import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import type { Clock } from "../../functions/lib/clock.ts";
import { createDecideHandler } from "../../functions/lib/decider/decider.ts";
import { practiceHistoryFor } from "../../functions/lib/practice-history.ts";
import type { FailoverEvent } from "../../functions/lib/slack/failover-event.ts";
import { capturedLog, type controlZone, patientRetry } from "./control-fixtures.ts";

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

/**
 * A decider of control region us-east-2 on `clock` that reads the practice
 * alarms and keeps the practice history in the emulator, with the events it
 * announces kept in `announced`.
 */
export function practiceDecider(
  emulatorUrl: string,
  zone: Pick<Awaited<ReturnType<typeof controlZone>>, "config" | "switcher" | "bus" | "channel">,
  clock: Clock,
) {
  const { config, switcher, bus, channel } = zone;
  const history = practiceHistoryFor(config, { endpoint: emulatorUrl, retry: patientRetry });
  const announced: FailoverEvent[] = [];
  const decider = createDecideHandler({
    config,
    controlRegion: "us-east-2",
    clock,
    switcher,
    bus: channel,
    log: capturedLog().log,
    practiceHistory: history,
    alarms: bus,
    announce: async (event) => {
      announced.push(event);
      return { region: "us-east-2", problems: [] };
    },
  });
  return { decider, history, announced };
}
