import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/lib/config.ts";
import { parseManualEvent } from "../../../functions/lib/control/manual-event.ts";

const config = loadConfig();

describe("manual events", () => {
  it("accepts a promote with the fields it needs", () => {
    expect(
      parseManualEvent({ action: "promote", target: "failover", reason: "r", ttlSeconds: 600, actor: "alice" }, config),
    ).toEqual({ action: "promote", target: "failover", reason: "r", ttlSeconds: 600, actor: "alice" });
  });

  it("lists every problem of a bad event by field", () => {
    expect(() =>
      parseManualEvent(
        { action: "pin", weights: { primary: 0, failover: 0 }, ttlSeconds: 999_999, actor: "a" },
        config,
      ),
    ).toThrow(/weights: expected at least one weight above 0[\s\S]*reason: is required for pin/);
  });

  it("refuses a __proto__ key among a pin's weights instead of dropping it silently", () => {
    // Prepare: as a Lambda event arrives, parsed from JSON
    const event = JSON.parse(
      '{"action":"pin","actor":"a","reason":"r","weights":{"primary":0,"failover":100,"__proto__":7}}',
    );
    // Act + Assess
    expect(() => parseManualEvent(event, config)).toThrow(/weights\.__proto__: refused/);
  });

  it("refuses a reason and actor whose audit entry would not fit one SSM parameter, naming the limit", () => {
    // Prepare: control characters are stored as \u00XX, 6 bytes each: 500 of them and 128 in the actor overflow 4 KB
    const event = { action: "release", reason: "\u0001".repeat(500), actor: "\u0002".repeat(128) };
    // Act + Assess
    expect(() => parseManualEvent(event, config)).toThrow(
      "reason: with the actor takes 4583 bytes in the audit entry (an SSM parameter, at most 4096 bytes; control characters take 6 each): shorten it",
    );
  });

  it("accepts the longest printable reason and actor, which fit the audit entry", () => {
    const event = { action: "release", reason: "é".repeat(500), actor: "ü".repeat(128) };
    expect(parseManualEvent(event, config)).toMatchObject({ reason: "é".repeat(500) });
  });
});
