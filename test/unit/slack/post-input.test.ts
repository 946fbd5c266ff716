import { describe, expect, it } from "vitest";
import { postToSlack } from "../../../functions/lib/slack/post.ts";

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
