import { DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import type { RejectedVote } from "../../functions/lib/aws/vote-table.ts";
import { decide, windowSeconds } from "../../functions/lib/policy/decide.ts";
import type { ProbeRoundReport } from "../../functions/lib/probe/report.ts";
import { VOTE_TTL_SECONDS, voteTableName } from "../../functions/lib/vote-items.ts";
import { emulatorVotes } from "../support/control-fixtures.ts";
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
const [east = "us-east-2", west = "us-west-1"] = config.controlRegions;
const [v1 = "us-east-1", v2 = "us-west-2", v3 = "eu-west-1"] = config.vantages;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

const report = (vantage: string, at: number, primaryOk = true, voting = true): ProbeRoundReport => ({
  vantage,
  at,
  voting,
  results: [
    { target: "primary", ok: primaryOk, latencyMs: 40 },
    { target: "failover", ok: true, latencyMs: 40 },
  ],
});

const raw = (region: string) => new DynamoDBClient({ endpoint: emulator.url, region, credentials });

beforeEach(async () => {
  await emulator.reset();
});
/** The votes table in every control region, its items stamped a second into their round. */
const table = (options: { rejected?: RejectedVote[] } = {}) => emulatorVotes(emulator.url, config, options);

describe("the votes table (issue 22)", () => {
  it("a round written to both control regions is readable at once by each decider, oldest first", async () => {
    const votes = await table();
    const results = await votes.publishProbeRound(report(v1, T0, false));
    await votes.publishProbeRound(report(v2, T0 + 10));

    const [inEast, inWest] = await Promise.all([
      votes.readWindow(east, T0 + 11, 30),
      votes.readWindow(west, T0 + 11, 30),
    ]);

    expect(results.map((r) => [r.region, r.ok, r.calls])).toEqual([
      [east, true, 1],
      [west, true, 1],
    ]);
    for (const window of [inEast, inWest]) {
      expect(window.map((round) => round.at)).toEqual([T0 - 10, T0, T0 + 10]);
      expect(window[0]?.votes).toEqual({});
      expect(window[1]?.votes).toEqual({ [v1]: { primary: false, failover: true } });
      expect(window[2]?.votes).toEqual({ [v2]: { primary: true, failover: true } });
    }
  });

  it("a decider reads one Query per vantage and no more", async () => {
    const votes = await table();
    for (const vantage of config.vantages) await votes.publishProbeRound(report(vantage, T0));
    const before = votes.stats.snapshot().Query?.calls ?? 0;

    await votes.readWindow(east, T0 + 1, windowSeconds(config));

    expect((votes.stats.snapshot().Query?.calls ?? 0) - before).toBe(config.vantages.length);
  });

  it("a retried write of the same vote succeeds; a different vote for the round is refused and the first stays", async () => {
    const votes = await table();
    await votes.publishProbeRound(report(v1, T0), [east]);

    const [again] = await votes.publishProbeRound(report(v1, T0), [east]);
    const [forged] = await votes.publishProbeRound(report(v1, T0, false), [east]);
    const window = await votes.readWindow(east, T0 + 3, 10);

    expect(again?.ok).toBe(true);
    expect(forged?.ok).toBe(false);
    expect(forged?.error?.code).toBe("DYNAMODB_VOTE_CONFLICT");
    expect(window.at(-1)?.votes[v1]).toEqual({ primary: true, failover: true });
  });

  it("a malformed or out-of-time item sets its vantage aside for the round, naming the field; the others count", async () => {
    const rejected: RejectedVote[] = [];
    const votes = await table({ rejected });
    await votes.publishProbeRound(report(v3, T0));
    const client = raw(east);
    const put = (item: Record<string, unknown>) =>
      client.send(new PutItemCommand({ TableName: voteTableName(config), Item: item as never }));
    // A vote value that is not a BOOL, and a vote written before its round started (prepared in advance).
    await put({
      vantage: { S: v1 },
      at: { N: String(T0) },
      writtenAt: { N: String(T0 + 1) },
      votes: { M: { primary: { S: "down" } } },
    });
    await put({
      vantage: { S: v2 },
      at: { N: String(T0) },
      writtenAt: { N: String(T0 - 30) },
      votes: { M: { primary: { BOOL: false }, failover: { BOOL: true } } },
    });

    const window = await votes.readWindow(east, T0 + 3, 10);
    const decision = decide({
      now: T0 + 3,
      config,
      rounds: window,
      current: { primary: 90, failover: 10 },
      memory: undefined,
      lease: undefined,
    });

    expect(window.at(-1)?.conflicts).toEqual([v1, v2]);
    expect(Object.keys(window.at(-1)?.votes ?? {})).toEqual([v3]);
    expect(rejected.map((r) => [r.vantage, r.at, r.reason.split(":")[0]])).toEqual([
      [v1, T0, "field votes.primary"],
      [v2, T0, "field writtenAt"],
    ]);
    expect(decision.weights).toEqual({ primary: 90, failover: 10 });
  });

  it("items expire: each carries expiresAt a day after its round, the table's TTL attribute", async () => {
    const votes = await table();
    await votes.publishProbeRound(report(v1, T0), [east]);
    const client = raw(east);

    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: voteTableName(config) }));
    const item = await client.send(
      new GetItemCommand({ TableName: voteTableName(config), Key: { vantage: { S: v1 }, at: { N: String(T0) } } }),
    );

    expect(ttl.TimeToLiveDescription?.AttributeName).toBe("expiresAt");
    expect(item.Item?.expiresAt?.N).toBe(String(T0 + VOTE_TTL_SECONDS));
  });

  it("a round that does not vote writes nothing", async () => {
    const votes = await table();
    const results = await votes.publishProbeRound(report(v1, T0, true, false));
    const window = await votes.readWindow(east, T0 + 1, 10);
    expect(results.every((r) => r.ok && r.calls === 0)).toBe(true);
    expect(window.at(-1)?.votes).toEqual({});
  });

  it("a region without the table: the write reports it for that region, the read throws naming the permission", async () => {
    const votes = await table();
    const results = await votes.publishProbeRound(report(v1, T0), [east, "eu-central-1"]);
    expect(results.map((r) => [r.region, r.ok, r.error?.code])).toEqual([
      [east, true, undefined],
      ["eu-central-1", false, "DYNAMODB_REJECTED"],
    ]);
    await expect(votes.readWindow("eu-central-1", T0 + 1, 10)).rejects.toMatchObject({
      code: "DYNAMODB_REJECTED",
      hint: expect.stringContaining("dynamodb:Query"),
    });
  });
});
