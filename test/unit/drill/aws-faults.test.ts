import { describe, expect, it } from "vitest";
import { awsCallFate, countCall, noCalls } from "../../../drill/aws-faults.ts";
import type { DrillFault } from "../../../drill/faults.ts";

const faults: DrillFault[] = [
  { start: 0, end: 600, kind: "route53-api-down" },
  { start: 300, end: 400, kind: "cloudwatch-down", region: "us-west-2" },
  { start: 100, end: 200, target: "primary", kind: "down" },
  { start: 700, end: 800, kind: "control-region-down", region: "us-west-1" },
  { start: 900, end: 1000, kind: "signal-store-down", region: "us-east-2" },
];
const route53 = { method: "GET", path: "/2013-04-01/hostedzone/Z1/rrset", service: "route53", region: "us-east-1" };
const cloudwatch = (region: string) => ({ method: "POST", path: "/", service: "monitoring", region });
const ssm = (region: string, operation: string) => ({ method: "POST", path: "/", service: "ssm", region, operation });

describe("drill AWS faults", () => {
  it("fails every Route 53 call while its API is down, from the first second to the last, and none after", () => {
    expect(awsCallFate(faults, 0, route53)).toBe("route53-down");
    expect(awsCallFate(faults, 599.9, route53)).toBe("route53-down");
    expect(awsCallFate(faults, 600, route53)).toBe("passed");
  });

  it("fails CloudWatch calls signed for the region whose CloudWatch is down, not the other region's", () => {
    expect(awsCallFate(faults, 350, cloudwatch("us-west-2"))).toBe("cloudwatch-down");
    expect(awsCallFate(faults, 350, cloudwatch("us-east-2"))).toBe("passed");
    expect(awsCallFate(faults, 400, cloudwatch("us-west-2"))).toBe("passed");
  });

  it("lets other services and unsigned requests through during every fault", () => {
    expect(awsCallFate(faults, 350, { method: "POST", path: "/", service: "ssm", region: "us-west-2" })).toBe("passed");
    expect(awsCallFate(faults, 350, { method: "GET", path: "/", service: undefined, region: undefined })).toBe(
      "passed",
    );
  });

  it("fails every call signed for a lost control region, whatever the service, while it is lost and none after", () => {
    for (const call of [
      ssm("us-west-1", "GetParameters"),
      ssm("us-west-1", "PutParameter"),
      cloudwatch("us-west-1"),
      { method: "POST", path: "/", service: "sns", region: "us-west-1" },
    ]) {
      expect(awsCallFate(faults, 700, call)).toBe("region-down");
      expect(awsCallFate(faults, 799.9, call)).toBe("region-down");
      expect(awsCallFate(faults, 800, call)).toBe("passed");
    }
    expect(awsCallFate(faults, 750, ssm("us-east-2", "PutParameter"))).toBe("passed");
  });

  it("lets Route 53 calls through while a control region is lost (a global service, signed for us-east-1)", () => {
    expect(awsCallFate(faults, 750, { ...route53, region: "us-west-1" })).toBe("passed");
  });

  it("fails the SSM writes signed for a region whose signal store is down, and lets its reads through", () => {
    for (const operation of ["PutParameter", "DeleteParameter", "DeleteParameters", undefined])
      expect(awsCallFate(faults, 950, { ...ssm("us-east-2", ""), operation })).toBe("signal-write-down");
    for (const operation of ["GetParameter", "GetParameters", "GetParametersByPath", "DescribeParameters"])
      expect(awsCallFate(faults, 950, ssm("us-east-2", operation))).toBe("passed");
    expect(awsCallFate(faults, 950, ssm("us-west-1", "PutParameter"))).toBe("passed");
    expect(awsCallFate(faults, 950, cloudwatch("us-east-2"))).toBe("passed");
    expect(awsCallFate(faults, 1000, ssm("us-east-2", "PutParameter"))).toBe("passed");
  });

  it("fails the votes table's calls signed for a region whose votes are down, and no other service's", () => {
    const votesDown: DrillFault[] = [{ start: 100, end: 200, kind: "votes-down", region: "us-east-2" }];
    const dynamodb = (region: string) => ({
      method: "POST",
      path: "/",
      service: "dynamodb",
      region,
      operation: "Query",
    });
    expect(awsCallFate(votesDown, 150, dynamodb("us-east-2"))).toBe("votes-down");
    expect(awsCallFate(votesDown, 150, dynamodb("us-west-1"))).toBe("passed");
    expect(awsCallFate(votesDown, 250, dynamodb("us-east-2"))).toBe("passed");
    expect(awsCallFate(votesDown, 150, cloudwatch("us-east-2"))).toBe("passed");
  });

  it("counts each call by its fate, Route 53 calls that passed apart from the rest", () => {
    const counts = noCalls();
    for (const [second, call] of [
      [10, route53],
      [700, route53],
      [350, cloudwatch("us-west-2")],
      [350, cloudwatch("us-east-2")],
      [750, ssm("us-west-1", "GetParameters")],
      [950, ssm("us-east-2", "PutParameter")],
      [950, ssm("us-east-2", "GetParameters")],
    ] as const)
      countCall(counts, call, awsCallFate(faults, second, call));
    expect(counts).toEqual({
      route53Failed: 1,
      route53Passed: 1,
      regionDownFailed: 1,
      cloudwatchFailed: 1,
      votesFailed: 0,
      signalWritesFailed: 1,
      otherPassed: 2,
    });
  });
});
