import { describe, expect, it } from "vitest";
import { buildEventMessage } from "../../../functions/lib/slack/event-message.ts";
import { parseFailoverEvent, type FailoverEvent } from "../../../functions/lib/slack/failover-event.ts";

const base = {
  type: "regional-failover.event",
  v: 1,
  at: 1754447620,
  normal: { primary: 90, failover: 10 },
} as const;
const automatic = { mode: "automatic", controlRegion: "us-east-2" } as const;

describe("buildEventMessage", () => {
  it("tells a drain: what decided, why, the votes per vantage and from → to", () => {
    const event: FailoverEvent = {
      ...base,
      kind: "drain",
      by: automatic,
      reason:
        "drained primary: primary down from 2/3 vantages for 2 rounds (us-east-1, eu-west-1 failed; us-west-2 silent)",
      from: { primary: 90, failover: 10 },
      to: { primary: 0, failover: 100 },
      target: "primary",
      votes: { primary: { "us-east-1": "down", "eu-west-1": "down", "us-west-2": "silent" } },
      changeId: "C123",
    };
    expect(buildEventMessage(event)).toEqual({
      text: "Failover: primary drained: primary 90 → 0, failover 10 → 100. Decided by the decider in us-east-2: drained primary: primary down from 2/3 vantages for 2 rounds (us-east-1, eu-west-1 failed; us-west-2 silent).",
      blocks: [
        {
          type: "header",
          text: { type: "plain_text", text: ":rotating_light: Failover: primary drained", emoji: true },
        },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "*Why:* drained primary: primary down from 2/3 vantages for 2 rounds (us-east-1, eu-west-1 failed; us-west-2 silent)",
          },
          fields: [
            { type: "mrkdwn", text: "*Weights*\n`primary` 90 → 0\n`failover` 10 → 100" },
            { type: "mrkdwn", text: "*Decided by*\nautomatic policy, the decider in us-east-2" },
            { type: "mrkdwn", text: "*At*\n2025-08-06 02:33:40 UTC" },
          ],
        },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "*Votes*\n*primary*: :red_circle: us-east-1 down · :red_circle: eu-west-1 down · :white_circle: us-west-2 silent",
          },
        },
        {
          type: "context",
          elements: [{ type: "mrkdwn", text: "drain · normal weights primary 90, failover 10 · change C123" }],
        },
      ],
    });
  });

  it("tells each ramp step with its place in the ramp", () => {
    const message = buildEventMessage({
      ...base,
      kind: "ramp",
      by: automatic,
      reason: "primary ramp 10% → 25%",
      from: { primary: 9, failover: 91 },
      to: { primary: 23, failover: 77 },
      target: "primary",
      ramp: { percent: 25, step: 2, steps: 4 },
    });
    expect(message.text).toBe(
      "Failback: primary ramp step 2 of 4 (25% of its normal weight): primary 9 → 23, failover 91 → 77. Decided by the decider in us-east-2: primary ramp 10% → 25%.",
    );
  });

  it("says failback is complete only when every target is back at its normal weight, with the time on failover", () => {
    const done = buildEventMessage({
      ...base,
      kind: "restored",
      by: automatic,
      reason: "primary back to its normal weight after the ramp",
      from: { primary: 45, failover: 55 },
      to: { primary: 90, failover: 10 },
      target: "primary",
      outSeconds: 432,
    });
    expect(done.blocks[0]).toEqual({
      type: "header",
      text: {
        type: "plain_text",
        text: ":white_check_mark: Failback complete: primary back at its normal weight",
        emoji: true,
      },
    });
    expect(done.blocks[1]).toMatchObject({
      text: {
        text: "`primary` back at its normal weight 90/10 after 7 min 12 s on failover.\n*Why:* primary back to its normal weight after the ramp",
      },
    });
    const partial = buildEventMessage({
      ...base,
      normal: { primary: 90, failover: 10, third: 50 },
      kind: "restored",
      by: automatic,
      reason: "primary back",
      from: { primary: 45, failover: 55, third: 0 },
      to: { primary: 90, failover: 10, third: 0 },
      target: "primary",
    });
    expect(JSON.stringify(partial)).not.toContain("Failback complete");
  });

  it("tells an override replaced: who, why, until when, and the lease it replaced with its reason, all escaped", () => {
    const message = buildEventMessage({
      ...base,
      kind: "override-replaced",
      by: { mode: "manual", actor: "<@U0ADMIN>" },
      reason: "use1 5xx <!channel>",
      from: { primary: 50, failover: 50 },
      to: { primary: 0, failover: 100 },
      lease: {
        id: "lease-2",
        action: "promote",
        target: "failover",
        actor: "<@U0ADMIN>",
        reason: "use1 5xx <!channel>",
        expiresAt: 1754454820,
      },
      replaced: {
        id: "lease-1",
        action: "pin",
        weights: { primary: 50, failover: 50 },
        actor: "bob",
        reason: "warm up & wait",
        expiresAt: 1754450000,
      },
    });
    expect(message.text).toBe(
      "Override replaced: now promote failover: primary 50 → 0, failover 50 → 100. By &lt;@U0ADMIN&gt;: use1 5xx &lt;!channel&gt;. Until 2025-08-06 04:33:40 UTC. Replaced lease-1 (pin primary 50, failover 50 by bob: warm up &amp; wait).",
    );
    expect(message.blocks[1]).toMatchObject({
      fields: expect.arrayContaining([
        {
          type: "mrkdwn",
          text: "*Replaced*\n`lease-1` pin primary 50, failover 50 by bob, until 2025-08-06 03:13:20 UTC\n_warm up &amp; wait_",
        },
        { type: "mrkdwn", text: "*Until*\n2025-08-06 04:33:40 UTC (lease `lease-2`)" },
      ]),
    });
    expect(JSON.stringify(message)).not.toMatch(/<[!@]/);
  });

  it("is what the notifier builds from the SNS message, and a malformed event is not taken for one", () => {
    const event: FailoverEvent = {
      ...base,
      kind: "hold-released",
      by: { mode: "manual", actor: "alice" },
      reason: "root cause fixed",
      from: { primary: 0, failover: 100 },
      to: { primary: 0, failover: 100 },
      target: "primary",
      releasedHolds: ["primary"],
    };
    expect(parseFailoverEvent(JSON.stringify(event))).toEqual(event);
    expect(parseFailoverEvent(JSON.stringify({ ...event, target: "<!channel>" }))).toBeUndefined();
    expect(buildEventMessage(event).text).toBe(
      "Flap hold released: primary: weights unchanged. By alice: root cause fixed.",
    );
  });
});

describe("practice run messages", () => {
  const base = {
    type: "regional-failover.event" as const,
    v: 1 as const,
    at: 1_754_447_403,
    by: { mode: "automatic" as const, controlRegion: "us-east-2" },
    normal: { primary: 90, failover: 10 },
    target: "primary",
  };
  const practice = {
    id: "practice-primary-1754447403",
    by: "schedule",
    percent: 100,
    startedAt: 1_754_447_403,
    until: 1_754_449_203,
  };

  it("tells a start as an exercise with its end time, and an end with its outcome and length", () => {
    // Act
    const started = buildEventMessage({
      ...base,
      kind: "practice-started",
      reason: "practice run practice-primary-1754447403: drain primary",
      from: { primary: 90, failover: 10 },
      to: { primary: 0, failover: 100 },
      practice,
    });
    const ended = buildEventMessage({
      ...base,
      kind: "practice-ended",
      reason: "FAILED: outcome alarm app-5xx (us-west-2): ALARM",
      from: { primary: 0, failover: 100 },
      to: { primary: 90, failover: 10 },
      practice: { ...practice, outcome: "FAILED", seconds: 120 },
    });
    // Assess
    expect(started.text).toContain("Practice run started: primary drained until 2025-08-06 03:00:03 UTC");
    expect(JSON.stringify(started.blocks)).toContain("An exercise, not an incident");
    expect(ended.text).toContain("Practice run FAILED: primary");
    expect(JSON.stringify(ended.blocks)).toContain("lasted 2 min");
    expect(
      parseFailoverEvent(JSON.stringify({ ...base, kind: "practice-ended", reason: "x", from: {}, to: {}, practice })),
    ).toBeDefined();
  });
});
