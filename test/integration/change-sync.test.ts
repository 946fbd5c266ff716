import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditTrailFor } from "../../functions/lib/audit-trail.ts";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { createHostedZone } from "../../emulator/hosted-zone.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { handleManualEvent, type ManualDeps } from "../../functions/lib/manual/handle-event.ts";
import type { ManualResponse } from "../../functions/lib/manual/result.ts";
import { createDecideHandler } from "../../functions/lib/decider/decider.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import {
  capturedLog,
  emulatorVotes,
  patientRetry,
  primaryDownFromTwo,
  publishVotes,
} from "../support/control-fixtures.ts";
import { voteChannel } from "../../functions/lib/wiring/votes.ts";
import { manualClock } from "../support/manual-clock.ts";
import { fastRetry, testConfig } from "./aws-fixtures.ts";

/** Every Route 53 change stays PENDING this long in the emulator, then turns INSYNC. */
const PENDING_SECONDS = 1.5;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ changePendingSeconds: PENDING_SECONDS });
});
beforeEach(async () => {
  await emulator.reset();
});
afterAll(async () => {
  await emulator?.stop();
});

/** Round starts: a minute boundary in the past, so every timestamp is plausible to CloudWatch. */
const t0 = Math.floor(Date.now() / 60_000) * 60 - 600;

/** A zone with its records created, and adapters that poll GetChange every 100 ms; call counters start at 0. */
async function zone() {
  const zoneId = await createHostedZone("example.com", { endpoint: emulator.url });
  const config = testConfig(zoneId);
  const switcher = new Route53Switcher(config, { endpoint: emulator.url, retry: fastRetry, insyncPollMs: 100 });
  await switcher.init();
  const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });
  const votes = await emulatorVotes(emulator.url, config);
  switcher.stats.reset();
  const audit = auditTrailFor(config, "us-east-2", { endpoint: emulator.url, retry: patientRetry });
  return { config, switcher, bus, votes, audit };
}

function ok(response: ManualResponse) {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response;
}

describe("following a Route 53 change until INSYNC", () => {
  it("the decider logs INSYNC after the pending time while its next round runs without waiting for it", async () => {
    const { config, switcher, bus, votes } = await zone();
    for (const at of [t0, t0 + 10, t0 + 20]) await publishVotes(votes, at, primaryDownFromTwo);
    const { log, entries } = capturedLog();
    const decider = createDecideHandler({
      config,
      controlRegion: "us-east-2",
      clock: manualClock(t0 * 1000 + 200),
      switcher,
      bus: voteChannel(votes, bus),
      log,
    });

    const outcomes = await decider.run(30_000);

    // Round t0 (decided at 3.5 s) sees primary down from two of three vantages: not enough to drain, so the
    // decider decides again every second; round t0 + 10's votes (published above) are readable at 10.5 s and
    // drain. Then the planned rounds at 13.5 s and 23.5 s.
    expect(outcomes.map((outcome) => [outcome.at - t0, outcome.switched])).toEqual([
      [3, false],
      [4, false],
      [5, false],
      [6, false],
      [7, false],
      [8, false],
      [9, false],
      [10, true],
      [13, false],
      [23, false],
    ]);
    const lines = entries();
    const insync = lines.findIndex((entry) => entry.msg === "route 53 change INSYNC");
    const followingRound = lines.findIndex((entry) => entry.at === t0 + 13);
    expect(outcomes[7]?.changeId).toEqual(expect.any(String));
    expect(lines[insync]).toMatchObject({ level: "info", controlRegion: "us-east-2", changeId: outcomes[7]?.changeId });
    expect(lines[insync]?.seconds).toBeGreaterThanOrEqual(PENDING_SECONDS);
    // The round after the switch was decided and logged while the change was still PENDING.
    expect(followingRound).toBeGreaterThan(-1);
    expect(followingRound).toBeLessThan(insync);
    expect(lines.filter((entry) => String(entry.msg).startsWith("route 53 change"))).toHaveLength(1);
    expect(switcher.stats.byOperation.GetChange?.calls).toBeGreaterThanOrEqual(2);
    // Nothing re-sent: one ChangeResourceRecordSets per round that wrote.
    expect(switcher.stats.byOperation.ChangeResourceRecordSets?.calls).toBe(
      outcomes.filter((outcome) => outcome.applied).length,
    );
  });

  it("the manual function answers at its bound with insync false when the change is still PENDING, and sends it once", async () => {
    const { config, switcher, bus, votes, audit } = await zone();
    const { log, entries } = capturedLog();
    const manual = {
      config,
      region: "us-east-2",
      clock: manualClock((t0 + 6) * 1000),
      switcher,
      bus,
      votes,
      log,
      syncTimeoutMs: 200,
      audit,
    } satisfies ManualDeps;

    const promoted = ok(
      await handleManualEvent(manual, {
        action: "promote",
        target: "failover",
        reason: "use1 degraded",
        actor: "alice",
      }),
    );

    expect(promoted.action === "promote" && promoted.sync).toMatchObject({
      changeId: promoted.action === "promote" ? promoted.changeId : "",
      insync: false,
    });
    expect(promoted.action === "promote" && promoted.sync?.waitedSeconds).toBeGreaterThanOrEqual(0.2);
    expect(switcher.stats.byOperation.ChangeResourceRecordSets?.calls).toBe(1);
    expect(entries().find((entry) => entry.msg === "route 53 change still PENDING")).toMatchObject({ level: "warn" });
    expect((await switcher.read()).weights.primary).toBe(0);
  });

  it("the manual function reports insync true when the change syncs within its bound", async () => {
    const { config, switcher, bus, votes, audit } = await zone();
    const manual = {
      config,
      region: "us-east-2",
      clock: manualClock((t0 + 6) * 1000),
      switcher,
      bus,
      votes,
      log: capturedLog().log,
      syncTimeoutMs: 5000,
      audit,
    } satisfies ManualDeps;

    const drained = ok(
      await handleManualEvent(manual, { action: "drain", target: "primary", reason: "bad deploy", actor: "alice" }),
    );

    expect(drained).toMatchObject({ action: "drain", problems: [], sync: { insync: true } });
    expect(drained.action === "drain" && drained.sync?.waitedSeconds).toBeGreaterThanOrEqual(PENDING_SECONDS);
    expect(switcher.stats.byOperation.ChangeResourceRecordSets?.calls).toBe(1);
  });

  it("the manual function reports no sync when nothing needed writing", async () => {
    const { config, switcher, bus, votes, audit } = await zone();
    const manual = {
      config,
      region: "us-east-2",
      clock: manualClock((t0 + 6) * 1000),
      switcher,
      bus,
      votes,
      log: capturedLog().log,
      syncTimeoutMs: 0,
      audit,
    } satisfies ManualDeps;
    // The first answer writes the policy's state record; the second finds nothing to write.
    ok(
      await handleManualEvent(manual, {
        action: "release-hold",
        target: "primary",
        reason: "nothing held",
        actor: "alice",
      }),
    );
    switcher.stats.reset();

    const released = ok(
      await handleManualEvent(manual, {
        action: "release-hold",
        target: "primary",
        reason: "nothing held",
        actor: "alice",
      }),
    );

    expect(released).toMatchObject({ action: "release-hold", sync: null });
    expect(switcher.stats.byOperation.GetChange).toBeUndefined();
  });
});
