import { describe, expect, it } from "vitest";
import { parseAlarmMessage } from "../../../functions/lib/slack/alarm.ts";
import { buildSlackMessage, type NotifyContext } from "../../../functions/lib/slack/message.ts";

/** An SNS-delivered CloudWatch alarm notification, as AWS writes it (extra fields included). */
function alarmJson(fields: Record<string, unknown>): string {
  return JSON.stringify({
    AlarmName: "regional-failover-switchover",
    AlarmDescription: "Route 53 weights changed.",
    AWSAccountId: "123456789012",
    NewStateValue: "ALARM",
    OldStateValue: "OK",
    NewStateReason: "Threshold Crossed: 1 datapoint [1.0] was greater than or equal to the threshold (1.0).",
    StateChangeTime: "2025-08-06T12:00:30.123+0000",
    Region: "US East (Ohio)",
    AlarmArn: "arn:aws:cloudwatch:us-east-2:123456789012:alarm:regional-failover-switchover",
    Trigger: { MetricName: "Switchover", Namespace: "RegionalFailover", Statistic: "SUM", Dimensions: [], Period: 60 },
    ...fields,
  });
}
const build = (rawText: string, context?: NotifyContext) =>
  buildSlackMessage({ alarm: parseAlarmMessage(rawText), rawText, ...(context ? { context } : {}) });
const context = (fields: Partial<NotifyContext>): NotifyContext => ({
  weights: { primary: 0, failover: 100 },
  ...fields,
});
const cloudWatchReason = {
  type: "mrkdwn",
  text: "CloudWatch: Threshold Crossed: 1 datapoint [1.0] was greater than or equal to the threshold (1.0).",
};

describe("buildSlackMessage", () => {
  it("describes an automatic switchover with from → to weights, reason, votes per vantage and time", () => {
    const message = build(
      alarmJson({}),
      context({
        lastSwitch: {
          at: 1754481620,
          mode: "automatic",
          from: { primary: 90, failover: 10 },
          to: { primary: 0, failover: 100 },
          reason: "primary down from 2/3 vantages for 2 rounds",
          votes: {
            primary: { "us-east-1": "down", "us-west-2": "down", "eu-west-1": "up" },
            failover: { "us-east-1": "up", "us-west-2": "up", "eu-west-1": "silent" },
          },
        },
      }),
    );
    expect(message).toEqual({
      text: "[ALARM] Traffic switched automatically: primary 90 → 0, failover 10 → 100. Reason: primary down from 2/3 vantages for 2 rounds",
      blocks: [
        {
          type: "header",
          text: { type: "plain_text", text: ":twisted_rightwards_arrows: Traffic switched automatically", emoji: true },
        },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "*Reason:* primary down from 2/3 vantages for 2 rounds\nRoute 53 weights changed.",
          },
          fields: [
            { type: "mrkdwn", text: "*Weights*\n`primary` 90 → 0\n`failover` 10 → 100" },
            { type: "mrkdwn", text: "*Mode*\nautomatic" },
            { type: "mrkdwn", text: "*Switched at*\n2025-08-06 12:00:20 UTC" },
            { type: "mrkdwn", text: "*Alarm time*\n2025-08-06 12:00:30 UTC" },
          ],
        },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text:
              "*Votes at the switch*\n" +
              "*primary*: :red_circle: us-east-1 down · :red_circle: us-west-2 down · :large_green_circle: eu-west-1 up\n" +
              "*failover*: :large_green_circle: us-east-1 up · :large_green_circle: us-west-2 up · :white_circle: eu-west-1 silent",
          },
        },
        {
          type: "context",
          elements: [
            { type: "mrkdwn", text: "`regional-failover-switchover` · ALARM (was OK) · US East (Ohio)" },
            cloudWatchReason,
          ],
        },
      ],
    });
  });

  it("describes a manual override with its lease (actor, expiry, reason), escaping Slack control characters", () => {
    const message = build(
      alarmJson({ NewStateReason: null }),
      context({
        lease: {
          id: "l1",
          action: "promote",
          target: "failover",
          actor: "alice",
          reason: "primary <flaky> & slow",
          createdAt: 1754481600,
          expiresAt: 1754482200,
        },
        lastSwitch: {
          at: 1754481620,
          mode: "manual",
          actor: "alice",
          from: { primary: 90, failover: 10 },
          to: { primary: 0, failover: 100 },
          reason: "promote failover",
          votes: {},
        },
      }),
    );
    expect(message).toEqual({
      text: "[ALARM] Override started: traffic moved by hand: primary 90 → 0, failover 10 → 100. Reason: promote failover (by alice)",
      blocks: [
        {
          type: "header",
          text: {
            type: "plain_text",
            text: ":twisted_rightwards_arrows: Override started: traffic moved by hand",
            emoji: true,
          },
        },
        {
          type: "section",
          text: { type: "mrkdwn", text: "*Reason:* promote failover\nRoute 53 weights changed." },
          fields: [
            { type: "mrkdwn", text: "*Weights*\n`primary` 90 → 0\n`failover` 10 → 100" },
            { type: "mrkdwn", text: "*Mode*\nmanual by alice" },
            { type: "mrkdwn", text: "*Switched at*\n2025-08-06 12:00:20 UTC" },
            { type: "mrkdwn", text: "*Alarm time*\n2025-08-06 12:00:30 UTC" },
            {
              type: "mrkdwn",
              text: "*Override lease*\npromote `failover` by alice\nexpires 2025-08-06 12:10:00 UTC\n_primary &lt;flaky&gt; &amp; slow_",
            },
          ],
        },
        {
          type: "context",
          elements: [{ type: "mrkdwn", text: "`regional-failover-switchover` · ALARM (was OK) · US East (Ohio)" }],
        },
      ],
    });
  });

  it("escapes a hostile reason and actor in the notification text too, so they cannot ping the channel or fake a link or a line", () => {
    const message = build(
      alarmJson({ NewStateReason: null, Region: "<!here>" }),
      context({
        lastSwitch: {
          at: 1754481620,
          mode: "manual",
          actor: "<@U0ADMIN>",
          from: { primary: 90, failover: 10 },
          to: { primary: 0, failover: 100 },
          reason: "<!channel> see <https://evil.example|runbook> & \u001b[2Jnow\nfake line",
          votes: {},
        },
      }),
    );
    expect(message.text).toBe(
      "[ALARM] Override started: traffic moved by hand: primary 90 → 0, failover 10 → 100. Reason: &lt;!channel&gt; see &lt;https://evil.example|runbook&gt; &amp;  [2Jnow fake line (by &lt;@U0ADMIN&gt;)",
    );
    const everyText = JSON.stringify(message.blocks);
    expect(everyText).not.toMatch(/<[!@#h]/);
    expect(everyText).toContain("manual by &lt;@U0ADMIN&gt;");
    expect(everyText).toContain("ALARM (was OK) · &lt;!here&gt;");
  });

  it("escapes someone else's SNS message in the notification text and in its plain_text section", () => {
    const message = build("<!channel> deploy done <https://evil.example|click>");
    const escaped =
      "Notification (not a CloudWatch alarm):\n&lt;!channel&gt; deploy done &lt;https://evil.example|click&gt;";
    expect(message.text).toBe(escaped);
    expect(message.blocks).toEqual([{ type: "section", text: { type: "plain_text", text: escaped } }]);
  });

  it("keeps an escaped plain_text section within Slack's 3,000 characters without cutting an entity", () => {
    const message = build("<".repeat(4000));
    const text = (message.blocks as Array<{ text: { text: string } }> | undefined)?.[0]?.text.text ?? "";
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(/^Notification \(not a CloudWatch alarm\):\n(&lt;)+…$/);
  });

  it("says which control region's automation is blind, with the weights now", () => {
    const message = build(
      alarmJson({
        AlarmName: "regional-failover-decider-blind-us-east-2",
        AlarmDescription: "The decider in us-east-2 is blind.",
      }),
      context({ weights: { primary: 90, failover: 10 } }),
    );
    expect(message).toEqual({
      text: "[ALARM] Automation blind in us-east-2",
      blocks: [
        {
          type: "header",
          text: { type: "plain_text", text: ":see_no_evil: Automation blind in us-east-2", emoji: true },
        },
        {
          type: "section",
          text: { type: "mrkdwn", text: "The decider in us-east-2 is blind." },
          fields: [
            { type: "mrkdwn", text: "*Weights now*\n`primary` 90\n`failover` 10" },
            { type: "mrkdwn", text: "*Alarm time*\n2025-08-06 12:00:30 UTC" },
          ],
        },
        {
          type: "context",
          elements: [
            { type: "mrkdwn", text: "`regional-failover-decider-blind-us-east-2` · ALARM (was OK) · US East (Ohio)" },
            cloudWatchReason,
          ],
        },
      ],
    });
  });

  it("says an alarm cleared when it returns to OK with traffic back at its normal weights", () => {
    const message = build(
      alarmJson({
        AlarmName: "regional-failover-all-down",
        NewStateValue: "OK",
        OldStateValue: "ALARM",
        NewStateReason: "back to normal",
      }),
      context({ weights: { primary: 90, failover: 10 }, normal: { primary: 90, failover: 10 } }),
    );
    expect(message).toEqual({
      text: "[OK] Cleared: all targets down",
      blocks: [
        {
          type: "header",
          text: { type: "plain_text", text: ":white_check_mark: Cleared: all targets down", emoji: true },
        },
        {
          type: "section",
          text: { type: "mrkdwn", text: "The alarm condition no longer holds." },
          fields: [
            { type: "mrkdwn", text: "*Weights now*\n`primary` 90\n`failover` 10" },
            { type: "mrkdwn", text: "*Ended at*\n2025-08-06 12:00:30 UTC" },
          ],
        },
        {
          type: "context",
          elements: [
            { type: "mrkdwn", text: "`regional-failover-all-down` · OK (was ALARM) · US East (Ohio)" },
            { type: "mrkdwn", text: "CloudWatch: back to normal" },
          ],
        },
      ],
    });
  });

  it("never says Cleared while traffic is off its normal weights, or when the weights are unknown", () => {
    const ok = alarmJson({
      AlarmName: "regional-failover-vantage-silent-us-west-2",
      NewStateValue: "OK",
      OldStateValue: "ALARM",
    });
    const offNormal = build(
      ok,
      context({ weights: { primary: 0, failover: 100 }, normal: { primary: 90, failover: 10 } }),
    );
    const unknown = build(ok);
    expect(offNormal.text).toBe("[OK] Over: probe vantage us-west-2 silent");
    expect(offNormal.blocks[1]).toMatchObject({
      text: {
        text: "The alarm condition no longer holds.\nTraffic is still off its normal weights: primary 0 (normal 90), failover 100 (normal 10).",
      },
    });
    expect(unknown.text).toBe("[OK] Over: probe vantage us-west-2 silent");
    expect(JSON.stringify([offNormal, unknown])).not.toContain("Cleared");
  });

  it("says which vantage is set aside for which target and why, and that it is back when it agrees again", () => {
    // Prepare
    const suspect = {
      AlarmName: "regional-failover-vantage-suspect-eu-west-1-primary",
      AlarmDescription: "The decider sets aside the votes of the probes in eu-west-1 on primary: they saw it down.",
      NewStateReason: "Threshold Crossed: 1 datapoint [1.0] was greater than or equal to the threshold (1.0).",
      Trigger: {
        MetricName: "SuspectChecker",
        Dimensions: [
          { name: "Vantage", value: "eu-west-1" },
          { name: "Target", value: "primary" },
        ],
      },
    };
    const weights = { primary: 90, failover: 10 };

    // Act
    const fired = build(alarmJson(suspect), context({ weights, normal: weights }));
    const back = build(
      alarmJson({ ...suspect, NewStateValue: "OK", OldStateValue: "ALARM", NewStateReason: "back to normal" }),
      context({ weights: { primary: 0, failover: 100 }, normal: weights }),
    );

    // Assess
    const weightsField = { type: "mrkdwn", text: "*Weights now*\n`primary` 90\n`failover` 10" };
    expect(fired).toEqual({
      text: "[ALARM] Probe vantage eu-west-1 set aside for primary",
      blocks: [
        {
          type: "header",
          text: { type: "plain_text", text: ":warning: Probe vantage eu-west-1 set aside for primary", emoji: true },
        },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "The decider sets aside the votes of the probes in eu-west-1 on primary: they saw it down.",
          },
          fields: [weightsField, { type: "mrkdwn", text: "*Alarm time*\n2025-08-06 12:00:30 UTC" }],
        },
        {
          type: "context",
          elements: [
            {
              type: "mrkdwn",
              text: "`regional-failover-vantage-suspect-eu-west-1-primary` · ALARM (was OK) · US East (Ohio)",
            },
            cloudWatchReason,
          ],
        },
      ],
    });
    expect(back).toEqual({
      text: "[OK] Back: probe vantage eu-west-1 counts again for primary",
      blocks: [
        {
          type: "header",
          text: {
            type: "plain_text",
            text: ":white_check_mark: Back: probe vantage eu-west-1 counts again for primary",
            emoji: true,
          },
        },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "Its votes on primary agree with the other vantages again: the decider counts them again.",
          },
          fields: [
            { type: "mrkdwn", text: "*Weights now*\n`primary` 0\n`failover` 100" },
            { type: "mrkdwn", text: "*Ended at*\n2025-08-06 12:00:30 UTC" },
          ],
        },
        {
          type: "context",
          elements: [
            {
              type: "mrkdwn",
              text: "`regional-failover-vantage-suspect-eu-west-1-primary` · OK (was ALARM) · US East (Ohio)",
            },
            { type: "mrkdwn", text: "CloudWatch: back to normal" },
          ],
        },
      ],
    });
  });

  it("says which vantage is set aside by its one alarm per vantage, and that it is back, without naming a target", () => {
    // Prepare
    const suspect = {
      AlarmName: "regional-failover-vantage-suspect-eu-west-1",
      Trigger: { MetricName: "SuspectChecker", Dimensions: [{ name: "Vantage", value: "eu-west-1" }] },
    };
    // Act
    const fired = build(alarmJson(suspect));
    const back = build(alarmJson({ ...suspect, NewStateValue: "OK", OldStateValue: "ALARM" }));
    // Assess
    expect(fired.text).toBe("[ALARM] Probe vantage eu-west-1 set aside");
    expect(back.text).toBe("[OK] Back: probe vantage eu-west-1 counts again");
    expect(JSON.stringify(back.blocks)).toContain(
      "Its votes agree with the other vantages again: the decider counts them again.",
    );
  });

  it("recognises a renamed suspect-checker alarm by its metric and dimensions", () => {
    const message = build(
      alarmJson({
        AlarmName: "custom-name",
        Trigger: {
          MetricName: "SuspectChecker",
          Dimensions: [
            { name: "Vantage", value: "us-west-2" },
            { name: "Target", value: "failover" },
          ],
        },
      }),
    );
    expect(message.text).toBe("[ALARM] Probe vantage us-west-2 set aside for failover");
  });

  it("recognises a renamed alarm by its metric and dimension", () => {
    const message = build(
      alarmJson({
        AlarmName: "custom-name",
        Trigger: { MetricName: "VantageHeartbeat", Dimensions: [{ name: "Vantage", value: "eu-west-1" }] },
      }),
    );
    expect(message.text).toBe("[ALARM] Probe vantage eu-west-1 silent");
    expect(message.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: ":mute: Probe vantage eu-west-1 silent", emoji: true },
    });
  });

  it("names the spent flap budget and the all-down fail-open in the header", () => {
    expect(build(alarmJson({ AlarmName: "regional-failover-flap-budget" })).text).toBe(
      "[ALARM] Flap budget spent: target held drained",
    );
    expect(build(alarmJson({ AlarmName: "regional-failover-all-down" })).text).toBe(
      "[ALARM] All targets down: failing open",
    );
    expect(build(alarmJson({ AlarmName: "regional-failover-override-long" })).text).toBe(
      "[ALARM] Override lease still active",
    );
  });

  it("shows someone else's alarm as readable plain text", () => {
    const message = build(
      alarmJson({
        AlarmName: "someone-elses-alarm",
        AlarmDescription: "CPU high",
        NewStateReason: "CPU 99%",
        Trigger: { MetricName: "CPUUtilization" },
      }),
    );
    const text = "someone-elses-alarm is ALARM (was OK)\nCPU high\nReason: CPU 99%\nAt: 2025-08-06 12:00:30 UTC";
    expect(message).toEqual({ text, blocks: [{ type: "section", text: { type: "plain_text", text } }] });
  });

  it("shows a plain-text SNS message as it is", () => {
    const text = "Notification (not a CloudWatch alarm):\nHello from SNS";
    expect(build("Hello from SNS")).toEqual({
      text,
      blocks: [{ type: "section", text: { type: "plain_text", text } }],
    });
  });

  it("summarises unknown JSON in a few lines instead of dumping it", () => {
    const raw = JSON.stringify({
      Type: "Notification",
      nested: { deep: "x".repeat(5000) },
      list: [1, 2, 3],
      a: 1,
      b: 2,
      c: 3,
      d: 4,
      e: 5,
      f: 6,
      g: 7,
    });
    const text =
      "Notification (not a CloudWatch alarm):\nType: Notification\nnested: {…}\nlist: [3 items]\na: 1\nb: 2\nc: 3\nd: 4\ne: 5\n… and 2 more fields";
    expect(build(raw)).toEqual({ text, blocks: [{ type: "section", text: { type: "plain_text", text } }] });
  });

  it("keeps a huge plain message within Slack's section limit", () => {
    const message = build("z".repeat(10_000));
    expect(message.text.length).toBeLessThanOrEqual(3000);
    expect(message.text.endsWith("…")).toBe(true);
  });
});
