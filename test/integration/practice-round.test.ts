import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { practiceDecider, putAlarmState } from "../support/practice-fixtures.ts";
import { runCli } from "../support/cli-process.ts";
import { allUp, controlZone, emulatorPerFile, publishVotes } from "../support/control-fixtures.ts";
import { manualClock } from "../support/manual-clock.ts";

const emulator = emulatorPerFile();
const dir = mkdtempSync(join(tmpdir(), "failover-practice-round-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Round starts: a minute boundary in the past, so every timestamp is plausible to CloudWatch. */
const t0 = Math.floor(Date.now() / 60_000) * 60 - 600;
const practice = {
  every: "day" as const,
  durationMinutes: 5,
  targets: ["primary"],
  blockingAlarms: [{ name: "deploy-in-progress", region: "us-east-1" }],
  outcomeAlarms: [{ name: "app-5xx-rate", region: "us-west-2" }],
};

/** An alarm in the emulator's CloudWatch, in `state`. */
function alarm(region: string, name: string, state: "OK" | "ALARM"): Promise<void> {
  return putAlarmState(emulator.url, region, name, state);
}

describe("a practice run through the decider round against the emulator", () => {
  it("starts on the schedule, ends FAILED when its outcome alarm fires, is announced once each way, and is listed by failover practice history", async () => {
    // Prepare
    const zone = await controlZone(emulator.url, { practice });
    const { config, votes } = zone;
    await alarm("us-east-1", "deploy-in-progress", "OK");
    await alarm("us-west-2", "app-5xx-rate", "OK");
    const clock = manualClock((t0 + 6) * 1000);
    const { decider, history, announced } = practiceDecider(emulator.url, zone, clock);
    await publishVotes(votes, t0 - 10, allUp);
    await publishVotes(votes, t0, allUp);

    // Act: the run starts; a minute later the outcome alarm is in ALARM
    const started = await decider.runRound();
    const pending = await history.list();
    await alarm("us-west-2", "app-5xx-rate", "ALARM");
    for (let at = t0 + 10; at <= t0 + 60; at += 10) await publishVotes(votes, at, allUp);
    clock.advance(60_000);
    const ended = await decider.runRound();
    const again = await decider.runRound();

    // Assess
    expect(started).toMatchObject({ kind: "practice-start", switched: true, weights: { primary: 0, failover: 100 } });
    expect(pending.records).toMatchObject([{ outcome: "PENDING", target: "primary", by: "schedule" }]);
    expect(ended).toMatchObject({ kind: "practice-end", switched: true, weights: { primary: 90, failover: 10 } });
    expect(again.kind).not.toBe("practice-start");
    expect(announced.map((event) => [event.kind, event.practice?.outcome])).toEqual([
      ["practice-started", undefined],
      ["practice-ended", "FAILED"],
    ]);
    const { records, problems } = await history.list();
    expect(problems).toEqual([]);
    expect(records).toMatchObject([
      {
        outcome: "FAILED",
        reason: "outcome alarm app-5xx-rate (us-west-2): ALARM",
        times: { drainDecided: t0 + 6, restoreDecided: t0 + 66 },
      },
    ]);
    const configPath = join(dir, "failover.config.json");
    writeFileSync(configPath, JSON.stringify(config));
    const cli = await runCli(["practice", "history"], { ...emulator.env, FAILOVER_CONFIG_FILE: configPath });
    expect(cli).toMatchObject({ code: 0, stderr: "" });
    expect(cli.stdout).toMatch(/primary\s+schedule\s+FAILED\s+60\.0/);
  });
});
