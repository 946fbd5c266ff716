import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSnsEndpoint, snsLambdaEvent, type SnsEndpoint } from "../../drill/sns-endpoint.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { SnsPublisher } from "../../functions/lib/aws/sns.ts";
import { createLogger } from "../../functions/lib/log.ts";
import { createNotifyHandler } from "../../functions/lib/slack/notifier.ts";
import { slackTestParameterName } from "../../functions/lib/slack/slack-test.ts";
import {
  slackWebhookParameterName,
  WEBHOOK_PLACEHOLDER,
  webhookFromParameterStore,
} from "../../functions/lib/slack/webhook.ts";
import { runCli } from "../support/cli-process.ts";
import { patientRetry } from "../support/control-fixtures.ts";
import type { LocalServer } from "../support/local-servers.ts";
import { startSlackServer, type SlackPost } from "../support/slack-server.ts";
import { testConfig } from "./aws-fixtures.ts";

/**
 * `failover slack-test` through the alert path as deployed: the CLI
 * publishes to the emulator's SNS topic of us-east-2, SNS POSTs it to the
 * notifier (wired as functions/notify.ts wires it, behind an SNS HTTP
 * endpoint), which posts to the local Slack stand-in and records the
 * delivery in the emulator's SSM, where the CLI reads it back.
 */
let emulator: Emulator;
let slack: LocalServer;
let sns: SnsEndpoint;
let dir: string;
let env: Record<string, string>;
const posts: SlackPost[] = [];
const config = testConfig("Z0SLACKTEST");
const parameter = slackWebhookParameterName(config.name);
const region = "us-east-2";
const secretPath = "/services/T0TEST/B0TEST/s3cretSlackTestToken";

beforeAll(async () => {
  [emulator, slack] = await Promise.all([startEmulator(), startSlackServer({ onPost: (post) => posts.push(post) })]);
  const aws = { endpoint: emulator.url };
  const store = new ParameterStore({ ...aws, region, retry: patientRetry });
  const notify = createNotifyHandler({
    webhookUrl: webhookFromParameterStore(store, parameter, { maxAgeMs: 0 }),
    log: createLogger({ write: () => undefined }),
    recordTest: (delivery) => store.put(slackTestParameterName(config.name), JSON.stringify({ ...delivery, region })),
  });
  sns = await startSnsEndpoint({ deliver: async (envelope) => void (await notify(snsLambdaEvent(envelope))) });
  const publisher = new SnsPublisher({ ...aws, region });
  const topic = await publisher.createTopic(`${config.name}-alarms`);
  await publisher.subscribe(topic, "http", sns.url);
  dir = mkdtempSync(join(tmpdir(), "slack-test-"));
  const configPath = join(dir, "failover.config.json");
  writeFileSync(configPath, JSON.stringify(config));
  env = {
    ...emulator.env,
    FAILOVER_CONFIG_FILE: configPath,
    FAILOVER_ALERT_TOPICS: JSON.stringify({ [region]: topic }),
    USER: "alice",
  };
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all([sns?.close(), slack?.close(), emulator?.stop()]);
});

/** Sets the webhook parameter of every control region to `value`. */
async function setWebhook(value: (region: string) => string | undefined) {
  for (const each of config.controlRegions) {
    const wanted = value(each);
    if (wanted !== undefined)
      await new ParameterStore({ endpoint: emulator.url, region: each, retry: patientRetry }).put(parameter, wanted, {
        secure: true,
      });
  }
}

describe("failover slack-test (emulator, Slack stand-in)", () => {
  it("with the placeholder in one region and nothing in the other, names the parameter and the exact commands, and sends nothing", async () => {
    // Prepare
    await setWebhook((each) => (each === region ? WEBHOOK_PLACEHOLDER : undefined));

    // Act
    const run = await runCli(["slack-test", "--wait", "2"], env);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`0. webhook parameter ${parameter} in us-east-2: holds the placeholder "unset"`);
    expect(run.stdout).toContain(`0. webhook parameter ${parameter} in us-west-1: does not exist`);
    for (const each of config.controlRegions)
      expect(run.stderr).toContain(
        `aws ssm put-parameter --region ${each} --name ${parameter} --type SecureString --overwrite --value "$SLACK_WEBHOOK_URL"`,
      );
    expect(run.stderr).toContain("nothing was sent");
    expect(posts).toEqual([]);
  });

  it("delivers one message and reports each hop: SNS message id, the notifier's post, the webhook's 200", async () => {
    // Prepare
    await setWebhook(() => `${slack.url}${secretPath}`);

    // Act
    const run = await runCli(["slack-test"], env);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^1\. published to SNS in us-east-2 \(arn:aws:sns:us-east-2:[^)]+\): message id \S+$/m);
    expect(run.stdout).toMatch(/^2\. the us-east-2 notifier was invoked and posted it [\d.]+ s after the publish$/m);
    const id = /3\. the webhook answered 200 \(1 post\(s\)\): look for "regional-failover Slack test ([\w-]+)"/.exec(
      run.stdout,
    )?.[1];
    expect(id).toBeDefined();
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]?.body)).toContain(`regional-failover Slack test ${id}`);
    expect(`${run.stdout}${run.stderr}`).not.toContain("s3cretSlackTestToken");
  });

  it("prints the put-parameter command of every control region from the config", async () => {
    // Act
    const run = await runCli(["slack-test", "--commands"], env);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual(
      config.controlRegions.map(
        (each) =>
          `aws ssm put-parameter --region ${each} --name ${parameter} --type SecureString --overwrite --value "$SLACK_WEBHOOK_URL"`,
      ),
    );
  });
});
