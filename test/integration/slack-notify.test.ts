import type http from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FailoverError } from "../../functions/lib/errors.ts";
import { createLogger } from "../../functions/lib/log.ts";
import { describeError } from "../../functions/lib/errors.ts";
import type { SlackMessage } from "../../functions/lib/slack/blocks.ts";
import { buildSlackMessage, type NotifyContext } from "../../functions/lib/slack/message.ts";
import { parseAlarmMessage } from "../../functions/lib/slack/alarm.ts";
import { postToSlack } from "../../functions/lib/slack/post.ts";
import { createNotifyHandler } from "../../functions/lib/slack/notifier.ts";
import { closedPort, type LocalServer, startServer } from "../support/local-servers.ts";
import { type SlackAnswer, startSlackServer } from "../support/slack-server.ts";

const secretPath = "/services/T0TEST/B0TEST/s3cretWebhookToken";
const message: SlackMessage = {
  text: "hello",
  blocks: [{ type: "section", text: { type: "plain_text", text: "hello" } }],
};

describe("Slack webhook posting and the notify handler (local Slack stand-in)", () => {
  let slack: LocalServer;
  let webhook: string;
  const posts: Array<{ path: string; body: unknown }> = [];
  let script: SlackAnswer[] = [];
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });
  const sleeps: number[] = [];
  const sleep = async (ms: number) => void sleeps.push(ms);

  beforeAll(async () => {
    // Records each post and answers from the script.
    slack = await startSlackServer({ onPost: (post) => posts.push(post), answer: () => script.shift() });
    webhook = `${slack.url}${secretPath}`;
  });
  afterAll(() => slack.close());
  afterEach(() => {
    posts.splice(0);
    lines.splice(0);
    sleeps.splice(0);
    script = [];
  });

  /** The webhook URL and its secret token appear nowhere in what people see. */
  const expectNoSecret = (...texts: string[]) => {
    for (const text of [...texts, lines.join("")]) {
      expect(text).not.toContain(webhook);
      expect(text).not.toContain("s3cretWebhookToken");
    }
  };

  describe("postToSlack", () => {
    it("posts the message as JSON to the webhook", async () => {
      const result = await postToSlack(webhook, message, { sleep, log });
      expect(result).toEqual({ attempts: 1, status: 200 });
      expect(posts).toEqual([{ path: secretPath, body: message }]);
    });

    it("waits as long as Retry-After says after a 429, then succeeds", async () => {
      script = [{ status: 429, headers: { "retry-after": "2" }, body: "rate_limited" }];
      const result = await postToSlack(webhook, message, { sleep, log });
      expect(result).toEqual({ attempts: 2, status: 200 });
      expect(sleeps).toEqual([2000]);
      expect(posts).toHaveLength(2);
    });

    it("leaves a Retry-After longer than the allowed wait to SNS's redelivery instead of retrying too soon", async () => {
      script = [{ status: 429, headers: { "retry-after": "3600" } }];
      const error = await postToSlack(webhook, message, { sleep, log, maxRetryDelayMs: 5000 }).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toMatchObject({ code: "SLACK_OUT_OF_TIME" });
      expect((error as Error).message).toContain("Retry-After 3600 s is longer than the 5000 ms allowed");
      expect(sleeps).toEqual([]);
      expect(posts).toHaveLength(1);
    });

    it("retries 5xx a bounded number of times with backoff, then fails naming only 'Slack webhook'", async () => {
      script = Array.from({ length: 10 }, () => ({ status: 500, body: `error at ${secretPath}` }));
      const error = await postToSlack(webhook, message, { sleep, log, maxAttempts: 3 }).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(FailoverError);
      expect(error).toMatchObject({ code: "SLACK_UNAVAILABLE" });
      expect((error as Error).message).toContain("Slack webhook");
      expect(posts).toHaveLength(3);
      expect(sleeps).toEqual([500, 1000]);
      expectNoSecret((error as Error).message, describeError(error), JSON.stringify(error));
    });

    it("does not retry a 4xx rejection", async () => {
      script = [{ status: 400, body: "invalid_blocks" }];
      const error = await postToSlack(webhook, message, { sleep, log }).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({
        code: "SLACK_REJECTED",
        message: "the Slack webhook refused the message: 400 invalid_blocks",
      });
      expect(posts).toHaveLength(1);
      expectNoSecret((error as Error).message);
    });

    it("gives up at once when Retry-After is longer than the invocation has left, leaving it to SNS", async () => {
      script = [{ status: 429, headers: { "retry-after": "30" }, body: "rate_limited" }];
      const error = await postToSlack(webhook, message, {
        sleep,
        log,
        remainingMs: () => 25_000,
        maxRetryDelayMs: 60_000,
      }).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: "SLACK_OUT_OF_TIME" });
      expect((error as Error).message).toBe(
        "the Slack webhook post gave up after 1 attempt(s) within this invocation's time (Retry-After 30 s does not fit in the 23000 ms left); last answer: 429 rate_limited",
      );
      expect(sleeps).toEqual([]);
      expect(posts).toHaveLength(1);
    });

    it("aborts a hanging attempt before the invocation's time is up, with nothing left in flight", async () => {
      script = [{ status: 0, hang: true }];
      const started = Date.now();
      const error = await postToSlack(webhook, message, {
        sleep,
        log,
        remainingMs: () => 3000 - (Date.now() - started),
        reserveMs: 1000,
      }).catch((thrown: unknown) => thrown);
      const elapsedMs = Date.now() - started;
      expect(error).toMatchObject({ code: "SLACK_OUT_OF_TIME" });
      expect((error as Error).message).toContain("last answer: timed out");
      expect(elapsedMs).toBeLessThan(2500);
      expect(posts).toHaveLength(1);
      expectNoSecret((error as Error).message);
    });

    it("does not follow a redirect to another host, and names only that host", async () => {
      const elsewhere: string[] = [];
      const other = await startServer((req: http.IncomingMessage, res: http.ServerResponse) => {
        elsewhere.push(req.method ?? "");
        res.writeHead(200).end("ok");
      });
      try {
        const otherHost = new URL(other.url).host;
        script = [{ status: 307, headers: { location: `${other.url}${secretPath}` } }];
        const error = await postToSlack(webhook, message, { sleep, log }).catch((thrown: unknown) => thrown);
        expect(error).toMatchObject({
          code: "SLACK_REJECTED",
          message: `the Slack webhook answered 307 with a redirect to another host (${otherHost}); redirects are not followed`,
        });
        expect(elsewhere).toEqual([]);
        expect(posts).toHaveLength(1);
        expectNoSecret((error as Error).message);
      } finally {
        await other.close();
      }
    });

    it("reports an unreachable webhook without its URL", async () => {
      const unreachable = `http://127.0.0.1:${await closedPort()}${secretPath}`;
      const error = await postToSlack(unreachable, message, { sleep, log, maxAttempts: 2 }).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toMatchObject({ code: "SLACK_UNAVAILABLE" });
      expect((error as Error).message).toContain("ECONNREFUSED");
      for (const text of [(error as Error).message, describeError(error), lines.join("")])
        expect(text).not.toContain("s3cretWebhookToken");
    });
  });

  describe("createNotifyHandler", () => {
    const alarm = JSON.stringify({
      AlarmName: "regional-failover-switchover",
      AlarmDescription: "Route 53 weights changed.",
      NewStateValue: "ALARM",
      OldStateValue: "OK",
      NewStateReason: "Threshold Crossed",
      StateChangeTime: "2025-08-06T12:00:30.123+0000",
      Region: "US East (Ohio)",
      Trigger: { MetricName: "Switchover", Dimensions: [] },
    });
    const snsEvent = (messageText: string) => ({
      Records: [
        {
          EventSource: "aws:sns",
          EventVersion: "1.0",
          Sns: {
            Type: "Notification",
            MessageId: "m1",
            TopicArn: "arn:aws:sns:us-east-2:123456789012:alarms",
            Subject: "ALARM",
            Message: messageText,
            Timestamp: "2025-08-06T12:00:31.000Z",
          },
        },
      ],
    });
    const context: NotifyContext = {
      weights: { primary: 0, failover: 100 },
      lastSwitch: {
        at: 1754481620,
        mode: "automatic",
        from: { primary: 90, failover: 10 },
        to: { primary: 0, failover: 100 },
        reason: "primary down from 2/3 vantages for 2 rounds",
        votes: { primary: { "us-east-1": "down", "us-west-2": "down", "eu-west-1": "up" } },
      },
    };
    const handlerWith = (overrides: Partial<Parameters<typeof createNotifyHandler>[0]> = {}) =>
      createNotifyHandler({
        webhookUrl: async () => webhook,
        loadContext: async () => context,
        post: { sleep },
        log,
        ...overrides,
      });

    it("posts the alarm with weights, reason and votes to Slack", async () => {
      const result = await handlerWith()(snsEvent(alarm));
      expect(result).toEqual({ posted: 1, skipped: 0, withContext: true });
      expect(posts).toEqual([
        { path: secretPath, body: buildSlackMessage({ alarm: parseAlarmMessage(alarm), rawText: alarm, context }) },
      ]);
      expect(JSON.stringify(posts[0]?.body)).toContain("us-west-2 down");
      expectNoSecret();
    });

    it("still posts the alarm, without context, when Route 53 cannot be read", async () => {
      const result = await handlerWith({
        loadContext: async () =>
          Promise.reject(new FailoverError("ROUTE53_UNAVAILABLE", "Route 53 ListResourceRecordSets failed")),
      })(snsEvent(alarm));
      expect(result).toEqual({ posted: 1, skipped: 0, withContext: false });
      expect(posts).toHaveLength(1);
      expect((posts[0]!.body as SlackMessage).text).toBe("[ALARM] Traffic switched");
      expect(lines.map((line) => JSON.parse(line))).toContainEqual(
        expect.objectContaining({
          level: "warn",
          msg: "notifying without context: Route 53 not readable",
          error: expect.objectContaining({ code: "ROUTE53_UNAVAILABLE" }),
        }),
      );
    });

    it("posts a failover event as its own message, once, even when SNS delivers it twice", async () => {
      const event = JSON.stringify({
        type: "regional-failover.event",
        v: 1,
        kind: "override-taken",
        at: 1754447460,
        by: { mode: "manual", actor: "alice" },
        reason: "use1 5xx",
        from: { primary: 90, failover: 10 },
        to: { primary: 0, failover: 100 },
        normal: { primary: 90, failover: 10 },
        lease: {
          id: "lease-1",
          action: "promote",
          target: "failover",
          actor: "alice",
          reason: "use1 5xx",
          expiresAt: 1754451060,
        },
        changeId: "/change/C1",
      });
      const notify = handlerWith();
      const first = await notify(snsEvent(event));
      const again = await notify(snsEvent(event));
      expect(first).toMatchObject({ posted: 1 });
      expect(again).toMatchObject({ posted: 0, skipped: 1 });
      expect(posts.map((post) => (post.body as SlackMessage).text)).toEqual([
        "Override taken: promote failover: primary 90 → 0, failover 10 → 100. By alice: use1 5xx. Until 2025-08-06 03:31:00 UTC.",
      ]);
    });

    it("posts a non-alarm SNS message as plain text", async () => {
      await handlerWith()(snsEvent("Test notification from the console"));
      expect((posts[0]!.body as SlackMessage).text).toBe(
        "Notification (not a CloudWatch alarm):\nTest notification from the console",
      );
    });

    it("fails with a named error, without the webhook URL, when Slack stays down", async () => {
      script = Array.from({ length: 10 }, () => ({ status: 503 }));
      const error = await handlerWith({ post: { sleep, maxAttempts: 2 } })(snsEvent(alarm)).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toMatchObject({ code: "NOTIFY_FAILED" });
      expect(posts).toHaveLength(2);
      expectNoSecret((error as Error).message, describeError(error));
      expect(lines.join("")).toContain("Slack post failed");
    });

    it("logs the final failure and throws for SNS to redeliver when Slack's Retry-After outlasts the invocation", async () => {
      script = [{ status: 429, headers: { "retry-after": "8" } }];
      const error = await handlerWith()(snsEvent(alarm), { getRemainingTimeInMillis: () => 9_000 }).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toMatchObject({ code: "NOTIFY_FAILED" });
      expect(posts).toHaveLength(1);
      expect(sleeps).toEqual([]);
      expect(lines.map((line) => JSON.parse(line))).toContainEqual(
        expect.objectContaining({
          level: "error",
          msg: "Slack post failed; SNS redelivers the notification",
          error: expect.objectContaining({ code: "SLACK_OUT_OF_TIME" }),
        }),
      );
      expectNoSecret((error as Error).message, describeError(error));
    });

    it.each([
      ["null", null, "(root)"],
      ["a string", "ALARM", "(root)"],
      ["no Records", {}, "Records"],
      ["empty Records", { Records: [] }, "Records"],
      ["Records not a list", { Records: "x" }, "Records"],
      ["a record without Sns", { Records: [{ EventSource: "aws:sns" }] }, "Records[0].Sns"],
      ["an SQS record", { Records: [{ EventSource: "aws:sqs", Sns: { Message: "x" } }] }, "Records[0].EventSource"],
      [
        "a message that is not text",
        { Records: [{ EventSource: "aws:sns", Sns: { Message: 5 } }] },
        "Records[0].Sns.Message",
      ],
      ["no message", { Records: [{ EventSource: "aws:sns", Sns: {} }] }, "Records[0].Sns.Message"],
      [
        "too many records",
        { Records: Array.from({ length: 11 }, () => ({ EventSource: "aws:sns", Sns: { Message: "x" } })) },
        "Records",
      ],
    ])("refuses %s as its event, naming the field, and posts nothing", async (_name, event, field) => {
      let secretRead = false;
      const error = await handlerWith({
        webhookUrl: async () => {
          secretRead = true;
          return webhook;
        },
      })(event).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: "INVALID_INPUT" });
      expect((error as Error).message).toContain("invalid SNS event");
      expect((error as Error).message).toContain(`${field}:`);
      expect(posts).toHaveLength(0);
      expect(secretRead).toBe(false);
    });
  });
});
