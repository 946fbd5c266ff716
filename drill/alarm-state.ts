/**
 * CloudWatch alarm evaluation, as pure functions: moto stores alarms but
 * never evaluates them, so the drill evaluates the same definitions the
 * stacks deploy (functions/lib/alarms.ts) against the emulator's metrics.
 *
 * Follows CloudWatch's documented "M out of N" rule: the alarm looks at the
 * last `evaluationPeriods` complete periods; a missing period counts as
 * breaching or not per `treatMissingData` (`missing`/`ignore`: it is left
 * out); ALARM when at least `datapointsToAlarm` periods breach, OK when
 * enough data says otherwise, INSUFFICIENT_DATA when nothing is there
 * (`ignore` keeps the current state instead).
 */

/** The fields of an alarm definition evaluation needs (a subset of `AlarmDefinition`). */
export interface EvaluatedAlarm {
  threshold: number;
  comparisonOperator:
    | "GreaterThanOrEqualToThreshold"
    | "GreaterThanThreshold"
    | "LessThanThreshold"
    | "LessThanOrEqualToThreshold";
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: "breaching" | "notBreaching" | "missing" | "ignore";
}

export type AlarmStateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmEvaluation {
  state: AlarmStateValue;
  /** CloudWatch-style reason, e.g. `Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than or equal to the threshold (1.0)`. */
  reason: string;
}

const operatorText: Record<EvaluatedAlarm["comparisonOperator"], string> = {
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  GreaterThanThreshold: "greater than",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

/** True when `value` breaches the alarm's threshold. */
export function breaches(alarm: EvaluatedAlarm, value: number): boolean {
  switch (alarm.comparisonOperator) {
    case "GreaterThanOrEqualToThreshold":
      return value >= alarm.threshold;
    case "GreaterThanThreshold":
      return value > alarm.threshold;
    case "LessThanThreshold":
      return value < alarm.threshold;
    case "LessThanOrEqualToThreshold":
      return value <= alarm.threshold;
  }
}

/**
 * Evaluates one alarm.
 *
 * @param datapoints - one value per period, oldest first, `undefined` where no data, `null` for a period
 *   known to be fine (before the drill started, when the deployment ran healthy); only the last `evaluationPeriods` are used
 * @param current - the alarm's state before this evaluation
 */
export function evaluateAlarm(
  alarm: EvaluatedAlarm,
  datapoints: ReadonlyArray<number | undefined | null>,
  current: AlarmStateValue,
): AlarmEvaluation {
  const window = datapoints.slice(-alarm.evaluationPeriods);
  while (window.length < alarm.evaluationPeriods) window.unshift(undefined);
  const present = window.filter((value): value is number => typeof value === "number");
  const healthy = window.filter((value) => value === null).length;
  const missing = window.length - present.length - healthy;
  let breaching = present.filter((value) => breaches(alarm, value)).length;
  let counted = present.length + healthy;
  if (alarm.treatMissingData === "breaching") {
    breaching += missing;
    counted += missing;
  } else if (alarm.treatMissingData === "notBreaching") {
    counted += missing;
  }
  const shown = `[${window.map((value) => (value === undefined ? "missing" : value === null ? "before start" : value.toFixed(1))).join(", ")}]`;
  const rule = `${operatorText[alarm.comparisonOperator]} the threshold (${alarm.threshold.toFixed(1)})`;
  if (counted === 0) {
    if (alarm.treatMissingData === "ignore")
      return { state: current, reason: "no datapoints: state kept (treatMissingData ignore)" };
    return {
      state: "INSUFFICIENT_DATA",
      reason: `Insufficient Data: ${alarm.evaluationPeriods} datapoints were unknown.`,
    };
  }
  if (breaching >= alarm.datapointsToAlarm) {
    return {
      state: "ALARM",
      reason: `Threshold Crossed: ${breaching} out of the last ${window.length} datapoints ${shown} ${breaching === 1 ? "was" : "were"} ${rule}.`,
    };
  }
  return {
    state: "OK",
    reason: `Threshold Crossed: ${counted - breaching} out of the last ${window.length} datapoints ${shown} ${counted - breaching === 1 ? "was" : "were"} not ${rule}.`,
  };
}
