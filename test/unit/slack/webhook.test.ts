import { afterAll, describe, expect, it } from "vitest";
import { postToSlack } from "../../../functions/lib/slack/post.ts";
import { slackWebhookUrl } from "../../../functions/lib/slack/webhook.ts";

describe("slackWebhookUrl", () => {
  const saved = process.env.SST_RESOURCE_SlackWebhookUrl;
  afterAll(() => {
    if (saved === undefined) delete process.env.SST_RESOURCE_SlackWebhookUrl;
    else process.env.SST_RESOURCE_SlackWebhookUrl = saved;
  });

  it("prefers SLACK_WEBHOOK_URL (local runs, the drill)", async () => {
    expect(await slackWebhookUrl({ SLACK_WEBHOOK_URL: "http://127.0.0.1:1/local" })).toBe("http://127.0.0.1:1/local");
  });

  it("reads the linked SST secret the way SST v4 passes it to a function (SST_RESOURCE_SlackWebhookUrl)", async () => {
    process.env.SST_RESOURCE_SlackWebhookUrl = JSON.stringify({
      type: "sst.sst.Secret",
      value: "https://hooks.slack.com/services/T1/B1/linked",
    });
    expect(await slackWebhookUrl({})).toBe("https://hooks.slack.com/services/T1/B1/linked");
  });
});

describe("postToSlack input checks", () => {
  it("refuses a webhook that is not an http(s) URL without echoing it", async () => {
    const error = await postToSlack("ftp://secret-host/s3cret-token-path", { text: "x", blocks: [] }).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ code: "SLACK_WEBHOOK_INVALID" });
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain("s3cret");
    expect((error as Error).cause).toBeUndefined();
  });
});
