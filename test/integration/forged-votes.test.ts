import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { Dimension, Metric } from "../../functions/lib/metrics.ts";
import { decide, windowSeconds } from "../../functions/lib/policy/decide.ts";
import { voteGroups } from "../../functions/lib/probe-votes.ts";
import type { ProbeRoundReport } from "../../functions/lib/probe/report.ts";
import { testConfig } from "./aws-fixtures.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

const T0 = 1_800_000_000; // a multiple of the 10 s interval
const config = testConfig("Z0UNUSED");
const region = config.controlRegions[0] ?? "us-east-2";
const healthy = (vantage: string, at: number): ProbeRoundReport => ({
  vantage,
  at,
  voting: true,
  results: config.targets.map((t) => ({ target: t.id, ok: true, latencyMs: 40 })),
});

/**
 * What an attacker with only cloudwatch:PutMetricData on the namespace sends:
 * for two vantages, a ProbeVotes datum per round saying "primary failed",
 * chosen larger than any genuine value (failover's bit marked silent) so the
 * old `Maximum` read picked it over the genuine datum.
 */
async function forge(vantages: string[], at: number): Promise<void> {
  const cw = new CloudWatchClient({
    endpoint: emulator.url,
    region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const group = voteGroups(config.targets.map((t) => t.id))[0];
  if (group === undefined) throw new Error("no vote group");
  const silentBits = group.targets.map((id, bit) => (id === "primary" ? 0 : 2 ** bit)).reduce((a, b) => a + b, 0);
  await cw.send(
    new PutMetricDataCommand({
      Namespace: config.metricNamespace,
      MetricData: vantages.map((vantage) => ({
        MetricName: Metric.ProbeVotes,
        Value: silentBits * 2 ** 16,
        Timestamp: new Date(at * 1000),
        StorageResolution: 1,
        Dimensions: [
          { Name: Dimension.Vantage, Value: vantage },
          { Name: Dimension.TargetGroup, Value: group.dimension },
        ],
      })),
    }),
  );
}

describe("forged votes (issue 12 item 3)", () => {
  it("a principal with only PutMetricData cannot drain a healthy primary: conflicting datums set the vantages aside", async () => {
    // Prepare: every vantage publishes genuine all-up rounds; the attacker adds a forged datum for two vantages.
    const bus = new MetricsBus(config, { endpoint: emulator.url });
    const rounds = [T0, T0 + 10, T0 + 20];
    for (const at of rounds)
      for (const vantage of config.vantages) await bus.publishProbeRound(healthy(vantage, at), [region]);
    for (const at of rounds) await forge(config.vantages.slice(0, 2), at);

    // Act
    const window = await bus.readWindow(region, T0 + 23, windowSeconds(config));
    const decision = decide({
      now: T0 + 23,
      config,
      rounds: window,
      current: { primary: 90, failover: 10 },
      memory: undefined,
      lease: undefined,
    });

    // Assess: no drain (with the Maximum read the forged "primary failed" won and primary was drained); both vantages alarmed.
    expect(decision.weights).toEqual({ primary: 90, failover: 10 });
    expect(window.at(-1)?.conflicts).toEqual(config.vantages.slice(0, 2));
    expect([...new Set(decision.suspects.map((s) => `${s.vantage}:${s.reason}`))]).toEqual(
      config.vantages.slice(0, 2).map((v) => `${v}:conflicting`),
    );
  });

  it("reads genuine rounds (and their retried copies) as votes", async () => {
    const bus = new MetricsBus(config, { endpoint: emulator.url });
    const at = T0 + 600;
    const vantage = config.vantages[2] ?? "eu-west-1";
    await bus.publishProbeRound(healthy(vantage, at), [region]);
    await bus.publishProbeRound(healthy(vantage, at), [region]); // an SDK retry of an answered request
    const window = await bus.readWindow(region, at + 3, 30);
    expect(window.at(-1)?.votes[vantage]).toEqual(Object.fromEntries(config.targets.map((t) => [t.id, true])));
    expect(window.at(-1)?.conflicts).toBeUndefined();
  });
});
