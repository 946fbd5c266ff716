import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fault, type FaultProxy, startFaultProxy } from "../../emulator/aws-fault-proxy.ts";
import { createHostedZone } from "../../emulator/hosted-zone.ts";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import { handleManualEvent, type ManualDeps } from "../../functions/lib/manual/handle-event.ts";
import { renderResult } from "../../functions/lib/manual/render.ts";
import type { ManualResponse } from "../../functions/lib/manual/result.ts";
import { memoryAuditTrail } from "../../functions/lib/audit-trail.ts";
import { allUp, capturedLog, emulatorPerFile, emulatorVotes, publishVotes } from "../support/control-fixtures.ts";
import { manualClock } from "../support/manual-clock.ts";
import { fastRetry, testConfig } from "./aws-fixtures.ts";

/**
 * Messages after a lost answer say what was read back and what it means:
 * the manual logic over a fault proxy that forwards a change to the
 * emulator (Route 53 applies it) and then drops the connection.
 */
const emulator = emulatorPerFile();
let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startFaultProxy(emulator.url);
});
afterAll(async () => {
  await proxy?.close();
});

const CHANGE = /^POST .*\/rrset/;
const t0 = Math.floor(Date.now() / 60_000) * 60 - 600;

/** The manual logic with its Route 53 calls through the fault proxy; `init` left to the test. */
async function setup() {
  proxy.clear();
  const config = testConfig(await createHostedZone("example.com", { endpoint: emulator.url }));
  const bus = new MetricsBus(config, { endpoint: emulator.url, retry: fastRetry });
  const manual = {
    config,
    region: "us-east-2",
    clock: manualClock((t0 + 6) * 1000),
    switcher: new Route53Switcher(config, { endpoint: proxy.url, retry: fastRetry }),
    bus,
    votes: await emulatorVotes(emulator.url, config),
    log: capturedLog().log,
    syncTimeoutMs: 0,
    audit: memoryAuditTrail(),
  } satisfies ManualDeps;
  return { config, manual, direct: new Route53Switcher(config, { endpoint: emulator.url }) };
}

function ok(response: ManualResponse) {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response;
}

describe("after Route 53's answer to a change was lost (emulator, fault proxy)", () => {
  it("init whose record batch was applied reads the records back and completes, saying so", async () => {
    // Prepare: Route 53 applies the batch; its answer is lost, and the SDK's retry finds the records there
    const { manual, direct } = await setup();
    proxy.inject([{ kind: "drop-after-forward" }], CHANGE);

    // Act
    const init = ok(await handleManualEvent(manual, { action: "init", actor: "alice" }));

    // Assess
    expect(init).toMatchObject({ action: "init", readBack: true, changeId: "", adopted: false });
    expect(init).toMatchObject({ created: ["api.example.com A primary", "api.example.com A failover"] });
    expect((await direct.read()).weights).toEqual({ primary: 90, failover: 10 });
    const text = renderResult(init, []);
    expect(text).toContain("Route 53's answer was lost; reading the records back shows the change in place: applied");
    expect(text).not.toMatch(/Another writer|nothing was changed/);
  });

  it("init whose every answer was lost and nothing applied says the read showed no record, not another writer", async () => {
    // Prepare
    const { manual } = await setup();
    proxy.inject(Array<Fault>(40).fill({ kind: "status", status: 503 }), CHANGE);

    // Act
    const response = await handleManualEvent(manual, { action: "init", actor: "alice" });

    // Assess
    expect(response.ok).toBe(false);
    expect(JSON.stringify(response)).toContain("read back: not applied (no weighted record exists)");
    expect(JSON.stringify(response)).not.toMatch(/Another writer/);
  });

  it("a promote whose every answer was lost says it read the change back in place, never 'Nothing needed writing'", async () => {
    // Prepare
    const { manual, direct } = await setup();
    await direct.init();
    await publishVotes(manual.votes, t0, allUp);
    proxy.inject(Array<Fault>(40).fill({ kind: "drop-after-forward" }), CHANGE);

    // Act
    const promoted = ok(
      await handleManualEvent(manual, { action: "promote", target: "failover", reason: "use1 5xx", actor: "alice" }),
    );

    // Assess
    expect(promoted).toMatchObject({ readBack: true, changeId: "", to: { primary: 0, failover: 100 } });
    expect((await direct.read()).weights).toEqual({ primary: 0, failover: 100 });
    const text = renderResult(promoted, []);
    expect(text).toContain("reading the records back shows the change in place: applied");
    expect(text).not.toContain("Nothing needed writing.");
  });
});
