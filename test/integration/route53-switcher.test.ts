import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { createHostedZone } from "../../emulator/hosted-zone.ts";
import { Route53Error } from "../../functions/lib/records/route53-error.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import type { ZoneChange } from "../../functions/lib/records/change-batch.ts";
import type { ZoneSnapshot } from "../../functions/lib/records/zone-snapshot.ts";
import type { OverrideLease } from "../../functions/lib/lease.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { fastRetry, testConfig } from "./aws-fixtures.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ changePendingSeconds: 0.3 });
});
beforeEach(async () => {
  await emulator.reset();
});
afterAll(async () => {
  await emulator?.stop();
});

async function initialised(overrides: Parameters<typeof testConfig>[1] = {}, pageSize?: number) {
  const zoneId = await createHostedZone("example.com", { endpoint: emulator.url });
  const config = testConfig(zoneId, overrides);
  const switcher = new Route53Switcher(config, {
    endpoint: emulator.url,
    retry: fastRetry,
    insyncPollMs: 50,
    ...(pageSize ? { pageSize } : {}),
  });
  await switcher.init();
  return { zoneId, config, switcher };
}

/** A switcher whose config has a third target, "third", beside `config`'s: its record is not in the zone. */
function widerSwitcher(zoneId: string, config: ReturnType<typeof testConfig>): Route53Switcher {
  const third = {
    id: "third",
    region: "eu-west-1",
    healthUrl: "https://euw1.example.com/health",
    weight: 5,
    records: { "api.example.com": { values: ["192.0.2.30"] } },
  };
  return new Route53Switcher(testConfig(zoneId, { targets: [...config.targets, third] }), {
    endpoint: emulator.url,
    retry: fastRetry,
  });
}

/** Writes the lease record with a plain SDK client: what the adapter refuses to write (a malformed lease). */
async function writeRawLease(zoneId: string, txtValue: string): Promise<void> {
  const client = new Route53Client({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await client.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: "CREATE",
            ResourceRecordSet: {
              Name: "_lease._failover.api.example.com",
              Type: "TXT",
              TTL: 60,
              ResourceRecords: [{ Value: txtValue }],
            },
          },
        ],
      },
    }),
  );
}

const lease: OverrideLease = {
  id: "l-1",
  action: "promote",
  target: "failover",
  createdAt: 1000,
  expiresAt: 4600,
};

describe("Route53Switcher", () => {
  it("reads the weights init created, in one ListResourceRecordSets call", async () => {
    const { switcher } = await initialised();
    switcher.stats.reset();

    const snapshot = await switcher.read();

    expect(snapshot.weights).toEqual({ primary: 90, failover: 10 });
    expect(snapshot.lease).toBeUndefined();
    expect(snapshot.state).toBeUndefined();
    expect(snapshot.drift).toEqual([]);
    expect(switcher.stats.byOperation.ListResourceRecordSets?.calls).toBe(1);
  });

  it("switches weights with one DELETE+CREATE batch and reads them back", async () => {
    const { switcher } = await initialised();
    const before = await switcher.read();

    const result = await switcher.apply(before, { weights: { primary: 0, failover: 10 } });
    const after = await switcher.read();

    expect(result.changeId).toMatch(/^\/change\/C/);
    expect(after.weights).toEqual({ primary: 0, failover: 10 });
    expect(switcher.stats.byOperation.ChangeResourceRecordSets?.calls).toBe(2); // init + apply
  });

  it("fails a batch built from a stale read with ROUTE53_CONFLICT and changes nothing", async () => {
    const { switcher } = await initialised();
    const stale = await switcher.read();
    await switcher.apply(stale, { weights: { primary: 50 } });

    const error = await switcher.apply(stale, { weights: { primary: 0 } }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Route53Error);
    expect((error as Route53Error).code).toBe("ROUTE53_CONFLICT");
    expect((error as Route53Error).messages[0]).toMatch(/do not match the current values/);
    expect((await switcher.read()).weights).toEqual({ primary: 50, failover: 10 });
  });

  it("update() re-reads after losing the compare-and-swap and decides again on the fresh snapshot", async () => {
    const { config, switcher: rival } = await initialised();
    class RacedSwitcher extends Route53Switcher {
      raced = false;
      override async apply(from: ZoneSnapshot, change: ZoneChange) {
        // The other decider commits between this read and this apply, once.
        if (!this.raced) {
          this.raced = true;
          await rival.apply(from, { weights: { failover: 20 } });
        }
        return super.apply(from, change);
      }
    }
    const switcher = new RacedSwitcher(config, { endpoint: emulator.url, retry: fastRetry });
    const seen: Array<number | undefined> = [];

    const result = await switcher.update((snapshot) => {
      seen.push(snapshot.weights.failover);
      return { change: { weights: { primary: 50 } }, decided: undefined };
    });

    expect(result.applied).toBe(true);
    expect(result.attempts).toBe(2);
    expect(seen).toEqual([10, 20]);
    expect((await switcher.read()).weights).toEqual({ primary: 50, failover: 20 });
  });

  it("two concurrent update() calls never lose an update", async () => {
    const { config, switcher } = await initialised();
    const other = new Route53Switcher(config, { endpoint: emulator.url, retry: fastRetry });
    const plan = (snapshot: ZoneSnapshot) => ({
      change: { weights: { primary: (snapshot.weights.primary ?? 0) + 1 } },
      decided: undefined,
    });

    const results = await Promise.all([
      switcher.update(plan, { maxAttempts: 5 }),
      other.update(plan, { maxAttempts: 5 }),
    ]);

    expect(results.every((r) => r.applied)).toBe(true);
    expect((await switcher.read()).weights.primary).toBe(92);
  });

  it("refuses a change that would leave every target at weight 0", async () => {
    const { switcher } = await initialised();
    const snapshot = await switcher.read();

    const error = await switcher.apply(snapshot, { weights: { primary: 0, failover: 0 } }).catch((e: unknown) => e);

    expect((error as Route53Error).code).toBe("ROUTE53_ALL_ZERO");
    expect((await switcher.read()).weights).toEqual({ primary: 90, failover: 10 });
  });

  it("names a target that has no record as ROUTE53_MISSING_RECORD", async () => {
    const { zoneId, config } = await initialised();

    const error = await widerSwitcher(zoneId, config)
      .read()
      .catch((e: unknown) => e);

    expect((error as Route53Error).code).toBe("ROUTE53_MISSING_RECORD");
    expect((error as Route53Error).message).toContain('api.example.com A "third"');
  });

  it("names a record no target owns as ROUTE53_UNEXPECTED_RECORD", async () => {
    const third = {
      id: "old-eu",
      region: "eu-west-1",
      healthUrl: "https://euw1.example.com/health",
      weight: 5,
      records: { "api.example.com": { values: ["192.0.2.30"] } },
    };
    const base = testConfig("Z0PLACEHOLDER");
    const { zoneId } = await initialised({ targets: [...base.targets, third] });
    const narrow = new Route53Switcher(testConfig(zoneId), { endpoint: emulator.url, retry: fastRetry });

    const error = await narrow.read().catch((e: unknown) => e);

    expect((error as Route53Error).code).toBe("ROUTE53_UNEXPECTED_RECORD");
    expect((error as Route53Error).message).toContain('"old-eu" belongs to no target');
  });

  it("init run again sends nothing and names the records it found", async () => {
    const { switcher } = await initialised();

    const again = await switcher.init();

    expect(again).toMatchObject({ created: [], replaced: [], changeId: "" });
    expect([...(again.unchanged ?? [])].sort()).toEqual([
      'api.example.com A "failover"',
      'api.example.com A "primary"',
    ]);
  });

  it("init refuses to overwrite when only some of the weighted records exist", async () => {
    const { zoneId, config } = await initialised();

    const error = await widerSwitcher(zoneId, config)
      .init()
      .catch((e: unknown) => e);

    expect((error as Route53Error).code).toBe("ROUTE53_EXISTS");
    expect((error as Route53Error).message).toContain("init creates all of");
  });

  it("writes the lease and the state in the same batch as the weights and reads them back", async () => {
    const { switcher } = await initialised();
    const state = { v: 1, memory: { note: "x".repeat(700), quote: '"', backslash: "\\", accent: "é" }, switches: [] };

    await switcher.apply(await switcher.read(), { weights: { primary: 0, failover: 100 }, lease, state });
    const after = await switcher.read();

    expect(switcher.stats.byOperation.ChangeResourceRecordSets?.calls).toBe(2);
    expect(after.weights).toEqual({ primary: 0, failover: 100 });
    expect(after.lease).toEqual(lease);
    expect(after.leaseProblem).toBeUndefined();
    expect(after.state).toEqual(state);
    expect(after.stateRecord?.ResourceRecords?.[0]?.Value.split('" "').length).toBeGreaterThan(2);
  });

  it("deletes the lease with lease: null, by compare-and-swap", async () => {
    const { switcher } = await initialised();
    await switcher.apply(await switcher.read(), { lease });

    await switcher.apply(await switcher.read(), { lease: null });

    expect((await switcher.read()).lease).toBeUndefined();
  });

  it("ignores a malformed lease and says why", async () => {
    const { zoneId, switcher } = await initialised();
    const notALease = JSON.stringify({ id: "x", action: "nuke" }).replace(/"/g, '\\"');
    await writeRawLease(zoneId, `"${notALease}"`);

    const snapshot = await switcher.read();

    expect(snapshot.lease).toBeUndefined();
    expect(snapshot.leaseProblem).toMatch(/action/);
    expect(snapshot.weights).toEqual({ primary: 90, failover: 10 });
  });

  it("replaces a malformed lease by compare-and-swap", async () => {
    const { zoneId, switcher } = await initialised();
    await writeRawLease(zoneId, '"not json"');

    await switcher.apply(await switcher.read(), { lease });

    expect((await switcher.read()).lease).toEqual(lease);
  });

  it("waits for INSYNC and reports how long it took", async () => {
    const { switcher } = await initialised();
    const { changeId } = await switcher.apply(await switcher.read(), { weights: { primary: 80 } });

    const waited = await switcher.waitInsync(changeId, { timeoutMs: 5000 });

    expect(waited.insync).toBe(true);
    expect(waited.waitedMs).toBeGreaterThanOrEqual(200);
  });

  it("pages through more than 300 records with a small page size", async () => {
    const targets = Array.from({ length: 16 }, (_, i) => ({
      id: `t${i}`,
      region: "us-east-1",
      healthUrl: `https://t${i}.example.com/health`,
      weight: 10 + i,
      records: {} as Record<string, { values: string[] }>,
    }));
    const records = Array.from({ length: 20 }, (_, i) => ({
      name: `r${String(i).padStart(2, "0")}.example.com`,
      type: "A" as const,
      ttl: 60,
    }));
    for (const target of targets)
      for (const [i, record] of records.entries()) target.records[record.name] = { values: [`192.0.2.${i + 1}`] };
    const { switcher } = await initialised({ records, targets }, 7);
    switcher.stats.reset();

    const snapshot = await switcher.read();

    expect(Object.keys(snapshot.weightsByRecord)).toHaveLength(20);
    expect(Object.values(snapshot.weightsByRecord).every((w) => Object.keys(w).length === 16 && w.t15 === 25)).toBe(
      true,
    );
    expect(switcher.stats.byOperation.ListResourceRecordSets?.calls).toBeGreaterThanOrEqual(Math.ceil(320 / 7));
  });

  it("switches two record names in one batch", async () => {
    const { switcher } = await initialised({
      records: [{ name: "api.example.com" }, { name: "www.example.com", type: "CNAME" }],
      targets: [
        {
          id: "primary",
          region: "us-east-1",
          healthUrl: "https://a.example.com/h",
          weight: 90,
          records: {
            "api.example.com": { values: ["198.51.100.10"] },
            "www.example.com": { values: ["use1.example.net"] },
          },
        },
        {
          id: "failover",
          region: "us-west-2",
          healthUrl: "https://b.example.com/h",
          weight: 10,
          records: {
            "api.example.com": { values: ["203.0.113.20"] },
            "www.example.com": { values: ["usw2.example.net"] },
          },
        },
      ],
    });
    switcher.stats.reset();

    await switcher.apply(await switcher.read(), { weights: { primary: 0, failover: 10 } });
    const after = await switcher.read();

    expect(after.weightsByRecord).toEqual({
      "api.example.com": { primary: 0, failover: 10 },
      "www.example.com": { primary: 0, failover: 10 },
    });
    expect(switcher.stats.byOperation.ChangeResourceRecordSets?.calls).toBe(1);
  });

  it("switches alias records", async () => {
    const alias = (dnsName: string) => ({
      alias: { dnsName, hostedZoneId: "Z35SXDOTRQ7X7K", evaluateTargetHealth: false },
    });
    const { switcher } = await initialised({
      targets: [
        {
          id: "primary",
          region: "us-east-1",
          healthUrl: "https://a.example.com/h",
          weight: 90,
          records: { "api.example.com": alias("lb-1.us-east-1.elb.amazonaws.com") },
        },
        {
          id: "failover",
          region: "us-west-2",
          healthUrl: "https://b.example.com/h",
          weight: 10,
          records: { "api.example.com": alias("lb-2.us-west-2.elb.amazonaws.com") },
        },
      ],
    });

    const before = await switcher.read();
    await switcher.apply(before, { weights: { primary: 0 } });
    const after = await switcher.read();

    expect(before.records["api.example.com"]?.primary?.AliasTarget?.DNSName).toMatch(
      /^lb-1\.us-east-1\.elb\.amazonaws\.com\.?$/,
    );
    expect(before.drift).toEqual([]);
    expect(after.weights).toEqual({ primary: 0, failover: 10 });
  });
});
