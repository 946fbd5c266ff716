import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/lib/config.ts";
import { parseManualEvent } from "../../../functions/lib/manual/event.ts";
import { exampleConfig } from "../policy/helpers.ts";

const config = loadConfig();

describe("manual events", () => {
  it("accepts a promote with the fields it needs", () => {
    expect(
      parseManualEvent({ action: "promote", target: "failover", reason: "r", ttlSeconds: 600, actor: "alice" }, config),
    ).toEqual({ action: "promote", target: "failover", reason: "r", ttlSeconds: 600, actor: "alice" });
  });

  it("takes a practice start without a target, and refuses one outside practice.targets or without a practice block", () => {
    // Prepare
    const practice = exampleConfig({
      practice: { targets: ["primary"], outcomeAlarms: [{ name: "app-5xx", region: "us-west-2" }] },
    });
    const start = { action: "practice-start", reason: "game day", actor: "alice" };

    // Act + Assess
    expect(parseManualEvent(start, practice)).toEqual(start);
    expect(() => parseManualEvent({ ...start, target: "failover" }, practice)).toThrow(
      'target: expected one of practice.targets (primary), got "failover"',
    );
    expect(() => parseManualEvent({ ...start, action: "practice-cancel" }, config)).toThrow(
      "action: practice runs are not configured",
    );
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

  it.each([
    ["zero-width spaces", "\u200b\u200b\u200b"],
    ["a word joiner, a byte-order mark and spaces", "\u2060 \ufeff "],
  ])("refuses a reason of only invisible characters (%s), naming the field", (_what, reason) => {
    expect(() => parseManualEvent({ action: "promote", target: "failover", reason, actor: "alice" }, config)).toThrow(
      "reason: expected a non-empty reason: it holds only invisible characters (zero-width spaces, joiners or other format characters)",
    );
  });

  it("refuses an actor of only invisible characters, naming the field", () => {
    expect(() =>
      parseManualEvent({ action: "promote", target: "failover", reason: "r", actor: "\u200d\u200c" }, config),
    ).toThrow(/actor: expected who asks .*only invisible characters/);
  });

  it("refuses a lone UTF-16 surrogate in the reason and the actor before anything reaches SSM or Slack", () => {
    // Prepare: as a Lambda event arrives, parsed from JSON that escapes half of a character
    const event = JSON.parse(
      '{"action":"promote","target":"failover","reason":"use1 \\ud83d down","actor":"alice\\udc00"}',
    );
    // Act + Assess
    expect(() => parseManualEvent(event, config)).toThrow(
      /reason: expected well-formed Unicode text: it holds a lone UTF-16 surrogate[\s\S]*actor: expected well-formed Unicode text/,
    );
  });

  it("accepts a reason with an emoji and a zero-width joiner among visible text", () => {
    expect(
      parseManualEvent({ action: "promote", target: "failover", reason: "use1 🔥\u200d 5xx", actor: "a" }, config),
    ).toMatchObject({ reason: "use1 🔥\u200d 5xx" });
  });
  it("takes dryRun only for init, naming the field otherwise", () => {
    expect(parseManualEvent({ action: "init", actor: "a", dryRun: true }, config)).toMatchObject({ dryRun: true });
    expect(() =>
      parseManualEvent({ action: "promote", target: "failover", reason: "r", actor: "a", dryRun: true }, config),
    ).toThrow(/dryRun: is not used by promote; leave it out/);
    expect(() => parseManualEvent({ action: "init", actor: "a", dryRun: "yes" }, config)).toThrow(
      /dryRun: expected one of true, got "yes"/,
    );
  });
});
