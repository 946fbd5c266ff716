import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import type { FailoverConfig } from "../functions/lib/config.ts";
import type { Scenario } from "../offline/scenario.ts";

/** Where the drill's emulator-side calls go: the emulator itself (not the system's fault proxy). */
interface Emulator {
  endpoint?: string | undefined;
}

/**
 * The application's alarms a practice run is judged by (config `practice`),
 * as the drill's stand-in for them: each created in the emulator's
 * CloudWatch in OK (moto stores alarms, never evaluates them), then set to
 * the scenario's `alarms` states at their times. The deciders read them
 * through the deployed adapter, as in AWS.
 */
export class PracticeAlarms {
  private readonly clients = new Map<string, CloudWatchClient>();

  constructor(
    private readonly config: FailoverConfig,
    private readonly emulator: Emulator,
  ) {}

  /** Creates every practice alarm, in OK. */
  async create(): Promise<void> {
    const practice = this.config.practice;
    if (practice === undefined) return;
    for (const alarm of [...practice.blockingAlarms, ...practice.outcomeAlarms]) {
      await this.client(alarm.region).send(
        new PutMetricAlarmCommand({
          AlarmName: alarm.name,
          Namespace: "DrillApplication",
          MetricName: alarm.name,
          Statistic: "Sum",
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "GreaterThanThreshold",
        }),
      );
      await this.set(alarm.region, alarm.name, "OK");
    }
  }

  /** Sets one alarm's state (SetAlarmState). */
  async set(region: string, name: string, state: Scenario["alarms"][number]["state"]): Promise<void> {
    await this.client(region).send(
      new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: "drill scenario step" }),
    );
  }

  private client(region: string): CloudWatchClient {
    let client = this.clients.get(region);
    if (client === undefined) {
      const credentials = { accessKeyId: "test", secretAccessKey: "test" };
      client = new CloudWatchClient({
        region,
        credentials,
        ...(this.emulator.endpoint ? { endpoint: this.emulator.endpoint } : {}),
      });
      this.clients.set(region, client);
    }
    return client;
  }
}
