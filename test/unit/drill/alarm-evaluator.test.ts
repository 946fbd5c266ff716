import { describe, expect, it } from "vitest";
import { AlarmEvaluator } from "../../../drill/alarm-evaluator.ts";
import { alarmDefinitions } from "../../../functions/lib/alarms.ts";
import { exampleConfigPath, parseConfig, readJsonFile } from "../../../functions/lib/config.ts";
import { parseAlarmMessage } from "../../../functions/lib/slack/alarm.ts";
import { buildSlackMessage } from "../../../functions/lib/slack/message.ts";

const config = parseConfig(readJsonFile(exampleConfigPath, "config"));
const START = 1_754_447_400; // a minute boundary, epoch seconds

describe("the drill's alarm evaluator", () => {
  it("records every region's state changes before it publishes any, so a notifier asking the other region sees its new state", async () => {
    // Prepare: all targets down in the first minute, seen by both control regions
    const events: string[] = [];
    const allDown = alarmDefinitions(config, "us-east-2").filter((alarm) => alarm.key === "all-down");
    const evaluator = new AlarmEvaluator({
      namespace: config.metricNamespace,
      alarms: Object.fromEntries(config.controlRegions.map((region) => [region, allDown])),
      historyBefore: START,
      // The second region's CloudWatch answers later: its change must still be recorded before the first region publishes.
      readMetrics: async (region, queries) => {
        if (region !== config.controlRegions[0]) await new Promise((resolve) => setTimeout(resolve, 20));
        return Object.fromEntries(queries.map((query) => [query.id, new Map([[START, 1]])]));
      },
      recordState: async (region, name, state) => void events.push(`record ${region} ${name} ${state}`),
      publish: async (region, _subject, message) =>
        void events.push(`publish ${region} ${(JSON.parse(message) as { NewStateValue: string }).NewStateValue}`),
    });

    // Act
    const changes = await evaluator.evaluate((START + 80) * 1000);

    // Assess
    expect(changes.map((change) => `${change.region} ${change.from}→${change.to}`)).toEqual(
      config.controlRegions.map((region) => `${region} OK→ALARM`),
    );
    expect(events.slice(0, 2).sort()).toEqual(
      config.controlRegions.map((region) => `record ${region} ${config.name}-all-down ALARM`).sort(),
    );
    expect(events.slice(2).sort()).toEqual(config.controlRegions.map((region) => `publish ${region} ALARM`).sort());
    expect(evaluator.errors).toEqual([]);
  });

  it("evaluates nothing in a lost control region, and picks it up again from its last state when it is back", async () => {
    // Prepare: all targets down from the first minute, seen by both control regions
    const published: string[] = [];
    const allDown = alarmDefinitions(config, "us-east-2").filter((alarm) => alarm.key === "all-down");
    const [first = "", second = ""] = config.controlRegions;
    const evaluator = new AlarmEvaluator({
      namespace: config.metricNamespace,
      alarms: { [first]: allDown, [second]: allDown },
      historyBefore: START,
      readMetrics: async (_region, queries) =>
        Object.fromEntries(queries.map((query) => [query.id, new Map([[START, 1]])])),
      recordState: async () => undefined,
      publish: async (region, _subject, message) =>
        void published.push(`${region} ${(JSON.parse(message) as { NewStateValue: string }).NewStateValue}`),
    });

    // Act: the first region is lost at the first evaluation, back at the second
    const during = await evaluator.evaluate((START + 80) * 1000, new Set([first]));
    const after = await evaluator.evaluate((START + 80) * 1000);

    // Assess
    expect(during.map((change) => change.region)).toEqual([second]);
    expect(after.map((change) => `${change.region} ${change.from}→${change.to}`)).toEqual([`${first} OK→ALARM`]);
    expect(published).toEqual([`${second} ALARM`, `${first} ALARM`]);
  });

  it("records but never publishes the alarms told to Slack by their own events (switchover, flap budget)", async () => {
    // Prepare: a switchover and a spent flap budget in the first minute
    const published: string[] = [];
    const recorded: string[] = [];
    const quiet = alarmDefinitions(config, "us-east-2").filter((alarm) => !alarm.announce);
    const evaluator = new AlarmEvaluator({
      namespace: config.metricNamespace,
      alarms: { "us-east-2": quiet },
      historyBefore: START,
      readMetrics: async (_region, queries) =>
        Object.fromEntries(queries.map((query) => [query.id, new Map([[START, 1]])])),
      recordState: async (_region, name, state) => void recorded.push(`${name} ${state}`),
      publish: async (_region, _subject, message) => void published.push(message),
    });

    // Act
    await evaluator.evaluate((START + 80) * 1000);

    // Assess
    expect(quiet.map((alarm) => alarm.key).sort()).toEqual(["flap-budget", "switchover"]);
    expect(recorded.sort()).toEqual([`${config.name}-flap-budget ALARM`, `${config.name}-switchover ALARM`]);
    expect(published).toEqual([]);
  });

  it("raises the suspect-checker alarm while a vantage is set aside and announces it back when it agrees again", async () => {
    // Prepare: eu-west-1 set aside for primary in the first minute only (the decider publishes nothing once it agrees)
    const texts: string[] = [];
    const suspect = alarmDefinitions(config, "us-east-2").filter((alarm) => alarm.key === "vantage-suspect-eu-west-1");
    const evaluator = new AlarmEvaluator({
      namespace: config.metricNamespace,
      alarms: { "us-east-2": suspect },
      historyBefore: START,
      readMetrics: async (_region, queries) =>
        Object.fromEntries(queries.map((query) => [query.id, new Map([[START, 1]])])),
      publish: async (_region, _subject, message) =>
        void texts.push(buildSlackMessage({ alarm: parseAlarmMessage(message), rawText: message }).text),
    });

    // Act
    await evaluator.evaluate((START + 80) * 1000);
    await evaluator.evaluate((START + 140) * 1000);

    // Assess
    expect(texts).toEqual([
      "[ALARM] Probe vantage eu-west-1 set aside",
      "[OK] Back: probe vantage eu-west-1 counts again",
    ]);
    expect(evaluator.errors).toEqual([]);
  });
});
