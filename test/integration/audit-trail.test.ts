import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { describe, expect, it } from "vitest";
import { AUDIT_UNAVAILABLE, auditParameterName } from "../../functions/lib/audit-trail.ts";
import { ParameterStore } from "../../functions/lib/aws/ssm.ts";
import { createDecideHandler } from "../../functions/lib/decider/decider.ts";
import { handleManualEvent, type ManualDeps } from "../../functions/lib/manual/handle-event.ts";
import type { ManualResponse } from "../../functions/lib/manual/result.ts";
import { leaseRecordName } from "../../functions/lib/lease.ts";
import type { FailoverEvent } from "../../functions/lib/slack/failover-event.ts";
import {
  allUp,
  capturedLog,
  controlZone,
  emulatorPerFile,
  patientRetry,
  publishVotes,
  recordSets,
  switchoverSum,
} from "../support/control-fixtures.ts";
import { manualClock } from "../support/manual-clock.ts";

const emulator = emulatorPerFile();
const t0 = Math.floor(Date.now() / 60_000) * 60 - 600;

/** A manual function whose announcements are kept, over the emulator's Route 53, CloudWatch and SSM. */
async function setup() {
  const zone = await controlZone(emulator.url);
  await publishVotes(zone.votes, t0, allUp);
  const announced: FailoverEvent[] = [];
  let releases = 0;
  const manual = {
    config: zone.config,
    region: "us-east-2",
    clock: manualClock((t0 + 6) * 1000),
    switcher: zone.switcher,
    bus: zone.bus,
    votes: zone.votes,
    log: capturedLog().log,
    newLeaseId: () => "lease-1",
    newReleaseId: () => `release-${++releases}`,
    syncTimeoutMs: 0,
    audit: zone.audit,
    announce: async (event) => {
      announced.push(event);
      return { region: "us-east-2", problems: [] };
    },
  } satisfies ManualDeps;
  return { ...zone, manual, announced };
}

function ok(response: ManualResponse) {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response;
}

const promote = {
  action: "promote",
  target: "failover",
  reason: 'use1 5xx <!channel> "quoted"',
  actor: "alice@example.com",
};

describe("the audit trail: who and why in SSM, only ids in public DNS (emulator)", () => {
  it("keeps the reason and actor out of the TXT records, in characters that need no escaping", async () => {
    // Prepare
    const { manual, zoneId } = await setup();

    // Act
    ok(await handleManualEvent(manual, promote, { lambdaRequestId: "req-123" }));

    // Assess
    const txt = (await recordSets(emulator.url, zoneId)).filter((set) => (set as { Type: string }).Type === "TXT");
    const values = txt.flatMap((set) => (set as { ResourceRecords: Array<{ Value: string }> }).ResourceRecords);
    expect(txt.map((set) => (set as { Name: string }).Name).sort()).toEqual([
      "_lease._failover.api.example.com.",
      "_state._failover.api.example.com.",
    ]);
    for (const { Value } of values) expect(Value).toMatch(/^"rf2:[A-Za-z0-9_-]+"( "[A-Za-z0-9_-]+")*$/);
    const decoded = values.map(({ Value }) =>
      Value.split(" ")
        .map((part) => part.slice(1, -1))
        .join(""),
    );
    const text = decoded.map((value) => Buffer.from(value.slice(4), "base64url").toString("utf8")).join("\n");
    expect(text).toContain('"lease-1"');
    expect(text).not.toContain("alice");
    expect(text).not.toContain("5xx");
  });

  it("writes the entry in every control region before the lease, with the Lambda request id", async () => {
    // Prepare
    const { manual, config } = await setup();

    // Act
    ok(await handleManualEvent(manual, promote, { lambdaRequestId: "req-123" }));

    // Assess
    for (const region of config.controlRegions) {
      const stored = await new ParameterStore({ region, endpoint: emulator.url, retry: patientRetry }).get(
        auditParameterName(config.name, "lease-1"),
      );
      expect(JSON.parse(stored ?? "null")).toEqual({
        v: 1,
        id: "lease-1",
        action: "promote",
        actor: "alice@example.com",
        reason: 'use1 5xx <!channel> "quoted"',
        at: t0 + 6,
        lambdaRequestId: "req-123",
      });
    }
  });

  it("status, release and the release's Slack event show who and why, read back from SSM", async () => {
    // Prepare
    const { manual, announced } = await setup();
    ok(await handleManualEvent(manual, promote));

    // Act
    const status = ok(await handleManualEvent(manual, { action: "status", actor: "bob" }));
    const released = ok(await handleManualEvent(manual, { action: "release", reason: "fixed", actor: "bob" }));

    // Assess
    expect(status).toMatchObject({
      lease: { id: "lease-1", actor: "alice@example.com", reason: 'use1 5xx <!channel> "quoted"' },
      switches: [{ mode: "manual", audit: "lease-1", actor: "alice@example.com" }],
    });
    expect(released).toMatchObject({
      lease: { id: "lease-1", actor: "alice@example.com", reason: 'use1 5xx <!channel> "quoted"', active: false },
    });
    expect(announced.map((event) => event.kind)).toEqual(["override-taken", "override-released"]);
    expect(announced[1]).toMatchObject({
      by: { mode: "manual", actor: "bob" },
      reason: "fixed",
      lease: { id: "lease-1", actor: "alice@example.com", reason: 'use1 5xx <!channel> "quoted"' },
    });
    const afterRelease = ok(await handleManualEvent(manual, { action: "status", actor: "bob" }));
    expect(afterRelease).toMatchObject({
      switches: [{ audit: "release-1", actor: "bob" }, { actor: "alice@example.com" }],
    });
  });

  it("shows a missing entry as (audit unavailable) and still drains", async () => {
    // Prepare: a lease whose entry is gone (deleted, or never stored when SSM was down)
    const { manual, switcher } = await setup();
    await switcher.update(() => ({
      change: {
        lease: {
          id: "lease-0",
          action: "pin",
          weights: { primary: 50, failover: 50 },
          createdAt: t0,
          expiresAt: t0 + 3600,
        },
      },
      decided: undefined,
    }));

    // Act
    const status = ok(await handleManualEvent(manual, { action: "status", actor: "bob" }));
    const drained = ok(
      await handleManualEvent(manual, { action: "drain", target: "primary", reason: "bad deploy", actor: "bob" }),
    );

    // Assess
    expect(status).toMatchObject({ lease: { id: "lease-0", actor: AUDIT_UNAVAILABLE, reason: AUDIT_UNAVAILABLE } });
    expect(drained).toMatchObject({
      to: { primary: 0, failover: 100 },
      replaced: { id: "lease-0", actor: AUDIT_UNAVAILABLE, reason: AUDIT_UNAVAILABLE },
    });
  });

  it("reads a lease record in the older JSON format (actor and reason dropped) and replaces it in the new one", async () => {
    // Prepare: what an earlier version wrote, free text and all
    const { manual, config, zoneId, switcher } = await setup();
    const name = leaseRecordName(config.records[0]?.name ?? "");
    const old = `"{\\"id\\":\\"lease-0\\",\\"action\\":\\"drain\\",\\"target\\":\\"primary\\",\\"actor\\":\\"carol\\",\\"reason\\":\\"old\\",\\"createdAt\\":${t0},\\"expiresAt\\":${t0 + 3600}}"`;
    await new Route53Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    }).send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: "CREATE",
              ResourceRecordSet: { Name: name, Type: "TXT", TTL: 60, ResourceRecords: [{ Value: old }] },
            },
          ],
        },
      }),
    );

    // Act
    const status = ok(await handleManualEvent(manual, { action: "status", actor: "bob" }));
    ok(await handleManualEvent(manual, promote));

    // Assess
    expect(status).toMatchObject({
      lease: { id: "lease-0", action: "drain", target: "primary", actor: AUDIT_UNAVAILABLE },
      problems: [],
    });
    expect(JSON.stringify(await switcher.read())).not.toContain("carol");
    const lease = (await recordSets(emulator.url, zoneId)).find((set) => (set as { Name: string }).Name === `${name}.`);
    expect(JSON.stringify(lease)).toMatch(/"Value":"\\"rf2:/);
  });

  it("the decider announces an expired lease with who took it and why", async () => {
    // Prepare: a lease that ran out a minute ago, and its entry
    const { manual, config, switcher, votes, channel, audit } = await setup();
    ok(await handleManualEvent(manual, { ...promote, ttlSeconds: 60 }));
    const later = t0 + 6 + 120;
    await publishVotes(votes, later - 6, allUp);
    const announced: FailoverEvent[] = [];
    const decider = createDecideHandler({
      config,
      controlRegion: "us-east-2",
      clock: manualClock(later * 1000),
      switcher,
      bus: channel,
      log: capturedLog().log,
      audit,
      announce: async (event) => {
        announced.push(event);
        return { region: "us-east-2", problems: [] };
      },
    });

    // Act
    await decider.runRound();

    // Assess
    expect(announced).toContainEqual(
      expect.objectContaining({
        kind: "override-expired",
        lease: expect.objectContaining({
          id: "lease-1",
          actor: "alice@example.com",
          reason: 'use1 5xx <!channel> "quoted"',
        }),
      }),
    );
  });
});

describe("a lease's audit entry is written once, by the request that took the lease (emulator)", () => {
  /** The entry of `id` as stored in each control region. */
  async function storedEntries(config: { name: string; controlRegions: string[] }, id: string) {
    return Promise.all(
      config.controlRegions.map(async (region) =>
        JSON.parse(
          (await new ParameterStore({ region, endpoint: emulator.url, retry: patientRetry }).get(
            auditParameterName(config.name, id),
          )) ?? "null",
        ),
      ),
    );
  }

  it.each([
    ["while the lease is in place", false],
    ["after the lease was released", true],
  ])(
    "refuses the public lease id sent again as requestId with another actor and reason, %s",
    async (_when, release) => {
      // Prepare: alice's lease; its id is public in the lease TXT record
      const { manual: base, config, zoneId, announced } = await setup();
      const manual = { ...base, newLeaseId: () => "lease-0a1b2c3d" };
      ok(await handleManualEvent(manual, promote));
      if (release)
        ok(await handleManualEvent(manual, { action: "release", reason: "fixed", actor: "alice@example.com" }));
      const recordsBefore = await recordSets(emulator.url, zoneId);
      const announcedBefore = announced.length;

      // Act
      const forged = await handleManualEvent(manual, {
        ...promote,
        actor: "mallory",
        reason: "routine",
        requestId: "lease-0a1b2c3d",
      });

      // Assess
      expect(forged).toMatchObject({ ok: false, error: { code: "REQUEST_ID_REUSED" } });
      expect(JSON.stringify(forged)).toMatch(/actor and reason differ.*refused, nothing was changed/);
      expect(await storedEntries(config, "lease-0a1b2c3d")).toEqual(
        config.controlRegions.map(() =>
          expect.objectContaining({ actor: "alice@example.com", reason: promote.reason }),
        ),
      );
      expect(await recordSets(emulator.url, zoneId)).toEqual(recordsBefore);
      expect(announced).toHaveLength(announcedBefore);
    },
  );

  it("answers a true retry (same action, actor and reason) as already applied, the entry as first written", async () => {
    // Prepare
    const { manual, config } = await setup();
    const first = ok(await handleManualEvent(manual, { ...promote, requestId: "req-0001" }, { lambdaRequestId: "a" }));

    // Act
    const retry = ok(await handleManualEvent(manual, { ...promote, requestId: "req-0001" }, { lambdaRequestId: "b" }));

    // Assess
    expect(first).toMatchObject({ lease: { id: "req-0001" }, to: { primary: 0, failover: 100 } });
    expect(retry).toMatchObject({ repeated: true, lease: { id: "req-0001", actor: "alice@example.com" } });
    expect(await storedEntries(config, "req-0001")).toEqual(
      config.controlRegions.map(() => expect.objectContaining({ lambdaRequestId: "a" })),
    );
  });

  it("writes no entry for a lease in place whose entry was never stored: it cannot be claimed afterwards", async () => {
    // Prepare: a lease whose entry was never stored (SSM was down when it was taken)
    const { manual, switcher, config } = await setup();
    await switcher.update(() => ({
      change: {
        lease: { id: "lease-00000000", action: "drain", target: "primary", createdAt: t0, expiresAt: t0 + 3600 },
      },
      decided: undefined,
    }));

    // Act
    const claimed = ok(
      await handleManualEvent(manual, {
        ...promote,
        target: "primary",
        action: "drain",
        actor: "mallory",
        requestId: "lease-00000000",
      }),
    );

    // Assess
    expect(claimed).toMatchObject({ repeated: true, lease: { id: "lease-00000000", actor: AUDIT_UNAVAILABLE } });
    expect(claimed.problems.join("\n")).toContain("cannot be confirmed as a retry; nothing was written");
    expect(await storedEntries(config, "lease-00000000")).toEqual(config.controlRegions.map(() => null));
  });
});

describe("every manual switch counts once on the Switchover metric in every control region (emulator)", () => {
  it("counts a promote and its release once each, and a retried promote not again", async () => {
    // Prepare
    const { manual, config } = await setup();

    // Act
    ok(await handleManualEvent(manual, { ...promote, requestId: "req-0002" }));
    const afterPromote = await Promise.all(
      config.controlRegions.map((region) => switchoverSum(emulator.url, config, region, t0, t0 + 60)),
    );
    ok(await handleManualEvent(manual, { ...promote, requestId: "req-0002" }));
    ok(await handleManualEvent(manual, { action: "release", reason: "fixed", actor: "bob" }));

    // Assess
    expect(afterPromote).toEqual(config.controlRegions.map(() => 1));
    for (const region of config.controlRegions)
      expect(await switchoverSum(emulator.url, config, region, t0, t0 + 60)).toBe(2);
  });
});
