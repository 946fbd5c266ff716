import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../functions/lib/errors.ts";
import { parseScenario } from "../../../offline/scenario.ts";

const base = { name: "s", durationSeconds: 60 };
const issuesOf = (manual: unknown[]) => {
  try {
    parseScenario({ ...base, manual });
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  return [];
};

describe("a scenario's manual steps through Slack", () => {
  it("takes a status step only via slack, naming the field", () => {
    expect(issuesOf([{ at: 1, action: "status", via: "slack" }])).toEqual([]);
    expect(issuesOf([{ at: 1, action: "status" }])).toEqual([
      { path: "manual[0].action", message: expect.stringContaining('only via "slack"') },
    ]);
  });

  it("still needs a reason for a change, whichever way it is sent", () => {
    expect(issuesOf([{ at: 1, action: "release", via: "slack" }])).toEqual([
      { path: "manual[0].reason", message: expect.stringContaining("is required for release") },
    ]);
  });

  it("refuses a way of sending other than cli or slack", () => {
    expect(issuesOf([{ at: 1, action: "release", reason: "r", via: "email" }])).toEqual([
      expect.objectContaining({ path: "manual[0].via" }),
    ]);
  });
});
