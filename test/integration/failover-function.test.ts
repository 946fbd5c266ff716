import { describe, expect, it } from "vitest";
import { handleManualEvent, type ManualDeps } from "../../functions/lib/manual/handle-event.ts";
import type { ManualResponse } from "../../functions/lib/manual/result.ts";
import type { emptyStateDocument } from "../../functions/lib/state-document.ts";
import { handler } from "../../functions/failover.ts";
import {
  capturedLog,
  controlZone,
  primaryDownFromTwo,
  publishVotes,
  recordSets,
  emulatorPerFile,
} from "../support/control-fixtures.ts";
import { manualClock } from "../support/manual-clock.ts";
import { testTargets } from "./aws-fixtures.ts";

const emulator = emulatorPerFile();

const t0 = Math.floor(Date.now() / 60_000) * 60 - 600;

async function setup(overrides: Parameters<typeof controlZone>[1] = {}) {
  const zone = await controlZone(emulator.url, overrides);
  const clock = manualClock((t0 + 6) * 1000);
  let leases = 0;
  const manual = {
    config: zone.config,
    region: "us-east-2",
    clock,
    switcher: zone.switcher,
    bus: zone.bus,
    votes: zone.votes,
    log: capturedLog().log,
    newLeaseId: () => `lease-${++leases}`,
    audit: zone.audit,
  } satisfies ManualDeps;
  return { ...zone, clock, manual };
}

function ok(response: ManualResponse) {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response;
}

describe("manual failover function", () => {
  it("status shows weights, health with votes per vantage, no lease and no switchovers on a fresh zone", async () => {
    const { manual, votes } = await setup();
    await publishVotes(votes, t0, primaryDownFromTwo);

    const status = ok(await handleManualEvent(manual, { action: "status", actor: "alice" }));

    expect(status).toMatchObject({
      action: "status",
      weights: { primary: 90, failover: 10 },
      lease: null,
      switches: [],
      problems: [],
    });
    expect(status.action === "status" && status.targets).toEqual([
      {
        id: "primary",
        region: "us-east-1",
        weight: 90,
        normalWeight: 90,
        health: "down",
        votes: { "us-east-1": "down", "us-west-2": "down", "eu-west-1": "up" },
        downRounds: 1,
        upSeconds: 0,
        mode: "in-service",
      },
      {
        id: "failover",
        region: "us-west-2",
        weight: 10,
        normalWeight: 10,
        health: "up",
        votes: { "us-east-1": "up", "us-west-2": "up", "eu-west-1": "up" },
        downRounds: 0,
        upSeconds: 6,
        mode: "in-service",
      },
    ]);
  });

  it("promote writes the lease, the weights and a manual switch event in ONE compare-and-swap batch", async () => {
    const { manual, switcher } = await setup();
    switcher.stats.reset();

    const promoted = ok(
      await handleManualEvent(manual, {
        action: "promote",
        target: "failover",
        reason: "use1 degraded",
        ttlSeconds: 600,
        actor: "alice",
      }),
    );

    expect(switcher.stats.byOperation.ChangeResourceRecordSets?.calls).toBe(1);
    expect(promoted).toMatchObject({
      action: "promote",
      from: { primary: 90, failover: 10 },
      to: { primary: 0 },
      lease: {
        id: "lease-1",
        action: "promote",
        target: "failover",
        actor: "alice",
        reason: "use1 degraded",
        createdAt: t0 + 6,
        expiresAt: t0 + 606,
        active: true,
        expiresInSeconds: 600,
      },
      replaced: null,
      attempts: 1,
    });
    const snapshot = await switcher.read();
    expect(snapshot.lease).toEqual({
      id: "lease-1",
      action: "promote",
      target: "failover",
      createdAt: t0 + 6,
      expiresAt: t0 + 606,
    });
    expect(snapshot.weights.primary).toBe(0);
    expect(snapshot.weights.failover).toBeGreaterThan(0);
    expect(snapshot.state).toMatchObject({
      switches: [{ mode: "manual", audit: "lease-1", from: { primary: 90, failover: 10 } }],
    });
  });

  it("a promote delivered twice with one request id writes once and answers the repeat as already applied", async () => {
    // Prepare: the CLI re-sends after a client timeout, possibly to the other control region
    const { manual, switcher } = await setup();
    const event = {
      action: "promote",
      target: "failover",
      reason: "use1 degraded",
      actor: "alice",
      requestId: "0b7e4a52-8f0c-4d7e-9c55-3f1f1f6c2a10",
    };
    ok(await handleManualEvent(manual, event));
    switcher.stats.reset();
    // Act
    const repeat = ok(await handleManualEvent(manual, event));
    // Assess
    expect(switcher.stats.byOperation.ChangeResourceRecordSets?.calls ?? 0).toBe(0);
    expect(repeat).toMatchObject({
      action: "promote",
      repeated: true,
      from: { primary: 0 },
      to: { primary: 0 },
      lease: { id: event.requestId, actor: "alice" },
      problems: [`request ${event.requestId} was already applied (its lease is in place); nothing was written again`],
    });
    const snapshot = await switcher.read();
    expect((snapshot.state as { switches: unknown[] }).switches).toHaveLength(1);
  });

  it("logs the Lambda request id beside the self-declared actor, to find the real caller in CloudTrail", async () => {
    // Prepare
    const { manual } = await setup();
    const captured = capturedLog();
    // Act
    await handleManualEvent(
      { ...manual, log: captured.log },
      { action: "drain", target: "primary", reason: "bad deploy", actor: "alice" },
      { lambdaRequestId: "7f1c2d3e-0000-4000-8000-000000000001" },
    );
    // Assess
    expect(captured.entries().find((entry) => entry.msg === "manual failover event")).toMatchObject({
      actor: "alice",
      lambdaRequestId: "7f1c2d3e-0000-4000-8000-000000000001",
    });
  });

  it("pin applies exact weights and replaces an active lease, reporting the one it replaced", async () => {
    const { manual, switcher } = await setup();
    ok(await handleManualEvent(manual, { action: "drain", target: "primary", reason: "bad deploy", actor: "alice" }));

    const pinned = ok(
      await handleManualEvent(manual, {
        action: "pin",
        weights: { primary: 50, failover: 50 },
        reason: "split",
        ttlSeconds: 120,
        actor: "bob",
      }),
    );

    expect(pinned).toMatchObject({
      to: { primary: 50, failover: 50 },
      replaced: { id: "lease-1", action: "drain", actor: "alice" },
      lease: { id: "lease-2", expiresInSeconds: 120 },
    });
    expect((await switcher.read()).weights).toEqual({ primary: 50, failover: 50 });
  });

  it("drain takes the lease with the default ttl and leaves the others at their share", async () => {
    const { manual, config } = await setup();

    const drained = ok(
      await handleManualEvent(manual, { action: "drain", target: "primary", reason: "bad deploy", actor: "alice" }),
    );

    expect(drained).toMatchObject({ to: { primary: 0 }, lease: { expiresInSeconds: config.lease.defaultTtlSeconds } });
  });

  it("release deletes the lease, clears flap holds and applies the policy's decision at once", async () => {
    const { manual, switcher, votes } = await setup();
    ok(await handleManualEvent(manual, { action: "promote", target: "failover", reason: "drill", actor: "alice" }));
    // A flap-held primary, as the policy would leave it.
    const snapshot = await switcher.read();
    const doc = snapshot.state as ReturnType<typeof emptyStateDocument>;
    await switcher.apply(snapshot, {
      state: { ...doc, memory: { ...doc.memory, targets: { primary: { mode: "held", since: t0 } } } },
    });
    await publishVotes(votes, t0, primaryDownFromTwo);

    const released = ok(await handleManualEvent(manual, { action: "release", reason: "drill over", actor: "alice" }));

    // The released lease is reported as no longer active (release --json once said active: true).
    expect(released).toMatchObject({
      action: "release",
      lease: { id: "lease-1", active: false },
      releasedHolds: ["primary"],
    });
    expect(released.action === "release" && released.reason).toMatch(
      /^override lease lease-1 ended, automatic policy resumes/,
    );
    const after = await switcher.read();
    expect(after.lease).toBeUndefined();
    expect(after.state).toMatchObject({ memory: { targets: { primary: { mode: "drained" } } } });
    expect(ok(await handleManualEvent(manual, { action: "status", actor: "alice" }))).toMatchObject({ lease: null });
  });

  it("release without a lease is harmless and says there was none", async () => {
    const { manual, zoneId } = await setup();
    const before = await recordSets(emulator.url, zoneId);

    const released = ok(await handleManualEvent(manual, { action: "release", reason: "just in case", actor: "alice" }));

    expect(released).toMatchObject({
      lease: null,
      from: { primary: 90, failover: 10 },
      to: { primary: 90, failover: 10 },
      problems: ["no override lease was in place"],
    });
    // Only the state record may appear (the policy's fresh memory); the weights are untouched.
    expect(
      (await recordSets(emulator.url, zoneId)).filter(
        (set) => !String((set as { Name: string }).Name).startsWith("_state"),
      ),
    ).toEqual(before);
  });

  it("plan says what the decider would do and writes nothing", async () => {
    const { manual, votes, zoneId } = await setup();
    await publishVotes(votes, t0 - 10, primaryDownFromTwo);
    await publishVotes(votes, t0, primaryDownFromTwo);
    const before = await recordSets(emulator.url, zoneId);

    const plan = ok(await handleManualEvent(manual, { action: "plan", actor: "alice" }));

    expect(plan).toMatchObject({
      action: "plan",
      kind: "drain",
      changed: true,
      current: { primary: 90, failover: 10 },
      proposed: { primary: 0 },
    });
    expect(plan.action === "plan" && plan.shift).toMatch(/^primary 90 → 0, failover 10 → \d+$/);
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
  });

  it("init on records that all exist changes nothing and says so", async () => {
    const { manual, zoneId } = await setup();
    const before = await recordSets(emulator.url, zoneId);

    const response = await handleManualEvent(manual, { action: "init", actor: "alice" });

    expect(response).toMatchObject({ ok: true, unchanged: true, created: [], changeId: "" });
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
  });

  it("draining the only weighted target hands its traffic to the zero-weight standby, never to nobody", async () => {
    const { manual } = await setup({ targets: testTargets({ primary: 90, failover: 0 }) });

    const response = await handleManualEvent(manual, {
      action: "drain",
      target: "primary",
      reason: "x",
      actor: "alice",
    });

    expect(response).toMatchObject({ ok: true, from: { primary: 90, failover: 0 }, to: { primary: 0 } });
    expect(response.ok && response.action === "drain" && response.to.failover).toBeGreaterThan(0);
  });

  const malformed: Array<[string, unknown, string]> = [
    ["no event", undefined, "(root)"],
    ["a string", "promote", "(root)"],
    ["an array", [], "(root)"],
    ["no action", { actor: "a", reason: "r" }, "action"],
    ["unknown action", { action: "nuke", actor: "a", reason: "r" }, "action"],
    ["no actor", { action: "status" }, "actor"],
    ["blank actor", { action: "status", actor: "  " }, "actor"],
    ["unknown field", { action: "status", actor: "a", force: true }, "force"],
    ["promote without target", { action: "promote", actor: "a", reason: "r" }, "target"],
    ["promote of an unknown target", { action: "promote", target: "mars", actor: "a", reason: "r" }, "target"],
    ["drain without reason", { action: "drain", target: "primary", actor: "a" }, "reason"],
    ["promote with an empty reason", { action: "promote", target: "failover", actor: "a", reason: "" }, "reason"],
    ["release without reason", { action: "release", actor: "a" }, "reason"],
    [
      "ttl beyond the maximum",
      { action: "promote", target: "failover", actor: "a", reason: "r", ttlSeconds: 86401 },
      "ttlSeconds",
    ],
    ["ttl of zero", { action: "promote", target: "failover", actor: "a", reason: "r", ttlSeconds: 0 }, "ttlSeconds"],
    [
      "ttl not a whole number",
      { action: "promote", target: "failover", actor: "a", reason: "r", ttlSeconds: 1.5 },
      "ttlSeconds",
    ],
    [
      "ttl as text",
      { action: "promote", target: "failover", actor: "a", reason: "r", ttlSeconds: "10m" },
      "ttlSeconds",
    ],
    ["ttl on release", { action: "release", actor: "a", reason: "r", ttlSeconds: 60 }, "ttlSeconds"],
    ["pin without weights", { action: "pin", actor: "a", reason: "r" }, "weights"],
    [
      "pin zeroing everything",
      { action: "pin", weights: { primary: 0, failover: 0 }, actor: "a", reason: "r" },
      "weights",
    ],
    [
      "pin naming an unknown target",
      { action: "pin", weights: { primary: 10, failover: 10, mars: 5 }, actor: "a", reason: "r" },
      "weights.mars",
    ],
    ["pin missing a target", { action: "pin", weights: { primary: 10 }, actor: "a", reason: "r" }, "weights.failover"],
    [
      "pin weight over 255",
      { action: "pin", weights: { primary: 256, failover: 10 }, actor: "a", reason: "r" },
      "weights.primary",
    ],
    [
      "pin negative weight",
      { action: "pin", weights: { primary: -1, failover: 10 }, actor: "a", reason: "r" },
      "weights.primary",
    ],
    [
      "weights on promote",
      { action: "promote", target: "failover", weights: { primary: 1, failover: 1 }, actor: "a", reason: "r" },
      "weights",
    ],
    ["target on release", { action: "release", target: "primary", actor: "a", reason: "r" }, "target"],
    ["release-hold without target", { action: "release-hold", actor: "a", reason: "r" }, "target"],
  ];

  it.each(malformed)("refuses %s with an error naming the field and changes no record", async (_name, event, field) => {
    const { manual, zoneId } = await setup();
    ok(
      await handleManualEvent(manual, {
        action: "promote",
        target: "failover",
        reason: "existing lease",
        actor: "alice",
      }),
    );
    const before = await recordSets(emulator.url, zoneId);

    const response = await handleManualEvent(manual, event);

    expect(response.ok).toBe(false);
    if (response.ok) return;
    expect(response.error.code).toBe("INVALID_INPUT");
    expect(response.error.issues?.map((issue) => issue.path)).toContain(field);
    expect(JSON.stringify(response)).not.toMatch(/\n\s+at /); // no stack trace
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
  });

  it("the Lambda handler answers from the environment's config and reports a missing config as an error, not a crash", async () => {
    const { config } = await setup();
    const saved = { ...process.env };
    try {
      delete process.env.FAILOVER_CONFIG;
      const missing = await handler({ action: "status", actor: "alice" });
      Object.assign(process.env, emulator.env, { FAILOVER_CONFIG: JSON.stringify(config), AWS_REGION: "us-east-2" });
      const status = await handler({ action: "status", actor: "alice" });
      const bad = await handler({ action: "promote", target: "mars", actor: "alice", reason: "r" });

      expect(missing).toMatchObject({ ok: false, error: { code: "CONFIG_MISSING" } });
      expect(status).toMatchObject({ ok: true, action: "status", weights: { primary: 90, failover: 10 } });
      expect(bad).toMatchObject({ ok: false, error: { code: "INVALID_INPUT", issues: [{ path: "target" }] } });
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
