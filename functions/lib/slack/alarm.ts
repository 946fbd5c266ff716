import * as z from "zod";
import type { AlarmDefinition } from "../alarms.ts";
import { Metric } from "../metrics.ts";

/**
 * The CloudWatch alarm notification SNS delivers (the `Message` string, JSON).
 * Only the fields the notifier uses; AWS adds more and they are ignored.
 */
const alarmMessageSchema = z.lazy(() =>
  z.object({
    AlarmName: z.string().min(1),
    AlarmDescription: z.string().nullish(),
    NewStateValue: z.enum(["ALARM", "OK", "INSUFFICIENT_DATA"]),
    OldStateValue: z.string().nullish(),
    NewStateReason: z.string().nullish(),
    StateChangeTime: z.string().min(1),
    Region: z.string().nullish(),
    Trigger: z
      .object({
        MetricName: z.string().nullish(),
        Namespace: z.string().nullish(),
        Dimensions: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
      })
      .nullish(),
  }),
);

export type CloudWatchAlarmMessage = z.output<typeof alarmMessageSchema>;
export type AlarmKind = AlarmDefinition["kind"];

/** Reads an SNS message as a CloudWatch alarm notification; `undefined` when it is something else (shown as plain text). */
export function parseAlarmMessage(text: string): CloudWatchAlarmMessage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = alarmMessageSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

const regionPattern = "[a-z]{2}(?:-gov)?-[a-z]+-\\d";
const byName: Array<[RegExp, AlarmKind]> = [
  [/-switchover$/, "switchover"],
  [/-all-down$/, "all-down"],
  [/-flap-budget$/, "flap-budget"],
  [/-override-long$/, "override-long"],
  [/-slack-refused$/, "slack-refused"],
  [new RegExp(`-decider-blind-(${regionPattern})$`), "decider-blind"],
  [new RegExp(`-vantage-silent-(${regionPattern})$`), "vantage-silent"],
  [new RegExp(`-vantage-suspect-(${regionPattern})$`), "vantage-suspect"],
  // One alarm per vantage and target, as deployments made them before one per vantage.
  [new RegExp(`-vantage-suspect-(${regionPattern})-([a-z][a-z0-9-]*)$`), "vantage-suspect"],
  [new RegExp(`-signal-write-failed-(${regionPattern})$`), "signal-write-failed"],
];
const byMetric: Record<string, AlarmKind> = {
  [Metric.Switchover]: "switchover",
  [Metric.AllTargetsDown]: "all-down",
  [Metric.FlapBudgetSpent]: "flap-budget",
  [Metric.OverrideAgeSeconds]: "override-long",
  [Metric.SlackRequestRefused]: "slack-refused",
  [Metric.DeciderHeartbeat]: "decider-blind",
  [Metric.VantageHeartbeat]: "vantage-silent",
  [Metric.ProbeVotes]: "vantage-silent",
  [Metric.CanarySuccess]: "vantage-silent",
  [Metric.SuspectChecker]: "vantage-suspect",
  [Metric.SignalWriteFailed]: "signal-write-failed",
  [Metric.SignalUnsound]: "signal-stale-or-disagrees",
};

/**
 * Which of our alarms this is, from its name (`${config.name}-${key}`, see
 * functions/lib/alarms.ts), else from its metric; `region` for the
 * per-region kinds (decider-blind, vantage-silent, vantage-suspect, signal-write-failed),
 * `target` for a vantage-suspect alarm of one target (as deployed before one per vantage).
 */
export function alarmKind(
  alarm: CloudWatchAlarmMessage,
): { kind: AlarmKind; region?: string; target?: string } | undefined {
  for (const [pattern, kind] of byName) {
    const match = pattern.exec(alarm.AlarmName);
    if (match) return { kind, ...defined({ region: match[1], target: match[2] }) };
  }
  const kind = byMetric[alarm.Trigger?.MetricName ?? ""];
  if (kind === undefined) return undefined;
  const dimension = (...names: string[]) =>
    alarm.Trigger?.Dimensions?.find((candidate) => names.includes(candidate.name))?.value;
  return { kind, ...defined({ region: dimension("ControlRegion", "Vantage"), target: dimension("Target") }) };
}

/** The fields that have a value (exactOptionalPropertyTypes-safe). */
function defined(fields: { region: string | undefined; target: string | undefined }): {
  region?: string;
  target?: string;
} {
  return {
    ...(fields.region === undefined ? {} : { region: fields.region }),
    ...(fields.target === undefined ? {} : { target: fields.target }),
  };
}
