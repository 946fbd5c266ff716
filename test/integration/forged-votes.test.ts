import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import type { RejectedVote } from "../../functions/lib/aws/vote-table.ts";
import { decide, windowSeconds } from "../../functions/lib/policy/decide.ts";
import type { ProbeRoundReport } from "../../functions/lib/probe/report.ts";
import { voteTableName } from "../../functions/lib/vote-items.ts";
import { emulatorVotes } from "../support/control-fixtures.ts";
import { testConfig } from "./aws-fixtures.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
beforeEach(async () => {
  await emulator.reset();
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
 * What a principal that may put items in the votes table writes ahead of the
 * genuine probes: for each vantage, an item saying "primary failed", one
 * prepared in advance (written before its round), the other replayed from a
 * round ten minutes earlier (its `writtenAt` kept). A plausible item in a
 * vantage's own name is kept out by IAM (a probe's role writes only its own
 * vantage's partition: stacks/iam.ts), which the emulator does not enforce.
 */
async function forge(vantages: string[], at: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: emulator.url,
    region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const writtenAt = [at - 5, at - 600];
  await Promise.all(
    vantages.map((vantage, i) =>
      client.send(
        new PutItemCommand({
          TableName: voteTableName(config),
          Item: {
            vantage: { S: vantage },
            at: { N: String(at) },
            writtenAt: { N: String(writtenAt[i % writtenAt.length]) },
            votes: { M: { primary: { BOOL: false }, failover: { BOOL: true } } },
          },
        }),
      ),
    ),
  );
}

describe("forged votes (issue 12 item 3, votes table since issue 22)", () => {
  it("items prepared in advance or replayed cannot drain a healthy primary: their vantages are set aside and named", async () => {
    // Prepare: the forger writes first for two vantages, then every vantage's probe writes its genuine all-up round.
    const rejected: RejectedVote[] = [];
    const votes = await emulatorVotes(emulator.url, config, { rejected });
    const rounds = [T0, T0 + 10, T0 + 20];
    const forged = config.vantages.slice(0, 2);
    for (const at of rounds) await forge(forged, at);
    const written = [];
    for (const at of rounds)
      for (const vantage of config.vantages)
        written.push(...(await votes.publishProbeRound(healthy(vantage, at), [region])));

    // Act
    const window = await votes.readWindow(region, T0 + 23, windowSeconds(config));
    const decision = decide({
      now: T0 + 23,
      config,
      rounds: window,
      current: { primary: 90, failover: 10 },
      memory: undefined,
      lease: undefined,
    });

    // Assess: no drain; the genuine writes of the forged vantages were refused (the first item stays), so the
    // decider sees the forged items, counts none of them, and names both vantages as suspect checkers.
    expect(decision.weights).toEqual({ primary: 90, failover: 10 });
    expect(written.filter((result) => !result.ok).map((result) => result.error?.code)).toEqual(
      Array(rounds.length * forged.length).fill("DYNAMODB_VOTE_CONFLICT"),
    );
    expect(window.at(-1)?.conflicts).toEqual(forged);
    expect(Object.keys(window.at(-1)?.votes ?? {})).toEqual(config.vantages.slice(2));
    expect(new Set(rejected.map((r) => r.reason.split(":")[0]))).toEqual(new Set(["field writtenAt"]));
    expect([...new Set(decision.suspects.map((s) => `${s.vantage}:${s.reason}`))]).toEqual(
      forged.map((v) => `${v}:conflicting`),
    );
  });

  it("reads genuine rounds (and their retried copies) as votes", async () => {
    const votes = await emulatorVotes(emulator.url, config);
    const at = T0 + 600;
    const vantage = config.vantages[2] ?? "eu-west-1";
    await votes.publishProbeRound(healthy(vantage, at), [region]);
    const [retried] = await votes.publishProbeRound(healthy(vantage, at), [region]); // an SDK retry of an answered write
    const window = await votes.readWindow(region, at + 3, 30);
    expect(retried?.ok).toBe(true);
    expect(window.at(-1)?.votes[vantage]).toEqual(Object.fromEntries(config.targets.map((t) => [t.id, true])));
    expect(window.at(-1)?.conflicts).toBeUndefined();
  });
});
