import { describe, expect, it } from "vitest";
import type { UpdatePlan, UpdateResult } from "../../../functions/lib/records/zone-update.ts";
import { announceRound } from "../../../functions/lib/decider/announce-round.ts";
import { applyRound } from "../../../functions/lib/decider/apply-round.ts";
import { type Decided, decideRound } from "../../../functions/lib/decider/decide-round.ts";
import { readRound } from "../../../functions/lib/decider/read-round.ts";
import { runDecisionRound } from "../../../functions/lib/decider/round.ts";
import type { ZoneSnapshot } from "../../../functions/lib/records/zone-snapshot.ts";
import { everyVantage, roundWorld } from "../../support/round-world.ts";

const t0 = 1_800_000_000;
const up = { primary: true, failover: true };
const primaryDown = { primary: false, failover: true };

/** A world whose zone and parameter stores note each write in one list, in the order they happen. */
function orderedWorld() {
  const world = roundWorld();
  const writes: string[] = [];
  const update = world.zone.update.bind(world.zone);
  world.zone.update = async <T>(plan: (snapshot: ZoneSnapshot) => UpdatePlan<T>): Promise<UpdateResult<T>> => {
    const result = await update(plan);
    if (result.applied) writes.push("records");
    return result;
  };
  for (const [region, store] of world.parameters) {
    const put = store.put.bind(store);
    store.put = async (name, value) => {
      await put(name, value);
      writes.push(`signal ${region}`);
    };
  }
  return { ...world, writes };
}

describe("a round's read step", () => {
  it("reads the probe window and every control region's signal documents, adopting the other decider's newer switch as its view", async () => {
    const { zone, votes, deps } = roundWorld();
    votes.add(t0 - 10, everyVantage(up));
    await runDecisionRound(deps("us-west-1"), t0 - 4);
    zone.down = true;
    for (const at of [t0, t0 + 10]) votes.add(at, everyVantage(primaryDown));
    await runDecisionRound(deps("us-west-1"), t0 + 16);

    const reads = await readRound(deps("us-east-2"), t0 + 20);

    expect(reads.rounds.map((round) => round.at)).toEqual([t0 - 10, t0, t0 + 10]);
    expect(reads.signals?.own).toBeUndefined();
    expect(reads.signals?.view?.applied).toEqual({ primary: 0, failover: 100 });
    expect(reads.signals?.view?.state.switches[0]?.to).toEqual({ primary: 0, failover: 100 });
  });

  it("starts the zone read with the others and does not wait for it, so a drain signal goes out while Route 53 is slow", async () => {
    const { zone, votes, signals, deps } = roundWorld();
    votes.add(t0 - 10, everyVantage(up));
    await runDecisionRound(deps("us-east-2"), t0 - 4);
    votes.add(t0, everyVantage(primaryDown));
    let answer: () => void = () => undefined;
    const read = zone.read.bind(zone);
    let reads = 0;
    zone.read = () => {
      reads++;
      return new Promise((resolve) => {
        answer = () => resolve(read());
      });
    };
    const drainSent = async () =>
      (await signals.readAll()).every((read) => read.docs.some((doc) => doc.drain.includes("primary")));

    const round = runDecisionRound(deps("us-east-2"), t0 + 6);
    for (let turn = 0; turn < 50 && !(await drainSent()); turn++) await new Promise((resolve) => setImmediate(resolve));

    expect(reads).toBe(1);
    expect(await drainSent()).toBe(true);
    expect(zone.changes).toHaveLength(1);
    answer();
    expect(await round).toMatchObject({ switched: true, path: "api" });
    expect(zone.weights).toEqual({ primary: 0, failover: 100 });
  });

  it("logs a signal store it cannot read and reads on with the others", async () => {
    const { parameters, lines, deps } = roundWorld();
    const lost = parameters.get("us-west-1");
    if (lost) lost.down = true;

    const reads = await readRound(deps("us-east-2"), t0);

    expect(reads.signals?.reads.find((read) => read.region === "us-west-1")?.error).toMatch(/did not answer/);
    expect(reads.signals?.reads.find((read) => read.region === "us-east-2")?.error).toBeUndefined();
    expect(lines.some((line) => line.includes("signal store unreadable"))).toBe(true);
  });

  it("in a dry run asks no signal store", async () => {
    const { parameters, deps } = roundWorld();
    for (const store of parameters.values()) store.down = true;

    const reads = await readRound(deps("us-east-2", { dryRun: true }), t0);

    expect(reads).toMatchObject({ store: undefined, signals: undefined });
  });
});

describe("a round's decide step", () => {
  it("gives the view and the zone one decision when they show the same world", async () => {
    const { zone, votes, deps } = roundWorld();
    votes.add(t0 - 10, everyVantage(up));
    await runDecisionRound(deps("us-east-2"), t0 - 4);
    votes.add(t0, everyVantage(primaryDown));
    const reads = await readRound(deps("us-east-2"), t0 + 6);

    const decision = decideRound(deps("us-east-2"), reads);
    let onZone: ReturnType<typeof decision.onZone> | undefined;
    await zone.update((snapshot) => {
      onZone = decision.onZone(snapshot);
      return { change: undefined, decided: undefined };
    });

    expect(decision.fromView?.decision.weights).toEqual({ primary: 0, failover: 100 });
    expect(onZone?.decided.decision).toBe(decision.fromView?.decision);
    expect(onZone?.change?.weights).toEqual({ primary: 0, failover: 100 });
  });

  it("in a dry run plans no change to the zone, though it decides", async () => {
    const { zone, votes, deps } = roundWorld();
    votes.add(t0, everyVantage(primaryDown));
    const dry = deps("us-east-2", { dryRun: true });
    const decision = decideRound(dry, await readRound(dry, t0 + 6));

    const result = await zone.update(decision.onZone);

    expect(decision.fromView).toBeUndefined();
    expect(result.decided.decision.weights).toEqual({ primary: 0, failover: 100 });
    expect(result.applied).toBe(false);
    expect(zone.changes).toEqual([]);
  });
});

describe("a round's apply step", () => {
  it("writes a drain to every signal store before the records, and the view that explains the records after them", async () => {
    const { votes, writes, deps } = orderedWorld();
    votes.add(t0 - 10, everyVantage(up));
    await runDecisionRound(deps("us-east-2"), t0 - 4);
    writes.length = 0;
    votes.add(t0, everyVantage(primaryDown));
    const reads = await readRound(deps("us-east-2"), t0 + 6);

    const applied = await applyRound(deps("us-east-2"), reads, decideRound(deps("us-east-2"), reads));

    expect(writes).toEqual(["signal us-east-2", "signal us-west-1", "records", "signal us-east-2", "signal us-west-1"]);
    expect(applied).toMatchObject({ switched: true, from: { primary: 90, failover: 10 } });
    expect(applied.signals?.draining).toEqual(["primary"]);
  });

  it("clears the restoring decider's drain signal in the round its records give the target weight back", async () => {
    const { zone, votes, signals, deps } = roundWorld();
    votes.add(t0 - 10, everyVantage(up));
    await runDecisionRound(deps("us-east-2"), t0 - 4);
    for (let at = t0; at <= t0 + 60; at += 10) {
      votes.add(at, everyVantage(at < t0 + 30 ? primaryDown : up));
      await runDecisionRound(deps("us-east-2"), at + 4);
      if (zone.weights.primary !== 0) break;
    }

    // The policy's first ramp step (recovered for 20 s): the records give primary weight again this round.
    expect(zone.weights).toEqual({ primary: 45, failover: 55 });
    const reads = await signals.readAll();
    for (const read of reads) expect(read.docs.find((doc) => doc.by === "us-east-2")?.drain).toEqual([]);
  });

  it("keeps its drain signal one more round when a store could not be read, so the store cannot drain again when back", async () => {
    const { zone, votes, parameters, signals, deps } = roundWorld();
    votes.add(t0 - 10, everyVantage(up));
    await runDecisionRound(deps("us-east-2"), t0 - 4);
    const lost = parameters.get("us-west-1");
    for (let at = t0; at <= t0 + 60; at += 10) {
      votes.add(at, everyVantage(at < t0 + 30 ? primaryDown : up));
      if (lost) lost.down = at >= t0 + 50;
      await runDecisionRound(deps("us-east-2"), at + 4);
      if (zone.weights.primary !== 0) break;
    }

    expect(zone.weights).toEqual({ primary: 45, failover: 55 });
    const reads = await signals.readAll();
    expect(
      reads.find((read) => read.region === "us-east-2")?.docs.find((doc) => doc.by === "us-east-2")?.drain,
    ).toEqual(["primary"]);
  });

  it("writes no drain first for a target its view keeps out when the compare-and-swap restores it", async () => {
    const { votes, parameters, deps } = roundWorld();
    votes.add(t0 - 10, everyVantage(up));
    await runDecisionRound(deps("us-east-2"), t0 - 4);
    votes.add(t0, everyVantage(primaryDown));
    await runDecisionRound(deps("us-east-2"), t0 + 4);
    votes.add(t0 + 10, everyVantage(up));
    const puts: string[] = [];
    for (const store of parameters.values()) {
      const put = store.put.bind(store);
      store.put = async (name, value) => {
        await put(name, value);
        puts.push(value);
      };
    }
    // us-west-1 never drained primary; its view (adopted from us-east-2) still keeps primary out, while the
    // zone holds a newer decision (another decider's, or a person's) that gives it back.
    const reads = await readRound(deps("us-west-1"), t0 + 16);
    const decision = decideRound(deps("us-west-1"), reads);
    expect(decision.fromView?.decision.weights.primary).toBe(0);
    const restored = { primary: 45, failover: 55 };
    const restore = (snapshot: ZoneSnapshot): UpdatePlan<Decided> => {
      const made = decision.onZone(snapshot).decided;
      return {
        change: { weights: restored },
        decided: { ...made, decision: { ...made.decision, weights: restored, changed: true } },
      };
    };

    const applied = await applyRound(deps("us-west-1"), reads, { ...decision, onZone: restore });

    expect(applied.switched).toBe(true);
    const drains = puts.map((value) => (JSON.parse(value) as { by: string; drain: string[] }).drain);
    expect(drains.length).toBeGreaterThan(0);
    expect(drains.flat()).not.toContain("primary");
  });

  it("with the Route 53 API down carries out the view's decision through the signals and leaves the records", async () => {
    const { zone, votes, writes, deps } = orderedWorld();
    votes.add(t0 - 10, everyVantage(up));
    await runDecisionRound(deps("us-east-2"), t0 - 4);
    writes.length = 0;
    zone.down = true;
    votes.add(t0, everyVantage(primaryDown));
    const reads = await readRound(deps("us-east-2"), t0 + 6);
    const decision = decideRound(deps("us-east-2"), reads);

    const applied = await applyRound(deps("us-east-2"), reads, decision);

    expect(applied.result).toBeUndefined();
    expect(applied.decided).toBe(decision.fromView);
    expect(writes).not.toContain("records");
    expect(applied.signals).toMatchObject({ draining: ["primary"], inEffect: true, confirmed: true });
  });

  it("plans again on a fresh read when the other decider wrote the zone after the read step read it", async () => {
    const { zone, votes, deps } = roundWorld();
    votes.add(t0, everyVantage(primaryDown));
    const reads = await readRound(deps("us-east-2"), t0 + 6);
    await runDecisionRound(deps("us-west-1"), t0 + 6);

    const applied = await applyRound(deps("us-east-2"), reads, decideRound(deps("us-east-2"), reads));

    expect(zone.conflicts).toBe(1);
    expect(applied.result?.attempts).toBe(2);
    expect(applied).toMatchObject({ switched: false, from: { primary: 0, failover: 100 } });
    expect(zone.changes).toHaveLength(1);
  });

  it("fails the round when the Route 53 API is down and no view says what is in effect", async () => {
    const { zone, votes, parameters, deps } = roundWorld();
    zone.down = true;
    votes.add(t0, everyVantage(primaryDown));
    const reads = await readRound(deps("us-east-2"), t0 + 6);

    await expect(applyRound(deps("us-east-2"), reads, decideRound(deps("us-east-2"), reads))).rejects.toMatchObject({
      code: "ROUTE53_UNAVAILABLE",
    });
    expect([...parameters.values()].every((store) => store.values.size === 0)).toBe(true);
  });
});

describe("a round's announce step", () => {
  it("does not announce the records catching up with a drain the health checks already made", async () => {
    const { zone, votes, announced, deps } = roundWorld();
    votes.add(t0 - 10, everyVantage(up));
    await runDecisionRound(deps("us-east-2"), t0 - 4);
    zone.down = true;
    for (const at of [t0, t0 + 10]) votes.add(at, everyVantage(primaryDown));
    await runDecisionRound(deps("us-east-2"), t0 + 16);
    zone.down = false;
    votes.add(t0 + 20, everyVantage(primaryDown));
    const reads = await readRound(deps("us-east-2"), t0 + 26);
    const applied = await applyRound(deps("us-east-2"), reads, decideRound(deps("us-east-2"), reads));

    const outcome = await announceRound(deps("us-east-2"), reads, applied);

    expect(applied.decided.catchUp).toBe(true);
    expect(zone.weights).toEqual({ primary: 0, failover: 100 });
    expect(outcome).toMatchObject({ from: { primary: 0, failover: 100 }, path: "api" });
    expect(announced).toHaveLength(1);
  });

  it("publishes the metrics of a round that switched nothing with no switchover and announces nothing", async () => {
    const { votes, announced, deps } = roundWorld();
    votes.add(t0, everyVantage(up));
    const reads = await readRound(deps("us-east-2"), t0 + 6);
    const applied = await applyRound(deps("us-east-2"), reads, decideRound(deps("us-east-2"), reads));

    const outcome = await announceRound(deps("us-east-2"), reads, applied);

    expect(outcome).toMatchObject({ switched: false, kind: "steady", weights: { primary: 90, failover: 10 } });
    expect(votes.published).toHaveLength(1);
    expect(votes.published[0]?.switchovers).toEqual([]);
    expect(announced).toEqual([]);
  });
});
