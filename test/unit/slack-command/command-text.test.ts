import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../functions/lib/errors.ts";
import { parseCommandText } from "../../../functions/lib/slack-command/command-text.ts";

describe("the /failover command text", () => {
  it.each([
    ["", { kind: "help" }],
    ["help", { kind: "help" }],
    ["status", { kind: "read", action: "status" }],
    ["  plan ", { kind: "read", action: "plan" }],
    ["drain primary", { kind: "change", action: "drain", target: "primary" }],
    ["promote failover", { kind: "change", action: "promote", target: "failover" }],
    ["release-hold primary", { kind: "change", action: "release-hold", target: "primary" }],
    ["release", { kind: "change", action: "release" }],
    ["pin primary=0,failover=100", { kind: "change", action: "pin", weights: { primary: 0, failover: 100 } }],
  ])("reads %j", (text, intent) => {
    expect(parseCommandText(text, "/failover")).toEqual(intent);
  });

  it.each([
    ["drain", "drain needs one target id"],
    ["drain primary failover", "drain needs one target id"],
    ["status now", "status takes no argument"],
    ["release primary", "release takes no argument"],
    ["pin primary:0", "pin needs target=weight pairs"],
    ["rm -rf", 'unknown action "rm"'],
  ])("refuses %j, naming the text field and showing the usage", (text, message) => {
    let error: unknown;
    try {
      parseCommandText(text, "/failover");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe("text");
    expect((error as ValidationError).issues[0]?.message).toContain(message);
    expect((error as ValidationError).hint).toContain("/failover status");
  });
});
