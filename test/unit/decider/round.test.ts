import { describe, expect, it } from "vitest";
import type { AnnounceOutcome } from "../../../functions/lib/control/announcer.ts";
import { runDecisionRound, type RoundDeps } from "../../../functions/lib/decider/round.ts";
import { SignalStore } from "../../../functions/lib/dataplane/signal-store.ts";
import { createLogger } from "../../../functions/lib/log.ts";
import type { FailoverEvent } from "../../../functions/lib/slack/failover-event.ts";
import { testConfig } from "../../integration/aws-fixtures.ts";
import { MemoryParameters, MemoryVotes, MemoryZone } from "../../support/memory-ports.ts";

const config = testConfig("Z1", {
  policy: {
    minVantages: 2,
    quorum: "majority",
    drainAfterRounds: 1,
    recoverAfterSeconds: 20,
    rampPercents: [50, 100],
    rampStepSeconds: 60,
    flapBudget: { maxDrains: 3, windowSeconds: 3600 },
  },
});
const t0 = 1_800_000_000;
const up = { primary: true, failover: true };
const primaryDown = { primary: false, failover: true };
const everyVantage = (votes: Record<string, boolean>) =>
  Object.fromEntries(config.vantages.map((vantage) => [vantage, votes]));

/** A round's world in memory: the zone, the votes, every control region's parameter store, what was announced. */
function world() {
  const zone = new MemoryZone({ primary: 90, failover: 10 });
  const votes = new MemoryVotes();
  const parameters = new Map(config.controlRegions.map((region) => [region, new MemoryParameters()]));
  const signals = new SignalStore(config, parameters);
  const announced: FailoverEvent[] = [];
  const lines: string[] = [];
  const deps = (controlRegion: string, options: { dryRun?: boolean } = {}): RoundDeps => ({
    config,
    controlRegion,
    switcher: zone,
    bus: votes,
    log: createLogger({ write: (line) => lines.push(line) }),
    dryRun: options.dryRun ?? false,
    signals,
    announce: async (event): Promise<AnnounceOutcome> => {
      announced.push(event);
      return { region: controlRegion, problems: [] };
    },
  });
  return { zone, votes, parameters, signals, announced, deps };
}

describe("a decider round on in-memory ports", () => {
  it("drains a target every vantage sees down: one record change, one announcement, its metrics counted once", async () => {
    const { zone, votes, announced, deps } = world();
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
    const { zone, votes, announced, deps } = world();
    for (const at of [t0 - 20, t0 - 10, t0]) votes.add(at, everyVantage(primaryDown));
    await runDecisionRound(deps("us-east-2"), t0 + 6);

    const second = await runDecisionRound(deps("us-west-1"), t0 + 6);

    expect(second).toMatchObject({ switched: false, weights: { primary: 0, failover: 100 } });
    expect(zone.changes).toHaveLength(1);
    expect(announced).toHaveLength(1);
    expect(votes.published.at(-1)?.switchovers).toEqual([]);
  });

  it("with the Route 53 API down, drains through the signal stores alone and announces it once", async () => {
    const { zone, votes, signals, announced, deps } = world();
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
    const { zone, votes, parameters, announced, deps } = world();
    for (const at of [t0 - 20, t0 - 10, t0]) votes.add(at, everyVantage(primaryDown));

    const outcome = await runDecisionRound(deps("us-east-2", { dryRun: true }), t0 + 6);

    expect(outcome).toMatchObject({ dryRun: true, switched: false, shift: "primary 90 → 0, failover 10 → 100" });
    expect(zone.changes).toEqual([]);
    expect([...parameters.values()].every((store) => store.values.size === 0)).toBe(true);
    expect(announced).toEqual([]);
  });
});
