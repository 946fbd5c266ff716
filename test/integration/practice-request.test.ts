import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { practiceDecider, putAlarmState } from "../support/practice-fixtures.ts";
import { runCli } from "../support/cli-process.ts";
import { allUp, controlZone, emulatorPerFile, publishVotes, recordSets } from "../support/control-fixtures.ts";
import { manualClock } from "../support/manual-clock.ts";

const emulator = emulatorPerFile();
const dir = mkdtempSync(join(tmpdir(), "failover-practice-request-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Decider rounds: a minute boundary in the past, so every timestamp is plausible to CloudWatch. */
const t0 = Math.floor(Date.now() / 60_000) * 60 - 600;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** Every date the test may run on is blocked: no scheduled run starts, so a run here is on-call's. */
const practice = {
  every: "day" as const,
  durationMinutes: 5,
  targets: ["primary"],
  blockedDates: [day(-1), day(0), day(1)],
  blockingAlarms: [{ name: "deploy-in-progress", region: "us-east-1" }],
  outcomeAlarms: [{ name: "app-5xx-rate", region: "us-west-2" }],
};

/** A zone with practice runs configured, its config file for the CLI, healthy votes where `--direct` and the decider read them. */
async function practiceZone() {
  const zone = await controlZone(emulator.url, { practice });
  const { config, votes } = zone;
  await putAlarmState(emulator.url, "us-east-1", "deploy-in-progress", "OK");
  await putAlarmState(emulator.url, "us-west-2", "app-5xx-rate", "OK");
  // Healthy rounds at the real time, where `failover --direct` reads the probe window, and at t0 for the decider.
  const period = config.probe.intervalSeconds;
  const round = Math.floor(Date.now() / 1000 / period) * period;
  for (const at of [round - period, round, t0 - 10, t0]) await publishVotes(votes, at, allUp);
  const configPath = join(dir, "failover.config.json");
  writeFileSync(configPath, JSON.stringify(config));
  const env = { ...emulator.env, FAILOVER_CONFIG_FILE: configPath, USER: "oncall-alice" };
  return { ...zone, env };
}

describe("failover practice start and cancel against the emulator", () => {
  it("start asks for a run that the next decider round starts and announces once; cancel ends it INTERRUPTED; both are in the audit trail", async () => {
    // Prepare
    const zone = await practiceZone();
    const { votes, audit, zoneId, env } = zone;
    const clock = manualClock((t0 + 6) * 1000);
    const { decider, history, announced } = practiceDecider(emulator.url, zone, clock);
    const quietRound = await decider.runRound();

    // Act: on-call asks for a run; a round starts it; a second ask is refused; on-call cancels; a round ends it
    const start = await runCli(["practice", "start", "--reason", "game day", "--direct", "--yes", "--json"], env);
    const weightsAfterAsk = await recordSets(emulator.url, zoneId);
    const started = await decider.runRound();
    const again = await runCli(["practice", "start", "primary", "--reason", "twice", "--direct", "--yes"], env);
    const cancel = await runCli(["practice", "cancel", "--reason", "launch starting", "--direct", "--yes"], env);
    for (let at = t0 + 10; at <= t0 + 60; at += 10) await publishVotes(votes, at, allUp);
    clock.advance(60_000);
    const ended = await decider.runRound();
    const after = await decider.runRound();

    // Assess
    expect(quietRound.kind).not.toBe("practice-start");
    expect(start, start.stdout).toMatchObject({ code: 0, stderr: "" });
    const asked = JSON.parse(start.stdout) as { ok: boolean; id: string; target: string };
    expect(asked).toMatchObject({ ok: true, action: "practice-start", target: "primary" });
    expect(JSON.stringify(weightsAfterAsk)).toContain('"Weight":90');
    expect(started).toMatchObject({ kind: "practice-start", switched: true, weights: { primary: 0, failover: 100 } });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /pre-check running failed: practice run practice-primary-\d+ is in progress; nothing was changed/,
    );
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain("Cancel of the practice run on primary requested");
    expect(ended).toMatchObject({ kind: "practice-end", switched: true });
    expect(after.kind).not.toMatch(/^practice-/);
    expect(announced.map((event) => [event.kind, event.practice?.outcome])).toEqual([
      ["practice-started", undefined],
      ["practice-ended", "INTERRUPTED"],
    ]);
    const { records, problems } = await history.list();
    expect(problems).toEqual([]);
    expect(records).toMatchObject([
      {
        by: asked.id,
        target: "primary",
        outcome: "INTERRUPTED",
        reason: expect.stringMatching(/^cancelled by on-call/),
      },
    ]);
    expect((await audit.read(asked.id)).entry).toMatchObject({
      action: "practice-start",
      actor: "oncall-alice",
      reason: "game day",
    });
  });

  it("a requested run the decider finds blocked by an alarm is skipped, with the reason in the history, and moves nothing", async () => {
    // Prepare
    const zone = await practiceZone();
    const { zoneId, env } = zone;
    await putAlarmState(emulator.url, "us-east-1", "deploy-in-progress", "ALARM");
    const { decider, history, announced } = practiceDecider(emulator.url, zone, manualClock((t0 + 6) * 1000));

    await decider.runRound();

    // Act
    const start = await runCli(["practice", "start", "primary", "--reason", "game day", "--direct", "--yes"], env);
    const before = await recordSets(emulator.url, zoneId);
    const round = await decider.runRound();
    const { records, problems } = await history.list();
    const cli = await runCli(["practice", "history"], env);

    // Assess
    expect(start.code).toBe(0);
    expect(start.stdout).toContain("Practice run on primary requested");
    expect(round.kind).not.toMatch(/^practice-/);
    expect(round.switched).toBe(false);
    expect(announced).toEqual([]);
    expect(problems).toEqual([]);
    expect(records).toMatchObject([
      { target: "primary", outcome: "SKIPPED", reason: "blocking alarm deploy-in-progress (us-east-1): ALARM not OK" },
    ]);
    expect(cli.stdout).toMatch(/primary\s+practice-start-[0-9a-f]{8}\s+SKIPPED/);
    // Only the state record changed (the skip, told once): the weighted records are as they were.
    const weighted = (sets: unknown[]) => sets.filter((set) => (set as { Type: string }).Type !== "TXT");
    expect(weighted(await recordSets(emulator.url, zoneId))).toEqual(weighted(before));
  });

  it("refuses bad arguments, a cancel with no run in progress and a start before any decider round, saying why, and changes nothing", async () => {
    // Prepare
    const { zoneId, env } = await practiceZone();
    const before = await recordSets(emulator.url, zoneId);

    // Act
    const [noState, mars, noReason, extra, noRun] = await Promise.all([
      runCli(["practice", "start", "primary", "--reason", "x", "--direct", "--yes"], env),
      runCli(["practice", "start", "mars", "--reason", "x", "--direct", "--yes"], env),
      runCli(["practice", "start", "--direct", "--yes"], env),
      runCli(["practice", "cancel", "primary", "--reason", "x", "--direct", "--yes"], env),
      runCli(["practice", "cancel", "--reason", "x", "--direct", "--yes"], env),
    ]);

    // Assess
    expect(noState.code).toBe(1);
    expect(noState.stderr).toContain("the deciders have not written their memory yet; nothing was changed");
    expect(mars.code).toBe(2);
    expect(mars.stderr).toContain("<target>");
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain("--reason");
    expect(extra.code).toBe(2);
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toContain("no practice run is in progress: nothing to cancel; nothing was changed");
    for (const run of [noState, mars, noReason, extra, noRun]) expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
  });
});
