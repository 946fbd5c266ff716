import { describe, expect, it } from "vitest";
import { awsFailure, failureCodes } from "../../../functions/lib/aws/failure.ts";

const hints = { throttled: "wait", unavailable: "later", "bad-answer": "endpoint?", rejected: "permissions?" };
const spec = {
  service: "CloudWatch",
  operation: "PutMetricData",
  where: "in us-east-2",
  codes: failureCodes("CLOUDWATCH"),
  hints,
};

describe("awsFailure", () => {
  it("names the service, operation, place, attempts and cause of a throttled call, with its code and hint", () => {
    // Prepare
    const cause = Object.assign(new Error("Rate exceeded"), { name: "Throttling", $metadata: { httpStatusCode: 400 } });
    // Act
    const failure = awsFailure(spec, { kind: "throttled", attempts: 3, elapsedMs: 1200, cause });
    // Assess
    expect(failure).toEqual({
      code: "CLOUDWATCH_THROTTLED",
      message:
        "CloudWatch PutMetricData in us-east-2 was throttled (3 attempts in 1200 ms): Throttling (HTTP 400): Rate exceeded",
      options: { cause, hint: "wait" },
    });
  });

  it("says a refused call was refused, with the rejected code and hint", () => {
    // Act
    const failure = awsFailure(
      { ...spec, where: undefined },
      { kind: "rejected", attempts: 1, elapsedMs: 5, cause: new Error("no") },
    );
    // Assess
    expect([failure.code, failure.message, failure.options.hint]).toEqual([
      "CLOUDWATCH_REJECTED",
      "CloudWatch PutMetricData was refused: Error: no",
      "permissions?",
    ]);
  });
});
