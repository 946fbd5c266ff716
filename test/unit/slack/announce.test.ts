import { describe, expect, it } from "vitest";
import {
  regionsToAsk,
  regionToAsk,
  shouldAnnounce,
  type AnnounceInput,
} from "../../../functions/lib/slack/announce.ts";
import { parseAlarmMessage } from "../../../functions/lib/slack/alarm.ts";
import { buildSlackMessage } from "../../../functions/lib/slack/message.ts";

const controlRegions = ["us-east-2", "us-west-1"];
const alarm = { name: "regional-failover-switchover", state: "ALARM" } as const;
const input = (fields: Partial<AnnounceInput>): AnnounceInput => ({
  controlRegions,
  ownRegion: "us-west-1",
  alarm,
  firstRegion: undefined,
  ...fields,
});
const note = (why: string) => `Sent from us-west-1: the first control region us-east-2 did not announce this (${why}).`;

describe("shouldAnnounce", () => {
  it.each<[string, Partial<AnnounceInput>, ReturnType<typeof shouldAnnounce>]>([
    ["the first region always posts, without asking", { ownRegion: "us-east-2" }, { announce: true }],
    [
      "the first region posts even when told the other state",
      { ownRegion: "us-east-2", firstRegion: { kind: "state", state: "ALARM" } },
      { announce: true },
    ],
    [
      "the second region stays quiet when the first is in the same state",
      { firstRegion: { kind: "state", state: "ALARM" } },
      { announce: false, reason: "announced by us-east-2" },
    ],
    [
      "the second region stays quiet for an OK the first also has",
      { alarm: { ...alarm, state: "OK" }, firstRegion: { kind: "state", state: "OK" } },
      { announce: false, reason: "announced by us-east-2" },
    ],
    [
      "the second region posts when the first is in another state",
      { firstRegion: { kind: "state", state: "OK" } },
      { announce: true, note: note("its alarm is OK, not ALARM") },
    ],
    [
      "the second region posts when the first does not answer",
      { firstRegion: { kind: "unreachable", problem: "CloudWatch DescribeAlarms in us-east-2 failed" } },
      { announce: true, note: note("its CloudWatch did not answer") },
    ],
    [
      "the second region posts when the first was not asked",
      { firstRegion: undefined },
      { announce: true, note: note("its CloudWatch did not answer") },
    ],
    [
      "the second region posts when the first has no such alarm",
      { firstRegion: { kind: "missing" } },
      { announce: true, note: note("it has no alarm regional-failover-switchover") },
    ],
    [
      "the first region stays quiet when another region's alarm entered the state before its own (it was lost)",
      {
        ownRegion: "us-east-2",
        own: { kind: "state", state: "ALARM", sinceMs: 2_000 },
        others: { "us-west-1": { kind: "state", state: "ALARM", sinceMs: 1_000 } },
      },
      { announce: false, reason: "announced by us-west-1 (its alarm entered ALARM first)" },
    ],
    [
      "the first region posts when the other region's alarm entered the state after its own, at once, or in another state",
      {
        ownRegion: "us-east-2",
        own: { kind: "state", state: "ALARM", sinceMs: 2_000 },
        others: {
          "us-west-1": { kind: "state", state: "ALARM", sinceMs: 2_000 },
          "eu-central-1": { kind: "state", state: "OK", sinceMs: 1_000 },
        },
      },
      { announce: true },
    ],
    [
      "the first region posts when its own alarm's time is unknown",
      {
        ownRegion: "us-east-2",
        own: { kind: "unreachable", problem: "timeout" },
        others: { "us-west-1": { kind: "state", state: "ALARM", sinceMs: 1_000 } },
      },
      { announce: true },
    ],
    [
      "the second region posts when the first region's alarm entered the same state after its own (the first defers)",
      {
        own: { kind: "state", state: "ALARM", sinceMs: 1_000 },
        firstRegion: { kind: "state", state: "ALARM", sinceMs: 2_000 },
      },
      { announce: true, note: note("its alarm entered ALARM after this region's: it leaves it to this one") },
    ],
    [
      "the second region stays quiet when the first region's alarm entered the same state first",
      {
        own: { kind: "state", state: "ALARM", sinceMs: 2_000 },
        firstRegion: { kind: "state", state: "ALARM", sinceMs: 1_000 },
      },
      { announce: false, reason: "announced by us-east-2" },
    ],
    [
      "a message that is not an alarm is posted",
      { alarm: undefined, firstRegion: { kind: "state", state: "ALARM" } },
      { announce: true },
    ],
    [
      "a notifier outside the control regions posts",
      { ownRegion: "eu-west-1", firstRegion: { kind: "state", state: "ALARM" } },
      { announce: true },
    ],
    [
      "a single control region posts",
      { controlRegions: ["us-west-1"], firstRegion: { kind: "state", state: "ALARM" } },
      { announce: true },
    ],
    [
      "a third control region defers to the first too",
      {
        controlRegions: [...controlRegions, "eu-central-1"],
        ownRegion: "eu-central-1",
        firstRegion: { kind: "state", state: "ALARM" },
      },
      { announce: false, reason: "announced by us-east-2" },
    ],
  ])("%s", (_name, fields, expected) => {
    expect(shouldAnnounce(input(fields))).toEqual(expected);
  });
});

describe("regionToAsk", () => {
  it.each<[string, string, AnnounceInput["alarm"], string | undefined]>([
    ["the second region asks the first", "us-west-1", alarm, "us-east-2"],
    ["the first region asks nobody", "us-east-2", alarm, undefined],
    ["nobody asks about a message that is not an alarm", "us-west-1", undefined, undefined],
    ["a region outside the control regions asks nobody", "eu-west-1", alarm, undefined],
  ])("%s", (_name, ownRegion, subject, expected) => {
    expect(regionToAsk(controlRegions, ownRegion, subject)).toBe(expected);
  });
});

describe("regionsToAsk", () => {
  it.each<[string, string, AnnounceInput["alarm"], string[]]>([
    ["the second region asks the first and its own", "us-west-1", alarm, ["us-east-2", "us-west-1"]],
    ["the first region asks every control region", "us-east-2", alarm, ["us-east-2", "us-west-1"]],
    ["nobody asks about a message that is not an alarm", "us-west-1", undefined, []],
    ["a region outside the control regions asks nobody", "eu-west-1", alarm, []],
  ])("%s", (_name, ownRegion, subject, expected) => {
    expect(regionsToAsk(controlRegions, ownRegion, subject)).toEqual(expected);
  });
});

describe("buildSlackMessage with a note", () => {
  it("adds the note to the text and as the last context line", () => {
    // Prepare
    const rawText = JSON.stringify({
      AlarmName: "regional-failover-all-down",
      NewStateValue: "ALARM",
      StateChangeTime: "2025-08-06T12:00:30.123+0000",
    });
    const without = buildSlackMessage({ alarm: parseAlarmMessage(rawText), rawText });

    // Act
    const message = buildSlackMessage({
      alarm: parseAlarmMessage(rawText),
      rawText,
      note: note("its CloudWatch did not answer"),
    });

    // Assess
    expect(message.text).toBe(`${without.text}\n${note("its CloudWatch did not answer")}`);
    expect(message.blocks.slice(0, -1)).toEqual(without.blocks);
    expect(message.blocks.at(-1)).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: `:information_source: ${note("its CloudWatch did not answer")}` }],
    });
  });
});
