import { describe, expect, it } from "vitest";
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import type { ZoneChange } from "../../functions/lib/records/change-batch.ts";
import type { ZoneSnapshot } from "../../functions/lib/records/zone-snapshot.ts";
import { handleManualEvent, type ManualDeps } from "../../functions/lib/manual/handle-event.ts";
import { stateRecordName } from "../../functions/lib/state-document.ts";
import { parseStateDocument } from "../../functions/lib/state-document.ts";
import { handler } from "../../functions/decide.ts";
import { createDecideHandler } from "../../functions/lib/decider/decider.ts";
import {
  allUp,
  capturedLog,
  controlZone,
  primaryDownFromTwo,
  publishVotes,
  recordSets,
  switchoverSum,
  emulatorPerFile,
  metricValues,
} from "../support/control-fixtures.ts";
import { Metric } from "../../functions/lib/metrics.ts";
import { manualClock } from "../support/manual-clock.ts";
import { fastRetry } from "./aws-fixtures.ts";

const emulator = emulatorPerFile();

/** Round starts: a minute boundary in the past, so every timestamp is plausible to CloudWatch. */
const t0 = Math.floor(Date.now() / 60_000) * 60 - 600;

describe("decider handler against the emulator", () => {
  it("drains primary by compare-and-swap after two rounds down from 2 of 3 vantages, and publishes the switchover", async () => {
    const { config, switcher, votes, channel } = await controlZone(emulator.url);
    const { log, entries } = capturedLog();
    const clock = manualClock((t0 + 6) * 1000);
    const decider = createDecideHandler({ config, controlRegion: "us-east-2", clock, switcher, bus: channel, log });
    await publishVotes(votes, t0, primaryDownFromTwo);

    const first = await decider.runRound();
    await publishVotes(votes, t0 + 10, primaryDownFromTwo);
    clock.advance(10_000);
    const second = await decider.runRound();

    expect(first).toMatchObject({ switched: false, weights: { primary: 90, failover: 10 } });
    expect(second).toMatchObject({ kind: "drain", switched: true, attempts: 1, from: { primary: 90, failover: 10 } });
    expect(second.weights.primary).toBe(0);
    expect(second.shift).toMatch(/^primary 90 → 0, failover 10 → \d+$/);
    const snapshot = await switcher.read();
    expect(snapshot.weights).toEqual(second.weights);
    const doc = parseStateDocument(snapshot.state);
    expect(doc.switches).toHaveLength(1);
    expect(doc.switches[0]).toMatchObject({
      mode: "automatic",
      from: { primary: 90, failover: 10 },
      votes: { primary: { "us-east-1": "down", "us-west-2": "down", "eu-west-1": "up" } },
    });
    // One switch, counted once in each control region (the per-target datums carry which targets moved).
    for (const region of config.controlRegions)
      expect(await switchoverSum(emulator.url, config, region, t0, t0 + 60)).toBe(1);
    const shifted = entries().find((entry) => String(entry.msg).startsWith("shifted"));
    expect(shifted).toMatchObject({
      level: "warn",
      votes: { primary: { "us-east-1": "down", "us-west-2": "down", "eu-west-1": "up" } },
    });
  });

  it("sets aside a vantage that alone sees primary down, publishes SuspectChecker for it in its own region, and drains nothing", async () => {
    // Prepare: eu-west-1 sees primary down while the other two see it up, for suspectAfterRounds rounds
    const { config, switcher, votes, channel } = await controlZone(emulator.url);
    const clock = manualClock((t0 + 6) * 1000);
    const logged = capturedLog();
    const decider = createDecideHandler({
      config,
      controlRegion: "us-east-2",
      clock,
      switcher,
      bus: channel,
      log: logged.log,
    });
    const cutOff = { ...allUp, "eu-west-1": { primary: false, failover: true } };
    const rounds = config.policy.suspectAfterRounds;

    // Act
    const outcomes = [];
    for (let round = 0; round < rounds; round++) {
      await publishVotes(votes, t0 + round * 10, cutOff);
      outcomes.push(await decider.runRound());
      clock.advance(10_000);
    }

    // Assess
    expect(outcomes.every((outcome) => !outcome.switched)).toBe(true);
    expect((await switcher.read()).weights).toEqual({ primary: 90, failover: 10 });
    const suspect = { Vantage: "eu-west-1", Target: "primary" };
    const end = t0 + rounds * 10;
    expect(
      await metricValues(emulator.url, config, "us-east-2", Metric.SuspectChecker, suspect, t0, end, "Maximum"),
    ).toEqual([1]);
    expect(
      await metricValues(emulator.url, config, "us-west-1", Metric.SuspectChecker, suspect, t0, end, "Maximum"),
    ).toEqual([]);
    // Which target: the log (the alarm is one per vantage); only the round that set it aside says so
    const decisions = logged.entries().filter((entry) => entry.msg === "decision");
    expect(decisions.map((entry) => entry.suspects)).toEqual([
      ...Array(rounds - 1).fill(undefined),
      [{ vantage: "eu-west-1", target: "primary", reason: "disagrees" }],
    ]);
    // The alarm's input: one series per vantage, whatever the target
    expect(
      await metricValues(
        emulator.url,
        config,
        "us-east-2",
        Metric.SuspectChecker,
        { Vantage: "eu-west-1" },
        t0,
        end,
        "Maximum",
      ),
    ).toEqual([1]);
    const others = { Vantage: "us-east-1", Target: "primary" };
    expect(
      await metricValues(emulator.url, config, "us-east-2", Metric.SuspectChecker, others, t0, end, "Maximum"),
    ).toEqual([]);
  });

  it("two deciders racing in two control regions never fight: one applies, the other re-reads and agrees", async () => {
    const { config, switcher, votes, channel } = await controlZone(emulator.url);
    await publishVotes(votes, t0, primaryDownFromTwo);
    await publishVotes(votes, t0 + 10, primaryDownFromTwo);
    const clock = manualClock((t0 + 16) * 1000);
    const east = createDecideHandler({
      config,
      controlRegion: "us-east-2",
      clock,
      switcher,
      bus: channel,
      log: capturedLog().log,
    });
    // West reads and decides, then east completes a whole round before west's write lands.
    class RacedSwitcher extends Route53Switcher {
      raced = false;
      override async apply(from: ZoneSnapshot, change: ZoneChange) {
        if (!this.raced) {
          this.raced = true;
          await east.runRound();
        }
        return super.apply(from, change);
      }
    }
    const west = createDecideHandler({
      config,
      controlRegion: "us-west-1",
      clock,
      switcher: new RacedSwitcher(config, { endpoint: emulator.url, retry: fastRetry }),
      bus: channel,
      log: capturedLog().log,
    });

    const westOutcome = await west.runRound();
    const [eastAgain, westAgain] = await Promise.all([east.runRound(), west.runRound()]);

    expect(westOutcome).toMatchObject({ switched: false, attempts: 2, kind: "steady" });
    expect(westOutcome.weights.primary).toBe(0);
    expect([eastAgain.switched, westAgain.switched]).toEqual([false, false]);
    const doc = parseStateDocument((await switcher.read()).state);
    expect(doc.switches).toHaveLength(1);
    // Counted once, by the winner, not once per decider.
    for (const region of config.controlRegions)
      expect(await switchoverSum(emulator.url, config, region, t0, t0 + 60)).toBe(1);
  });

  it("in dry run logs and publishes what it would shift, and writes nothing", async () => {
    const { zoneId, config, switcher, votes, channel } = await controlZone(emulator.url, { dryRun: true });
    await publishVotes(votes, t0, primaryDownFromTwo);
    await publishVotes(votes, t0 + 10, primaryDownFromTwo);
    const before = await recordSets(emulator.url, zoneId);
    const { log, entries } = capturedLog();
    const decider = createDecideHandler({
      config,
      controlRegion: "us-east-2",
      clock: manualClock((t0 + 16) * 1000),
      switcher,
      bus: channel,
      log,
    });

    const outcome = await decider.runRound();

    expect(outcome).toMatchObject({
      dryRun: true,
      kind: "drain",
      switched: false,
      applied: false,
      weights: { primary: 90, failover: 10 },
    });
    expect(outcome.shift).toMatch(/^primary 90 → 0, failover 10 → \d+$/);
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
    expect(outcome.published.every((region) => region.ok)).toBe(true);
    expect(
      entries().some((entry) =>
        String(entry.msg).startsWith(
          `dry run: would shift ${outcome.shift} because drained primary: primary down from 2/3 vantages`,
        ),
      ),
    ).toBe(true);
    expect(await switchoverSum(emulator.url, config, "us-east-2", t0, t0 + 60)).toBe(0);
  });

  it("keeps an override lease while it holds and hands control back to the policy when it expires", async () => {
    const { config, switcher, bus, votes, channel, audit } = await controlZone(emulator.url);
    const clock = manualClock((t0 + 6) * 1000);
    const manual = {
      config,
      region: "us-east-2",
      clock,
      switcher,
      bus,
      votes,
      log: capturedLog().log,
      audit,
    } satisfies ManualDeps;
    const decider = createDecideHandler({
      config,
      controlRegion: "us-east-2",
      clock,
      switcher,
      bus: channel,
      log: capturedLog().log,
    });
    const promoted = await handleManualEvent(manual, {
      action: "promote",
      target: "failover",
      reason: "drill",
      ttlSeconds: 60,
      actor: "alice",
    });
    expect(promoted).toMatchObject({ ok: true, to: { primary: 0 } });

    const during: string[] = [];
    for (let round = 0; round < 3; round++) {
      await publishVotes(votes, t0 + round * 10, allUp);
      clock.advance(round === 0 ? 0 : 10_000);
      during.push((await decider.runRound()).kind);
    }
    await publishVotes(votes, t0 + 60, allUp);
    clock.advance(41_000); // t0 + 67: the lease (created t0 + 6, 60 s) expired at t0 + 66
    const after = await decider.runRound();

    expect(during).toEqual(["override", "override", "override"]);
    expect(after).toMatchObject({ kind: "override-ended", switched: true, weights: { primary: 90, failover: 10 } });
    expect((await switcher.read()).weights).toEqual({ primary: 90, failover: 10 });
  });

  it("starts fresh policy memory when the state record is malformed, says so, and repairs it", async () => {
    const { zoneId, config, switcher, votes, channel } = await controlZone(emulator.url);
    const route53 = new Route53Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const name = stateRecordName(config.records[0]?.name ?? "");
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: "CREATE",
              ResourceRecordSet: { Name: name, Type: "TXT", TTL: 60, ResourceRecords: [{ Value: '"{\\"v\\":7}"' }] },
            },
          ],
        },
      }),
    );
    await publishVotes(votes, t0, allUp);
    const { log, entries } = capturedLog();
    const decider = createDecideHandler({
      config,
      controlRegion: "us-east-2",
      clock: manualClock((t0 + 6) * 1000),
      switcher,
      bus: channel,
      log,
    });

    const outcome = await decider.runRound();

    expect(outcome).toMatchObject({ kind: "steady", switched: false, applied: true });
    expect(entries().find((entry) => entry.msg === "state record ignored, starting fresh policy memory")).toMatchObject(
      { level: "warn", problem: expect.stringContaining("state document") },
    );
    expect(parseStateDocument((await switcher.read()).state)).toMatchObject({ v: 1, switches: [] });
  });

  it("runs rounds a few seconds after each aligned probe round until shortly before its budget", async () => {
    const { config, switcher, channel } = await controlZone(emulator.url);
    const clock = manualClock(t0 * 1000 + 200);
    const decider = createDecideHandler({
      config,
      controlRegion: "us-west-1",
      clock,
      switcher,
      bus: channel,
      log: capturedLog().log,
    });

    const outcomes = await decider.run(30_000);

    expect(outcomes.map((outcome) => outcome.at - t0)).toEqual([3, 13, 23]);
    expect(outcomes.every((outcome) => outcome.kind === "unknown" && !outcome.switched)).toBe(true);
  });

  it("skips a round whose slot a starved process overslept, logs it and tells onRoundsSkipped", async () => {
    // Prepare: the wait for the first round (due 3.5 s in) oversleeps by 21 s, as a starved process would.
    const { config, switcher, channel } = await controlZone(emulator.url);
    const base = manualClock(t0 * 1000 + 200);
    let overslept = false;
    const clock = {
      ...base,
      sleep: async (ms: number) => {
        await base.sleep(ms + (overslept ? 0 : 21_000));
        overslept = true;
      },
    };
    const skipped: number[][] = [];
    const captured = capturedLog();
    const decider = createDecideHandler({
      config,
      controlRegion: "us-west-1",
      clock,
      switcher,
      bus: channel,
      log: captured.log,
      onRoundsSkipped: (starts) => skipped.push(starts.map((ms) => ms / 1000 - t0)),
    });
    // Act
    const outcomes = await decider.run(40_000);
    // Assess: awake at 24.7 s, the round due at 13.5 s is a whole interval late and skipped; 23.5 s runs late.
    expect(outcomes.map((outcome) => outcome.at - t0)).toEqual([24, 24, 33]);
    expect(skipped).toEqual([[13.5]]);
    expect(
      captured.entries().some((entry) => entry.msg === "decider rounds skipped: the round before overran their slot"),
    ).toBe(true);
  });

  it("decides again every second while a round is missing a vote, and drains as soon as the last re-checked vote is readable", async () => {
    // Prepare: round t0 all up; in round t0 + 10 two vantages voted primary down and eu-west-1 is still re-checking.
    const { config, switcher, votes, channel } = await controlZone(emulator.url);
    await publishVotes(votes, t0, allUp);
    const down = { primary: false, failover: true };
    await publishVotes(votes, t0 + 10, { "us-east-1": down, "us-west-2": down });
    const base = manualClock((t0 + 10) * 1000 + 200);
    let lateVote = false;
    const clock = {
      ...base,
      sleep: async (ms: number) => {
        await base.sleep(ms);
        // eu-west-1's vote becomes readable 16.5 s into the minute's round t0 + 10.
        if (!lateVote && base.now() >= (t0 + 16.5) * 1000) {
          lateVote = true;
          await publishVotes(votes, t0 + 10, { "eu-west-1": down });
        }
      },
    };
    const decider = createDecideHandler({
      config,
      controlRegion: "us-east-2",
      clock,
      switcher,
      bus: channel,
      log: capturedLog().log,
    });

    // Act
    const outcomes = await decider.run(9_000);

    // Assess: the planned round at 13.5 s waits (a vote is missing), polls each second, and drains once it is readable;
    // the drained primary is no longer in service, so its down votes need no more attention.
    expect(outcomes.map((outcome) => [outcome.at - t0, outcome.kind, outcome.attention])).toEqual([
      [13, "steady", true],
      [14, "steady", true],
      [15, "steady", true],
      [16, "drain", false],
    ]);
    expect((await switcher.read()).weights.primary).toBe(0);
  });

  it("refuses a control region that is not in the config", async () => {
    const { config, switcher, channel } = await controlZone(emulator.url);

    const create = () =>
      createDecideHandler({ config, controlRegion: "eu-central-1", clock: manualClock(0), switcher, bus: channel });

    expect(create).toThrow(/control region "eu-central-1" is not listed in config.controlRegions/);
  });

  it("the Lambda handler wires itself from the environment and runs a round", async () => {
    const { config } = await controlZone(emulator.url);
    const saved = { ...process.env };
    Object.assign(process.env, emulator.env, {
      FAILOVER_CONFIG: JSON.stringify(config),
      AWS_REGION: "us-west-1",
      FAILOVER_DRY_RUN: "1",
    });
    try {
      const result = await handler({ source: "aws.events" }, { getRemainingTimeInMillis: () => 16_500 });

      expect(result.rounds).toBeGreaterThanOrEqual(1);
      expect(result.switched).toBe(0);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
