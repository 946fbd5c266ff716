import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../../cli/manual/duration.ts";
import type { ZoneSnapshot } from "../../../functions/lib/records/zone-snapshot.ts";
import { encodeTxtJson } from "../../../functions/lib/records/txt.ts";
import { loadConfig } from "../../../functions/lib/config.ts";
import { handler as decideHandler } from "../../../functions/decide.ts";
import { checkDecideEvent } from "../../../functions/lib/control/decide-event.ts";
import { parseManualEvent } from "../../../functions/lib/control/manual-event.ts";
import { deciderOffsetMs, planDecisionRounds } from "../../../functions/lib/control/schedule.ts";
import { describeShift, zoneChangeFor } from "../../../functions/lib/control/zone-change.ts";
import type { Decision } from "../../../functions/lib/policy/decide.ts";
import type { StateDocument, SwitchEvent } from "../../../functions/lib/state.ts";

const config = loadConfig();

describe("lease durations", () => {
  it.each([
    ["600", 600],
    ["90s", 90],
    ["10m", 600],
    ["2h", 7200],
    ["1d", 86400],
    ["2d", 172800],
    ["2 days", 172800],
    ["1.5h", 5400],
    ["1h30m", 5400],
    ["1w", 604800],
  ])("reads %s as %i seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(["", "0", "-5", "10x", "1.5", "m", "2 fortnights"])(
    "refuses %j naming --ttl and the accepted forms",
    (text) => {
      expect(() => parseDuration(text)).toThrow(
        "--ttl: expected a duration such as 600 (seconds), 90s, 10m, 1.5h, 2h, 1h30m, 2d, 1w (units s, m, h, d, w, or spelled out)",
      );
    },
  );

  it("formats durations for people", () => {
    expect([formatDuration(600), formatDuration(5400), formatDuration(45), formatDuration(-120)]).toEqual([
      "10m",
      "1h 30m",
      "45s",
      "-2m",
    ]);
  });
});

describe("decider schedule", () => {
  it("runs a few seconds after each aligned probe round, and not past the budget", () => {
    const minute = Date.UTC(2025, 7, 6, 12, 0, 0);

    const starts = planDecisionRounds(config, minute + 300, 55_000);

    expect(deciderOffsetMs(config)).toBe(3500);
    expect(starts.map((start) => (start - minute) / 1000)).toEqual([3.5, 13.5, 23.5, 33.5, 43.5]);
  });

  it("still takes the current slot when the invocation starts a little late", () => {
    const minute = Date.UTC(2025, 7, 6, 12, 0, 0);

    const starts = planDecisionRounds(config, minute + 7000, 20_000);

    expect(starts.map((start) => (start - minute) / 1000)).toEqual([3.5, 13.5, 23.5]);
  });
});

describe("zone changes", () => {
  const snapshot = { weights: { primary: 90, failover: 10 } } as unknown as ZoneSnapshot;
  const decision = (changed: boolean, reason = "primary down"): Decision => ({
    weights: changed ? { primary: 0, failover: 100 } : { primary: 90, failover: 10 },
    changed,
    memory: { v: 1, targets: {}, drains: {} },
    memoryChanged: false,
    kind: changed ? "drain" : "steady",
    reason,
    verdicts: {
      primary: {
        health: "down",
        upVotes: ["eu-west-1"],
        downVotes: ["us-east-1", "us-west-2"],
        silent: [],
        setAside: [],
        unanimous: false,
        suspects: [],
        at: 0,
        downRounds: 2,
        upSeconds: 0,
      },
    },
    changes: [],
    allDown: false,
    flapHeld: [],
    leaseActive: false,
    suspects: [],
    attention: true,
  });

  it("writes nothing when neither weights nor memory change", () => {
    const doc: StateDocument = { v: 1, memory: { v: 1, targets: {}, drains: {} }, switches: [] };

    expect(zoneChangeFor(decision(false), snapshot, { now: 100, doc, mode: "automatic" })).toBeUndefined();
  });

  it("records a switch event with the votes beside the new weights", () => {
    const change = zoneChangeFor(decision(true), snapshot, { now: 100, doc: undefined, mode: "automatic" });

    expect(change?.weights).toEqual({ primary: 0, failover: 100 });
    expect((change!.state as StateDocument).switches).toEqual([
      {
        at: 100,
        mode: "automatic",
        from: { primary: 90, failover: 10 },
        to: { primary: 0, failover: 100 },
        reason: "primary down",
        votes: { primary: { "eu-west-1": "up", "us-east-1": "down", "us-west-2": "down" } },
      },
    ]);
  });

  it("keeps the state document within one TXT record by shortening reasons and dropping the oldest events", () => {
    const old: SwitchEvent = {
      at: 1,
      mode: "manual",
      from: { primary: 90 },
      to: { primary: 0 },
      reason: '"quoted" → '.repeat(90),
      votes: {},
      actor: "alice",
    };
    const doc: StateDocument = { v: 1, memory: { v: 1, targets: {}, drains: {} }, switches: [old, old, old, old, old] };

    const change = zoneChangeFor(decision(true, "x".repeat(2000)), snapshot, { now: 100, doc, mode: "automatic" });

    const state = change?.state as StateDocument;
    expect(() => encodeTxtJson(state)).not.toThrow();
    expect(state.switches[0]?.reason.length).toBeLessThanOrEqual(240);
    expect(state.switches.length).toBeLessThan(5);
  });

  it("describes a shift target by target", () => {
    expect(describeShift({ primary: 90, failover: 10 }, { primary: 0, failover: 100 }, ["primary", "failover"])).toBe(
      "primary 90 → 0, failover 10 → 100",
    );
    expect(describeShift({ primary: 90 }, { primary: 90 }, ["primary"])).toBe("no change");
  });
});

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
