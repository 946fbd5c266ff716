import type { AwsCall, FaultRule, Fault as ProxyFault } from "../emulator/aws-fault-proxy.ts";
import {
  cloudwatchDownRegions,
  votesDownRegions,
  controlRegionsDown,
  route53ApiDown,
  signalStoresUnwritable,
  type Fault,
} from "../offline/scenario.ts";

/** What the scenario's AWS faults do to one API call of the system's own parts. */
export type AwsCallFate =
  | "route53-down"
  | "region-down"
  | "cloudwatch-down"
  | "votes-down"
  | "signal-write-down"
  | "passed";

/**
 * The fate of one AWS API call the system makes (deciders, probes, the
 * manual function, the notifier, the signal endpoints) at scenario second
 * `second`: every Route 53 call fails while `route53-api-down` is active;
 * every call signed for a region lost to `control-region-down` fails (Route 53
 * excepted: a global service, it signs every call for us-east-1); every
 * CloudWatch call signed for a region fails while that region has
 * `cloudwatch-down`; every DynamoDB call (the votes table) signed for a region
 * fails while that region has `votes-down`; every SSM write signed for a region fails while its
 * signal store is down (`signal-store-down`), its reads pass. Anything else
 * passes. Pure.
 */
export function awsCallFate(faults: readonly Fault[], second: number, call: AwsCall): AwsCallFate {
  if (call.service === "route53") return route53ApiDown(faults, second) ? "route53-down" : "passed";
  if (call.region === undefined) return "passed";
  if (controlRegionsDown(faults, second).has(call.region)) return "region-down";
  if (call.service === "monitoring" && cloudwatchDownRegions(faults, second).has(call.region)) return "cloudwatch-down";
  if (call.service === "dynamodb" && votesDownRegions(faults, second).has(call.region)) return "votes-down";
  if (call.service === "ssm" && isSsmWrite(call) && signalStoresUnwritable(faults, second).has(call.region))
    return "signal-write-down";
  return "passed";
}

/**
 * Whether an SSM call changes the store: every operation but the reads
 * (`Get*`, `Describe*`, `List*`). A call with no operation (no
 * `X-Amz-Target`) counts as a write, so a store that is down never takes one.
 */
function isSsmWrite(call: AwsCall): boolean {
  return !/^(Get|Describe|List)/.test(call.operation ?? "");
}

/** How a failed call fails: HTTP 503 in the service's protocol, as an AWS outage answers (the adapters retry, then give up). */
export const OUTAGE_ANSWER: ProxyFault = { kind: "status", status: 503 };

/** Counts of the system's AWS calls during the drill, by fate; Route 53 calls also by whether its API was down. */
export interface AwsCallCounts {
  /** Route 53 calls failed because its API was down (all of them, while it is). */
  route53Failed: number;
  /** Route 53 calls that reached the emulator (none while its API is down). */
  route53Passed: number;
  /** Calls (any service but Route 53) failed because they were signed for a control region lost to `control-region-down`. */
  regionDownFailed: number;
  /** CloudWatch calls failed because their region's CloudWatch was down. */
  cloudwatchFailed: number;
  /** Votes table (DynamoDB) calls failed because their region's table was down (`votes-down`). */
  votesFailed: number;
  /** SSM writes (signal documents) failed because their region's signal store was down (`signal-store-down`). */
  signalWritesFailed: number;
  /** Every other call, passed. */
  otherPassed: number;
}

/** Adds one call's fate to the counts. */
export function countCall(counts: AwsCallCounts, call: AwsCall, fate: AwsCallFate): void {
  if (fate === "route53-down") counts.route53Failed++;
  else if (fate === "region-down") counts.regionDownFailed++;
  else if (fate === "cloudwatch-down") counts.cloudwatchFailed++;
  else if (fate === "votes-down") counts.votesFailed++;
  else if (fate === "signal-write-down") counts.signalWritesFailed++;
  else if (call.service === "route53") counts.route53Passed++;
  else counts.otherPassed++;
}

/** No calls yet. */
export function noCalls(): AwsCallCounts {
  return {
    route53Failed: 0,
    route53Passed: 0,
    regionDownFailed: 0,
    cloudwatchFailed: 0,
    votesFailed: 0,
    signalWritesFailed: 0,
    otherPassed: 0,
  };
}

/**
 * The AWS fault proxy's rule for a scenario: each call gets {@link awsCallFate}
 * at the scenario second `elapsedSeconds()` says, is counted in `counts`,
 * and fails with {@link OUTAGE_ANSWER} unless it passes.
 */
export function awsFaultRule(faults: readonly Fault[], elapsedSeconds: () => number, counts: AwsCallCounts): FaultRule {
  return (call) => {
    const fate = awsCallFate(faults, elapsedSeconds(), call);
    countCall(counts, call, fate);
    return fate === "passed" ? undefined : OUTAGE_ANSWER;
  };
}
