import { describe, expect, it } from "vitest";
import { runDecisionRound } from "../../../functions/lib/decider/round.ts";
import { everyVantage, roundWorld } from "../../support/round-world.ts";

const t0 = 1_800_000_000;
const up = { primary: true, failover: true };
const primaryDown = { primary: false, failover: true };

describe("a decider round on in-memory ports", () => {
  it("drains a target every vantage sees down: one record change, one announcement, its metrics counted once", async () => {
    const { zone, votes, announced, deps } = roundWorld();
    for (const at of [t0 - 20, t0 - 10, t0]) votes.add(at, everyVantage(primaryDown));

    const outcome = await runDecisionRound(deps("us-east-2"), t0 + 6);

    expect(outcome).toMatchObject({ switched: true, path: "api", from: { primary: 90, failover: 10 } });
    expect(zone.weights).toEqual({ primary: 0, failover: 100 });
    expect(zone.changes).toHaveLength(1);
    expect(announced.map((event) => [event.from, event.to])).toEqual([
      [
        { primary: 90, failover: 10 },
        { primary: 0, failover: 100 },
      ],
    ]);
    expect(votes.published.at(-1)?.switchovers).toEqual([
      { target: "primary", direction: "drain", mode: "automatic" },
      { target: "failover", direction: "restore", mode: "automatic" },
    ]);
  });

  it("lets the other decider's round of the same decision change nothing and announce nothing", async () => {
    const { zone, votes, announced, deps } = roundWorld();
    for (const at of [t0 - 20, t0 - 10, t0]) votes.add(at, everyVantage(primaryDown));
    await runDecisionRound(deps("us-east-2"), t0 + 6);

    const second = await runDecisionRound(deps("us-west-1"), t0 + 6);

    expect(second).toMatchObject({ switched: false, weights: { primary: 0, failover: 100 } });
    expect(zone.changes).toHaveLength(1);
    expect(announced).toHaveLength(1);
    expect(votes.published.at(-1)?.switchovers).toEqual([]);
  });

  it("with the Route 53 API down, drains through the signal stores alone and announces it once", async () => {
    const { zone, votes, signals, announced, deps } = roundWorld();
    votes.add(t0 - 10, everyVantage(up));
    await runDecisionRound(deps("us-east-2"), t0 - 4);
    zone.down = true;
    for (const at of [t0, t0 + 10]) votes.add(at, everyVantage(primaryDown));

    const outcome = await runDecisionRound(deps("us-east-2"), t0 + 16);

    expect(outcome).toMatchObject({ path: "data-plane", switched: true, weights: { primary: 0, failover: 100 } });
    expect(zone.weights).toEqual({ primary: 90, failover: 10 });
    expect(outcome.signals).toMatchObject({ draining: ["primary"], confirmed: true });
    const reads = await signals.readAll();
    for (const read of reads) expect(read.docs.find((doc) => doc.by === "us-east-2")?.drain).toEqual(["primary"]);
    expect(announced).toHaveLength(1);
  });

  it("in a dry run writes nothing and announces nothing, though it says what it would shift", async () => {
    const { zone, votes, parameters, announced, deps } = roundWorld();
    for (const at of [t0 - 20, t0 - 10, t0]) votes.add(at, everyVantage(primaryDown));

    const outcome = await runDecisionRound(deps("us-east-2", { dryRun: true }), t0 + 6);

    expect(outcome).toMatchObject({ dryRun: true, switched: false, shift: "primary 90 → 0, failover 10 → 100" });
    expect(zone.changes).toEqual([]);
    expect([...parameters.values()].every((store) => store.values.size === 0)).toBe(true);
    expect(announced).toEqual([]);
  });
});
