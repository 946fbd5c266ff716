import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "../../emulator/aws-fault-proxy.ts";
import { createHostedZone } from "../../emulator/hosted-zone.ts";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { answerShares } from "../../functions/lib/dataplane/answers.ts";
import { memoryAuditTrail } from "../../functions/lib/audit-trail.ts";
import { handleManualEvent, type ManualDeps } from "../../functions/lib/manual/handle-event.ts";
import { renderResult } from "../../functions/lib/manual/render.ts";
import { runCli } from "../support/cli-process.ts";
import {
  capturedLog,
  emulatorPerFile,
  emulatorVotes,
  okResponse as ok,
  recordSets,
} from "../support/control-fixtures.ts";
import { manualClock } from "../support/manual-clock.ts";
import { fastRetry, testConfig } from "./aws-fixtures.ts";

/**
 * `failover init` takes over a name served by a simple A record: one change
 * batch deletes the simple set and creates the weighted ones, so every DNS
 * answer computed from the zone (Route 53's answer rules over the record
 * sets read from the emulator) before, during and after it is non-empty.
 */
const emulator = emulatorPerFile();
let proxy: FaultProxy;
let dir: string;
beforeAll(async () => {
  proxy = await startFaultProxy(emulator.url);
  dir = mkdtempSync(join(tmpdir(), "adopt-record-"));
});
afterAll(async () => {
  await proxy?.close();
  rmSync(dir, { recursive: true, force: true });
});

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const simple: ResourceRecordSet = {
  Name: "api.example.com",
  Type: "A",
  TTL: 300,
  ResourceRecords: [{ Value: "192.0.2.10" }],
};

/** A zone whose api.example.com is served by a simple A record, and the manual logic (Route 53 through the fault proxy). */
async function liveZone() {
  proxy.clear();
  const zoneId = await createHostedZone("example.com", { endpoint: emulator.url });
  const route53 = new Route53Client({ endpoint: emulator.url, region: "us-east-1", credentials });
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: [{ Action: "CREATE", ResourceRecordSet: simple }] },
    }),
  );
  const config = testConfig(zoneId);
  const manual = {
    config,
    region: "us-east-2",
    clock: manualClock(Date.now()),
    switcher: new Route53Switcher(config, { endpoint: proxy.url, retry: fastRetry }),
    bus: new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry }),
    votes: await emulatorVotes(emulator.url, config),
    log: capturedLog().log,
    syncTimeoutMs: 0,
    audit: memoryAuditTrail(),
  } satisfies ManualDeps;
  return { zoneId, config, manual, route53 };
}

/** The addresses a resolver gets for api.example.com A now (sorted): a simple set answers alone; weighted sets by Route 53's rules. */
async function answer(route53: Route53Client, zoneId: string): Promise<string[]> {
  const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 300 }));
  const sets = (out.ResourceRecordSets ?? []).filter((set) => set.Name === "api.example.com." && set.Type === "A");
  const values = (set: ResourceRecordSet) => (set.ResourceRecords ?? []).map((r) => r.Value ?? "");
  const plain = sets.find((set) => set.SetIdentifier === undefined);
  if (plain) return values(plain);
  const shares = answerShares(
    sets.map((set) => ({ id: set.SetIdentifier ?? "", weight: set.Weight ?? 0, healthy: true })),
  );
  return sets
    .filter((set) => (shares[set.SetIdentifier ?? ""] ?? 0) > 0)
    .flatMap(values)
    .sort();
}

/** Computes the answer over and over until `work` ends; every answer seen, in order. */
async function answersDuring<T>(route53: Route53Client, zoneId: string, work: () => Promise<T>) {
  const seen: string[][] = [await answer(route53, zoneId)];
  let done = false;
  const polling = (async () => {
    while (!done) seen.push(await answer(route53, zoneId));
  })();
  const result = await work().finally(() => {
    done = true;
  });
  await polling;
  seen.push(await answer(route53, zoneId));
  return { seen, result };
}

describe("failover init takes over a live simple record (emulator)", () => {
  it("replaces the simple A record by the weighted ones in one batch: no answer is ever empty, and a rerun changes nothing", async () => {
    // Prepare
    const { zoneId, manual, route53 } = await liveZone();

    // Act
    const { seen, result } = await answersDuring(route53, zoneId, () =>
      handleManualEvent(manual, { action: "init", actor: "alice" }),
    );
    const afterInit = await recordSets(emulator.url, zoneId);
    const rerun = await handleManualEvent(manual, { action: "init", actor: "alice" });

    // Assess
    const init = ok(result);
    expect(init).toMatchObject({
      action: "init",
      replaced: ["api.example.com A (simple): 192.0.2.10, TTL 300"],
      created: ["api.example.com A primary", "api.example.com A failover"],
    });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.filter((addresses) => addresses.length === 0)).toEqual([]);
    expect(seen[0]).toEqual(["192.0.2.10"]);
    expect(seen.at(-1)).toEqual(["198.51.100.10", "203.0.113.20"]);
    expect(renderResult(init, [])).toContain("Taken over in the same atomic change batch");
    const again = ok(rerun);
    expect(again).toMatchObject({
      action: "init",
      unchanged: true,
      adopted: true,
      created: [],
      replaced: [],
      changeId: "",
    });
    expect(renderResult(again, [])).toContain("Nothing changed: the weighted records exist (weights kept)");
    expect(await recordSets(emulator.url, zoneId)).toEqual(afterInit);
  });

  it("run again from the CLI exits 0, says nothing changed and changes nothing, with or without --yes", async () => {
    // Prepare: init done once
    const { zoneId, config, manual } = await liveZone();
    ok(await handleManualEvent(manual, { action: "init", actor: "alice" }));
    const configPath = join(dir, `rerun-${zoneId.replace(/\W/g, "")}.json`);
    writeFileSync(configPath, JSON.stringify(config));
    const env = { ...emulator.env, FAILOVER_CONFIG_FILE: configPath, USER: "alice" };
    const before = await recordSets(emulator.url, zoneId);

    // Act
    const confirmed = await runCli(["init", "--direct", "--yes"], env);
    const unconfirmed = await runCli(["init", "--direct"], env);

    // Assess
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain("Nothing changed: the weighted records exist (weights kept)");
    expect(unconfirmed.code).toBe(0);
    expect(unconfirmed.stdout).toContain("Plan: nothing to change");
    expect(unconfirmed.stderr).not.toContain("--yes");
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
  });

  it("whose batch was applied with its answer lost reads the records back and continues, saying so", async () => {
    // Prepare: Route 53 applies the batch, the answer is lost; the retry finds the simple record gone
    const { zoneId, manual, route53 } = await liveZone();
    proxy.inject([{ kind: "drop-after-forward" }], /^POST .*\/rrset/);

    // Act
    const init = ok(await handleManualEvent(manual, { action: "init", actor: "alice" }));

    // Assess
    expect(init).toMatchObject({
      readBack: true,
      changeId: "",
      replaced: ["api.example.com A (simple): 192.0.2.10, TTL 300"],
    });
    expect(await answer(route53, zoneId)).toEqual(["198.51.100.10", "203.0.113.20"]);
    expect(await new Route53Switcher(manual.config, { endpoint: emulator.url }).read()).toMatchObject({
      weights: { primary: 90, failover: 10 },
    });
  });

  it("the CLI without --yes prints the exact batch and, with no terminal to confirm on, changes nothing", async () => {
    // Prepare
    const { zoneId, config } = await liveZone();
    const configPath = join(dir, `${zoneId.replace(/\W/g, "")}.json`);
    writeFileSync(configPath, JSON.stringify(config));
    const before = await recordSets(emulator.url, zoneId);

    // Act
    const run = await runCli(["init", "--direct"], {
      ...emulator.env,
      FAILOVER_CONFIG_FILE: configPath,
      USER: "alice",
    });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("Plan: one change batch, applied by Route 53 all or nothing");
    expect(run.stdout).toContain("  DELETE api.example.com A (simple): 192.0.2.10, TTL 300");
    expect(run.stdout).toContain("  CREATE api.example.com A primary");
    expect(run.stderr).toContain("Pass --yes to confirm");
    expect(await recordSets(emulator.url, zoneId)).toEqual(before);
  });
});
