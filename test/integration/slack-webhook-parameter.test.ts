import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { createLogger } from "../../functions/lib/log.ts";
import { createNotifyHandler } from "../../functions/lib/slack/notifier.ts";
import {
  slackWebhookParameterName,
  WEBHOOK_PLACEHOLDER,
  webhookFromParameterStore,
} from "../../functions/lib/slack/webhook.ts";
import { type Emulator, startEmulator } from "../../emulator/harness.ts";
import type { LocalServer } from "../support/local-servers.ts";
import { startSlackServer, type SlackPost } from "../support/slack-server.ts";
import { fastRetry } from "./aws-fixtures.ts";

/** An alarm notification as SNS hands it to the notifier. */
const alarmEvent = {
  Records: [
    {
      EventSource: "aws:sns",
      Sns: {
        Message: JSON.stringify({
          AlarmName: "regional-failover-switchover",
          NewStateValue: "ALARM",
          OldStateValue: "OK",
          NewStateReason: "Threshold Crossed",
          StateChangeTime: "2026-12-02T02:00:00.000+0000",
          Region: "US East (Ohio)",
        }),
      },
    },
  ],
};

describe("the notifier reads the Slack webhook from an SSM SecureString (emulator)", () => {
  const region = "us-east-2";
  const parameter = slackWebhookParameterName("regional-failover");
  let emulator: Emulator;
  let slack: LocalServer;
  let webhook: string;
  const posts: SlackPost[] = [];
  const lines: string[] = [];
  /** Webhook paths Slack answers 404 for (revoked). */
  const revoked = new Set<string>();

  beforeAll(async () => {
    [emulator, slack] = await Promise.all([
      startEmulator(),
      startSlackServer({
        onPost: (post) => posts.push(post),
        answer: () =>
          revoked.has(posts.at(-1)?.path ?? "") ? { status: 404, body: "no_service" } : { status: 200, body: "ok" },
      }),
    ]);
    webhook = `${slack.url}/services/T0/B0/webhook-secret-token`;
    await setup().put("/warm-up", "x", { secure: true });
  });
  afterAll(async () => {
    await slack?.close();
    await emulator?.stop();
  });
  beforeEach(async () => {
    await emulator.reset();
    posts.length = 0;
    lines.length = 0;
    revoked.clear();
  });

  /** A store for preparing parameters: patient, since moto's first SecureString also creates its KMS key. */
  const setup = () =>
    new ParameterStore({ region, endpoint: emulator.url, retry: { budgetMs: 30_000, attemptTimeoutMs: 30_000 } });

  /** A notifier wired as functions/notify.ts wires it, and a count of its GetParameter calls. */
  function notifier(options: Parameters<typeof webhookFromParameterStore>[2] = {}) {
    const store = new ParameterStore({ region, endpoint: emulator.url, retry: fastRetry });
    const handler = createNotifyHandler({
      webhookUrl: webhookFromParameterStore(store, parameter, options),
      log: createLogger({ write: (line) => lines.push(line) }),
    });
    return { handler, getParameterCalls: () => store.stats.byOperation.GetParameter?.calls ?? 0 };
  }

  it("posts to the URL stored as a SecureString, asking SSM once while the value is fresh", async () => {
    // Prepare
    await setup().put(parameter, webhook, { secure: true });
    const { handler, getParameterCalls } = notifier();

    // Act
    const first = await handler(alarmEvent);
    const second = await handler(alarmEvent);

    // Assess
    expect([first.posted, second.posted]).toEqual([1, 1]);
    expect(posts.map((post) => post.path)).toEqual([
      "/services/T0/B0/webhook-secret-token",
      "/services/T0/B0/webhook-secret-token",
    ]);
    expect(getParameterCalls()).toBe(1);
    expect(lines.join("\n")).not.toContain("webhook-secret-token");
  });

  it.each([
    ["absent", undefined, "does not exist"],
    ["still the deploy's placeholder", WEBHOOK_PLACEHOLDER, "is not set (it holds the deploy's placeholder)"],
  ])("logs a clear error and posts nothing when the parameter is %s", async (_name, value, why) => {
    // Prepare
    if (value !== undefined) await setup().put(parameter, value, { secure: true });
    const { handler } = notifier();

    // Act
    const error = await handler(alarmEvent).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toMatchObject({
      code: "SLACK_WEBHOOK_MISSING",
      message: `no Slack webhook: SSM parameter ${parameter} in ${region} ${why}; nothing was posted`,
    });
    expect((error as { hint?: string }).hint).toContain(
      `aws ssm put-parameter --region ${region} --name ${parameter} --type SecureString`,
    );
    const logged = lines.map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(logged).toContainEqual(
      expect.objectContaining({ level: "error", msg: "Slack webhook unavailable: 1 notification(s) not posted" }),
    );
    expect(posts).toHaveLength(0);
  });

  it("asks again after a failed read: setting the parameter later needs no redeploy", async () => {
    // Prepare
    const { handler } = notifier();
    await handler(alarmEvent).catch(() => undefined);
    await setup().put(parameter, webhook, { secure: true });

    // Act
    const result = await handler(alarmEvent);

    // Assess
    expect(result.posted).toBe(1);
    expect(posts).toHaveLength(1);
  });

  describe("a warm notifier picks up a rotated webhook", () => {
    const rotated = () => `${slack.url}/services/T0/B0/rotated-secret-token`;

    it("reads the parameter again as soon as Slack answers 404 for the revoked one, and posts there", async () => {
      // Prepare: a warm notifier, then on-call revokes the webhook and sets a new one
      await setup().put(parameter, webhook, { secure: true });
      const { handler, getParameterCalls } = notifier();
      await handler(alarmEvent);
      revoked.add("/services/T0/B0/webhook-secret-token");
      await setup().put(parameter, rotated(), { secure: true });

      // Act
      const result = await handler(alarmEvent);

      // Assess
      expect(result.posted).toBe(1);
      expect(posts.map((post) => post.path)).toEqual([
        "/services/T0/B0/webhook-secret-token",
        "/services/T0/B0/webhook-secret-token",
        "/services/T0/B0/rotated-secret-token",
      ]);
      expect(getParameterCalls()).toBe(2);
      expect(lines.join("\n")).not.toMatch(/webhook-secret-token|rotated-secret-token/);
    });

    it("reads the parameter again after a few minutes even when the old webhook still works", async () => {
      // Prepare
      let now = 1_000_000;
      await setup().put(parameter, webhook, { secure: true });
      const { handler } = notifier({ clock: { now: () => now } });
      await handler(alarmEvent);
      await setup().put(parameter, rotated(), { secure: true });

      // Act
      now += 60_000;
      await handler(alarmEvent);
      now += 5 * 60_000;
      await handler(alarmEvent);

      // Assess
      expect(posts.map((post) => post.path)).toEqual([
        "/services/T0/B0/webhook-secret-token",
        "/services/T0/B0/webhook-secret-token",
        "/services/T0/B0/rotated-secret-token",
      ]);
    });

    it("fails the notification, saying the webhook is gone, when the parameter still holds the revoked one", async () => {
      // Prepare
      await setup().put(parameter, webhook, { secure: true });
      revoked.add("/services/T0/B0/webhook-secret-token");
      const { handler } = notifier();

      // Act
      const error = await handler(alarmEvent).catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toMatchObject({ code: "NOTIFY_FAILED", cause: { code: "SLACK_WEBHOOK_GONE" } });
      expect((error as Error).message).toContain("the Slack webhook is gone: 404 no_service");
      expect(posts).toHaveLength(1);
      expect(JSON.stringify(error)).not.toContain("webhook-secret-token");
    });
  });
});
