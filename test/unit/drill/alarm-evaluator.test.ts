import { describe, expect, it } from "vitest";
import { AlarmEvaluator } from "../../../drill/alarm-evaluator.ts";
import { alarmDefinitions } from "../../../functions/lib/alarms.ts";
import { exampleConfigPath, parseConfig, readJsonFile } from "../../../functions/lib/config.ts";

const config = parseConfig(readJsonFile(exampleConfigPath, "config"));
const START = 1_754_447_400; // a minute boundary, epoch seconds

describe("the drill's alarm evaluator", () => {
  it("records every region's state changes before it publishes any, so a notifier asking the other region sees its new state", async () => {
    // Prepare: a switchover in the first minute, seen by both control regions
    const events: string[] = [];
    const switchover = alarmDefinitions(config, "us-east-2").filter((alarm) => alarm.key === "switchover");
    const evaluator = new AlarmEvaluator({
      namespace: config.metricNamespace,
      alarms: Object.fromEntries(config.controlRegions.map((region) => [region, switchover])),
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
      config.controlRegions.map((region) => `record ${region} ${config.name}-switchover ALARM`).sort(),
    );
    expect(events.slice(2).sort()).toEqual(config.controlRegions.map((region) => `publish ${region} ALARM`).sort());
    expect(evaluator.errors).toEqual([]);
  });
});
