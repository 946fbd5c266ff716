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
});
