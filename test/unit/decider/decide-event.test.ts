import { describe, expect, it } from "vitest";
import { handler as decideHandler } from "../../../functions/decide.ts";
import { checkDecideEvent } from "../../../functions/lib/decider/decide-event.ts";

describe("decider event", () => {
  it("accepts the schedule's EventBridge event, an empty object and no payload", () => {
    const scheduled = {
      version: "0",
      id: "e1",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      time: "2025-08-06T12:00:00Z",
      region: "us-east-2",
      resources: [],
      detail: {},
    };

    const checks = [scheduled, {}, undefined, null].map((event) => () => checkDecideEvent(event));

    for (const check of checks) expect(check).not.toThrow();
  });

  it.each([
    ["a hand-made dry-run flag", { dryRun: true }, /dryRun: unknown field/],
    ["another service's event", { source: "aws.s3" }, /source: expected one of "aws.events", got "aws.s3"/],
    ["a bare string", "run", /\(root\): expected object, got "run"/],
  ])("refuses %s naming the field, with what to do instead", (_name, event, field) => {
    expect(() => checkDecideEvent(event)).toThrow(field);
    expect(() => checkDecideEvent(event)).toThrow(
      expect.objectContaining({ code: "INVALID_INPUT", hint: expect.stringContaining("FAILOVER_DRY_RUN=1") }),
    );
  });

  it("the Lambda handler refuses a malformed event before it reads its config or runs a round", async () => {
    // Prepare: no FAILOVER_CONFIG is needed, since nothing past the check runs.
    const event = { dryRun: true };

    // Act
    const invoked = decideHandler(event);

    // Assess
    await expect(invoked).rejects.toThrow(/invalid decider event:\n {2}dryRun: unknown field/);
  });
});
