import type { MetricsBus } from "../aws/cloudwatch.ts";
import type { FailoverConfig } from "../config.ts";
import {
  CANARY_ALARM_REGION,
  canaryAlarmDifferences,
  canaryAlarmName,
  canaryAlarmSpec,
} from "../dataplane/canary-alarm.ts";
import { describeError } from "../errors.ts";
import type { BrokenLink } from "../dataplane-link/link.ts";

/** What `failover init` did to the canary alarms. */
export interface CanaryAlarmsResult {
  /** Alarms created or put right now ("<name>: Dimensions" names what differed; "<name>: created"). */
  put: string[];
  /** Alarms that were already as wanted. */
  unchanged: string[];
  problems: string[];
}

/**
 * Puts the canary alarm of every control region (us-east-1, where Route 53's
 * metrics are) on that region's canary check, announcing to the canary topic:
 * created when missing, put right when anything differs (a check that init
 * replaced moves its alarm at once), left alone when it is as wanted, so a
 * rerun writes nothing. A failure is a problem in the answer, never a
 * failed init (the checks and records are in place by then).
 */
export async function ensureCanaryAlarms(
  bus: MetricsBus,
  config: FailoverConfig,
  canaryChecks: Readonly<Record<string, string>>,
  topicArn: string | undefined,
): Promise<CanaryAlarmsResult> {
  const result: CanaryAlarmsResult = { put: [], unchanged: [], problems: [] };
  if (topicArn === undefined)
    result.problems.push(
      "canary alarms have no action (no FAILOVER_ALERT_TOPICS to find the us-east-1 canary topic): they fire, but Slack is not told; run init where FAILOVER_ALERT_TOPICS is set (the manual function has it)",
    );
  for (const [region, checkId] of Object.entries(canaryChecks)) {
    const want = canaryAlarmSpec(config, region, checkId, topicArn);
    try {
      const have = await bus.metricAlarm(CANARY_ALARM_REGION, want.AlarmName);
      const differs = have === undefined ? ["created"] : canaryAlarmDifferences(want, have);
      if (differs.length === 0) {
        result.unchanged.push(want.AlarmName);
        continue;
      }
      await bus.putMetricAlarm(CANARY_ALARM_REGION, want);
      result.put.push(`${want.AlarmName}: ${differs.join(", ")}`);
    } catch (error) {
      result.problems.push(`canary alarm ${want.AlarmName} not put in ${CANARY_ALARM_REGION}: ${describeError(error)}`);
    }
  }
  return result;
}

/**
 * `verify`'s part: each control region's canary alarm exists in us-east-1,
 * watches that region's current canary check (`canaryChecks`; a region
 * without a check is named by the check's own link) and announces to the
 * canary topic. Reads only.
 */
export async function canaryAlarmProblems(
  bus: MetricsBus,
  config: FailoverConfig,
  canaryChecks: Readonly<Record<string, string>>,
  topicArn: string | undefined,
  init: string,
): Promise<{ broken: BrokenLink[]; problems: string[] }> {
  const broken: BrokenLink[] = [];
  const problems: string[] = [];
  for (const region of config.controlRegions) {
    const checkId = canaryChecks[region];
    if (checkId === undefined) continue;
    const name = canaryAlarmName(config, region);
    try {
      const have = await bus.metricAlarm(CANARY_ALARM_REGION, name);
      if (have === undefined) {
        broken.push({
          link: "alarm",
          message: `canary alarm ${name} missing in ${CANARY_ALARM_REGION}: a broken signal path in ${region} would go unnoticed`,
          fix: init,
        });
        continue;
      }
      const want = canaryAlarmSpec(config, region, checkId, topicArn ?? have.AlarmActions?.[0]);
      const wrong = canaryAlarmDifferences(want, have).filter((key) => key !== "AlarmDescription");
      if (wrong.length > 0)
        broken.push({
          link: "alarm",
          message: `canary alarm ${name} in ${CANARY_ALARM_REGION} is not as init puts it (${wrong.join(", ")}): ${wrong.includes("Dimensions") ? `it watches ${JSON.stringify(have.Dimensions)}, not the canary check ${checkId}` : "it may never fire, or fire for nothing"}`,
          fix: init,
        });
    } catch (error) {
      problems.push(`canary alarms in ${CANARY_ALARM_REGION} unreadable: ${describeError(error)}`);
      break;
    }
  }
  return { broken, problems };
}
