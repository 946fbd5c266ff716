import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alarmDefinitions } from "../../functions/lib/alarms.ts";
import { CloudWatchAdmin } from "../../emulator/cloudwatch-admin.ts";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { createLogger } from "../../functions/lib/log.ts";
import type { SlackMessage } from "../../functions/lib/slack/blocks.ts";
import { createNotifyHandler } from "../../functions/lib/slack/notifier.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { closedPort, startServer, type LocalServer } from "../support/local-servers.ts";
import { startSlackServer } from "../support/slack-server.ts";
import { fastRetry, testConfig } from "./aws-fixtures.ts";

/**
 * The notifier outside the first control region, against the emulator's
 * CloudWatch: it posts to a local Slack stand-in only what the first
 * control region (us-east-2 here) will not announce itself.
 */
const config = testConfig("Z0TEST");
const [first = "", second = ""] = config.controlRegions;
const switchover = `${config.name}-switchover`;

let emulator: Emulator;
let slack: LocalServer;
let hanging: LocalServer;
const posts: SlackMessage[] = [];

beforeAll(async () => {
  [emulator, slack, hanging] = await Promise.all([
    startEmulator(),
    startSlackServer({ onPost: (post) => posts.push(post.body) }),
    // Accepts connections and never answers: a region that is up on the network but stuck.
    startServer(() => undefined),
  ]);
  const admin = new CloudWatchAdmin(config, { endpoint: emulator.url, retry: fastRetry });
  await admin.putAlarms(first, alarmDefinitions(config, first));
  await admin.setAlarmState(first, switchover, "ALARM", "Threshold Crossed: 1 out of the last 1 datapoints [1.0]");
});
afterAll(async () => {
  await Promise.all([slack?.close(), hanging?.close()]);
  await emulator?.stop();
});

describe("the notifier in the second control region", () => {
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });

  /** An SNS event carrying a CloudWatch alarm notification of `name` in state `state`. */
  const snsEvent = (name: string, state: "ALARM" | "OK") => ({
    Records: [
      {
        EventSource: "aws:sns",
        Sns: {
          Message: JSON.stringify({
            AlarmName: name,
            NewStateValue: state,
            OldStateValue: state === "ALARM" ? "OK" : "ALARM",
            StateChangeTime: "2025-08-06T12:02:20.000+0000",
            Trigger: { MetricName: "Switchover" },
          }),
        },
      },
    ],
  });
  /** The notifier of `ownRegion`, asking CloudWatch through `bus`. */
  const notifier = (ownRegion: string, bus: MetricsBus) =>
    createNotifyHandler({
      webhookUrl: async () => `${slack.url}/services/T/B/token-abcdef`,
      log,
      announce: {
        controlRegions: config.controlRegions,
        ownRegion,
        alarmStatus: (region, name) => bus.alarmStatus(region, name),
      },
    });
  const reset = () => {
    posts.splice(0);
    lines.splice(0);
  };
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  it("stays quiet when the first region's alarm is in the same state, and logs who announces it", async () => {
    // Prepare
    reset();
    const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });

    // Act
    const result = await notifier(second, bus)(snsEvent(switchover, "ALARM"));

    // Assess
    expect(result).toEqual({ posted: 0, skipped: 1, withContext: false });
    expect(posts).toEqual([]);
    expect(logged()).toContainEqual(
      expect.objectContaining({ level: "info", msg: `announced by ${first}`, alarm: switchover, state: "ALARM" }),
    );
  });

  it("posts, saying why, when the first region's alarm is in another state", async () => {
    // Prepare
    reset();
    const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });

    // Act
    const result = await notifier(second, bus)(snsEvent(switchover, "OK"));

    // Assess
    expect(result).toMatchObject({ posted: 1, skipped: 0 });
    expect(posts[0]?.text).toBe(
      `[OK] Over: traffic switch\nSent from ${second}: the first control region ${first} did not announce this (its alarm is ALARM, not OK).`,
    );
  });

  it("posts with a note when the first region's CloudWatch is unreachable", async () => {
    // Prepare
    reset();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const bus = new MetricsBus(config, {
      endpointFor: (region) => (region === first ? dead : emulator.url),
      retry: fastRetry,
    });

    // Act
    const result = await notifier(second, bus)(snsEvent(switchover, "ALARM"));

    // Assess
    expect(result).toMatchObject({ posted: 1, skipped: 0 });
    expect(posts[0]?.text).toContain(
      `Sent from ${second}: the first control region ${first} did not announce this (its CloudWatch did not answer).`,
    );
    expect(JSON.stringify(posts[0]?.blocks)).toContain(":information_source:");
    expect(logged()).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: `no answer from ${first} about the alarm: posting from ${second}`,
        error: expect.objectContaining({ code: "CLOUDWATCH_UNAVAILABLE" }),
      }),
    );
  });

  it("posts an alarm the first region does not have, saying so", async () => {
    reset();
    const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });

    await notifier(second, bus)(snsEvent(`${config.name}-flap-budget-typo`, "ALARM"));

    expect(posts[0]?.text).toContain(`(it has no alarm ${config.name}-flap-budget-typo)`);
  });

  it("posts from the first region when no other region's alarm entered the state before its own, asking each once", async () => {
    // Prepare
    reset();
    const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });

    // Act
    const result = await notifier(first, bus)(snsEvent(switchover, "ALARM"));

    // Assess: its own alarm and the second region's (which has none) asked once each.
    expect(result).toMatchObject({ posted: 1, skipped: 0 });
    expect(posts[0]?.text).toBe("[ALARM] Traffic switched");
    expect(bus.stats.total().calls).toBe(2);
  });

  it("announces an alarm once when the first region's copy enters it late (a lost region back, evaluating the gap)", async () => {
    // Prepare: the first region is away; the second region's copy of "decider blind in the first" fires.
    reset();
    const blind = alarmDefinitions(config, first).find((alarm) => alarm.key === `decider-blind-${first}`)?.name ?? "";
    const admin = new CloudWatchAdmin(config, { endpoint: emulator.url, retry: fastRetry });
    await admin.putAlarms(second, alarmDefinitions(config, second));
    const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });
    await admin.setAlarmState(second, blind, "ALARM", "Threshold Crossed: no heartbeat");
    const fromSecond = await notifier(second, bus)(snsEvent(blind, "ALARM"));

    // Act: the first region is back; its copy evaluates the minutes it was away and fires too.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await admin.setAlarmState(first, blind, "ALARM", "Threshold Crossed: no heartbeat (missing data)");
    const fromFirst = await notifier(first, bus)(snsEvent(blind, "ALARM"));

    // Assess: one post, from the region that saw it first; the first region says who announced it.
    expect([fromSecond.posted, fromFirst.posted]).toEqual([1, 0]);
    expect(posts).toHaveLength(1);
    expect(logged()).toContainEqual(
      expect.objectContaining({ msg: `announced by ${second} (its alarm entered ALARM first)`, alarm: blind }),
    );
  });
});

describe("MetricsBus.alarmState", () => {
  it("answers the state an alarm was set to, and undefined for an alarm that does not exist", async () => {
    // Prepare
    const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });
    const admin = new CloudWatchAdmin(config, { endpoint: emulator.url, retry: fastRetry });
    await admin.putAlarms(second, alarmDefinitions(config, second).slice(0, 2));
    await admin.setAlarmState(second, switchover, "INSUFFICIENT_DATA", "no data");

    // Act
    const [set, untouched, missing, otherRegion] = await Promise.all([
      bus.alarmState(second, switchover),
      bus.alarmState(second, alarmDefinitions(config, second)[1]?.name ?? ""),
      bus.alarmState(second, `${config.name}-nothing`),
      bus.alarmState("eu-west-1", switchover),
    ]);

    // Assess
    expect([set, untouched, missing, otherRegion]).toEqual(["INSUFFICIENT_DATA", "OK", undefined, undefined]);
  });

  it("gives up on a region that never answers within its bound, as CLOUDWATCH_UNAVAILABLE", async () => {
    const bus = new MetricsBus(config, { endpoint: hanging.url });

    const error = await bus.alarmState(first, switchover, { timeoutMs: 300 }).catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ code: "CLOUDWATCH_UNAVAILABLE" });
    expect((error as Error).message).toContain(`DescribeAlarms in ${first}`);
  });
});
