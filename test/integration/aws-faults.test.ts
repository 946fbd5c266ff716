import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MetricsBus, type CloudWatchError } from "../../functions/lib/aws/cloudwatch.ts";
import { VoteTable, type VoteTableError } from "../../functions/lib/aws/vote-table.ts";
import { createHostedZone } from "../../emulator/hosted-zone.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import type { Route53Error } from "../../functions/lib/records/route53-error.ts";
import type { FailoverConfig } from "../../functions/lib/config.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { startFaultProxy, type Fault, type FaultProxy } from "../../emulator/aws-fault-proxy.ts";
import { fastRetry, testConfig } from "./aws-fixtures.ts";

// A fault proxy between the adapters and the emulator injects what an AWS API
// shows in an outage. The adapters retry within their budget, then fail with a
// named error; the records always hold the old weights or the new, never a mix.

const CHANGE = /^POST .*\/rrset/;
const LIST = /^GET .*\/rrset/;
const OLD = { primary: 90, failover: 10 };
const NEW = { primary: 0, failover: 10 };

let emulator: Emulator;
let proxy: FaultProxy;
let config: FailoverConfig;
let direct: Route53Switcher;
let viaProxy: Route53Switcher;

beforeAll(async () => {
  emulator = await startEmulator();
  proxy = await startFaultProxy(emulator.url);
});
beforeEach(async () => {
  await emulator.reset();
  proxy.clear();
  config = testConfig(await createHostedZone("example.com", { endpoint: emulator.url }));
  direct = new Route53Switcher(config, { endpoint: emulator.url });
  viaProxy = new Route53Switcher(config, { endpoint: proxy.url, retry: fastRetry });
  await direct.init();
});
afterAll(async () => {
  await proxy?.close();
  await emulator?.stop();
});

const canonical = (weights: Record<string, number>) => JSON.stringify(Object.entries(weights).sort());
const codeOf = (error: unknown) => (error as Route53Error | CloudWatchError | VoteTableError).code;

describe("Route 53 adapter under injected faults", () => {
  it("retries Throttling answers and then succeeds", async () => {
    proxy.inject([{ kind: "throttle" }, { kind: "throttle" }], LIST);

    const snapshot = await viaProxy.read();

    expect(snapshot.weights).toEqual(OLD);
    expect(viaProxy.stats.byOperation.ListResourceRecordSets).toMatchObject({ calls: 3, errors: 2 });
  });

  it("gives up on persistent throttling with ROUTE53_THROTTLED", async () => {
    proxy.inject(Array<Fault>(40).fill({ kind: "throttle" }), LIST);

    const error = await viaProxy.read().catch((e: unknown) => e);

    expect(codeOf(error)).toBe("ROUTE53_THROTTLED");
    expect((error as Route53Error).hint).toMatch(/next round/);
  });

  it("gives up on persistent 503s with ROUTE53_UNAVAILABLE and leaves the old weights", async () => {
    const snapshot = await viaProxy.read();
    proxy.inject(Array<Fault>(40).fill({ kind: "status", status: 503 }), CHANGE);

    const error = await viaProxy.apply(snapshot, { weights: NEW }).catch((e: unknown) => e);

    expect(codeOf(error)).toBe("ROUTE53_UNAVAILABLE");
    expect((await direct.read()).weights).toEqual(OLD);
  });

  it("a change answered after the timeout was applied: the retry's conflict is confirmed by a read", async () => {
    const snapshot = await viaProxy.read();
    proxy.inject([{ kind: "slow", delayMs: 1200 }], CHANGE);

    const result = await viaProxy.apply(snapshot, { weights: NEW });

    expect(result.changeId).toBe("");
    expect((await direct.read()).weights).toEqual(NEW);
  });

  it("retries a connection dropped before the request reached Route 53", async () => {
    const snapshot = await viaProxy.read();
    proxy.inject([{ kind: "drop" }], CHANGE);

    const result = await viaProxy.apply(snapshot, { weights: NEW });

    expect(result.changeId).toMatch(/^\/change\//);
    expect((await direct.read()).weights).toEqual(NEW);
  });

  it("a connection dropped after the change was applied ends applied, not doubled", async () => {
    const snapshot = await viaProxy.read();
    proxy.inject([{ kind: "drop-after-forward" }], CHANGE);

    await viaProxy.apply(snapshot, { weights: NEW });

    expect((await direct.read()).weights).toEqual(NEW);
  });

  it("a change applied whose every answer was lost reads back as applied, and update() counts it as a switch", async () => {
    // Prepare: Route 53 applies the first attempt; that answer and every retry's answer are lost
    proxy.inject(Array<Fault>(40).fill({ kind: "drop-after-forward" }), CHANGE);
    // Act
    const result = await viaProxy.update(() => ({ change: { weights: NEW }, decided: undefined }));
    // Assess
    expect(result).toMatchObject({ applied: true, changeId: "" });
    expect((await direct.read()).weights).toEqual(NEW);
  });

  it("every answer lost and the read back shows the old records: 'not applied', proved by the read", async () => {
    // Prepare
    const snapshot = await viaProxy.read();
    proxy.inject(Array<Fault>(40).fill({ kind: "status", status: 503 }), CHANGE);
    // Act
    const error = (await viaProxy.apply(snapshot, { weights: NEW }).catch((e: unknown) => e)) as Route53Error;
    // Assess
    expect(error).toMatchObject({ code: "ROUTE53_UNAVAILABLE", outcome: "not-applied" });
    expect(error.message).toContain("read back: not applied (the records are as they were)");
    expect(error.hint).toMatch(/^A read proved nothing was changed/);
  });

  it("every answer lost and the read back failing too: 'may have been applied', never 'nothing was changed'", async () => {
    // Prepare
    const snapshot = await viaProxy.read();
    proxy.inject(Array<Fault>(40).fill({ kind: "drop-after-forward" }), CHANGE);
    proxy.inject(Array<Fault>(40).fill({ kind: "status", status: 503 }), LIST);
    // Act
    const error = (await viaProxy.apply(snapshot, { weights: NEW }).catch((e: unknown) => e)) as Route53Error;
    // Assess
    expect(error).toMatchObject({ code: "ROUTE53_UNAVAILABLE", outcome: "unknown" });
    expect(error.message).toContain(
      "the change may have been applied: every answer was lost and reading the records back failed too",
    );
    expect(`${error.message} ${error.hint}`).not.toMatch(/nothing was changed/);
    proxy.clear();
    expect((await direct.read()).weights).toEqual(NEW);
  });

  it("fails with ROUTE53_BAD_ANSWER, without retrying, when the answer is not XML", async () => {
    proxy.inject([{ kind: "garbage" }, { kind: "garbage" }], LIST);
    const requestsBefore = proxy.requests;

    const error = await viaProxy.read().catch((e: unknown) => e);

    expect(codeOf(error)).toBe("ROUTE53_BAD_ANSWER");
    expect(proxy.requests - requestsBefore).toBe(1);
  });

  it("never leaves a mix of old and new weights, whatever fault hits the change", async () => {
    const faults: Fault[] = [
      { kind: "throttle" },
      { kind: "status", status: 500 },
      { kind: "slow", delayMs: 700 },
      { kind: "drop" },
      { kind: "drop-after-forward" },
      { kind: "garbage", status: 502 },
      { kind: "garbage" },
    ];
    const outcomes: string[] = [];
    for (const [i, fault] of faults.entries()) {
      const before = await direct.read();
      const target = before.weights.primary === OLD.primary ? NEW : OLD;
      // Only the first attempts fail; depending on the budget the adapter gives up or gets through.
      proxy.inject(Array<Fault>(i + 1).fill(fault), CHANGE);
      const outcome = await viaProxy.apply(before, { weights: target }).then(
        () => "applied",
        (error: unknown) => codeOf(error),
      );
      proxy.clear();
      const after = (await direct.read()).weights;
      outcomes.push(outcome);

      expect([canonical(before.weights), canonical(target)]).toContain(canonical(after));
    }
    expect(outcomes.every((o) => /^(applied|ROUTE53_(THROTTLED|UNAVAILABLE|BAD_ANSWER))$/.test(o))).toBe(true);
    expect(outcomes).toContain("applied");
  });
});

describe("votes table adapter under injected faults", () => {
  it("fails the window read with DYNAMODB_BAD_ANSWER when the answer is not JSON", async () => {
    const votes = new VoteTable(config, { endpoint: proxy.url, retry: fastRetry });
    proxy.inject(Array<Fault>(40).fill({ kind: "garbage" }));

    const error = await votes.readWindow("us-east-2", 1_800_000_000, 60).catch((e: unknown) => e);

    expect(codeOf(error)).toBe("DYNAMODB_BAD_ANSWER");
  });
});

describe("CloudWatch adapter under injected faults", () => {
  it("returns CLOUDWATCH_THROTTLED for the throttled region only", async () => {
    const bus = new MetricsBus(config, { endpoint: proxy.url, retry: fastRetry });
    proxy.inject(Array<Fault>(40).fill({ kind: "throttle" }));

    const results = await bus.publishProbeRound(
      {
        vantage: "eu-west-1",
        at: 1_800_000_000,
        voting: true,
        results: [{ target: "primary", ok: true, latencyMs: 12 }],
      },
      ["us-east-2"],
    );

    expect(results).toHaveLength(1);
    expect(results[0]?.ok).toBe(false);
    expect(results[0]?.error?.code).toBe("CLOUDWATCH_THROTTLED");
    expect(results[0]?.calls).toBeGreaterThan(1);
  });
});
