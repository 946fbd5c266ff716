import { describe, expect, it } from "vitest";
import type { RoundOutcome } from "../../../functions/lib/decider/decider.ts";
import { DeciderRoundMeter, deciderRoundFigures, type MeasuredRound } from "../../../drill/round-meter.ts";

/** A round's outcome with only what the meter reads set. */
const outcome = (switched: boolean, applied: boolean) => ({ switched, applied }) as RoundOutcome;

const measured = (kind: MeasuredRound["kind"], calls: Record<string, number>, wallMs: number): MeasuredRound => ({
  controlRegion: "us-east-2",
  kind,
  calls: Object.values(calls).reduce((sum, count) => sum + count, 0),
  byService: calls,
  wallMs,
});

describe("DeciderRoundMeter", () => {
  it("counts the calls made during each round by service, and sorts rounds into steady, switch and other writes", async () => {
    // Prepare: a decider's call counter, as its own fault proxy keeps it.
    const calls: Record<string, number> = { route53: 4 };
    const meter = new DeciderRoundMeter(() => true);
    const around = meter.around("us-east-2", calls);
    // Act
    await around(async () => {
      calls.route53 = (calls.route53 ?? 0) + 1;
      calls.monitoring = 2;
      return outcome(false, false);
    });
    await around(async () => {
      calls.route53 = (calls.route53 ?? 0) + 2;
      calls.ssm = 4;
      return outcome(true, true);
    });
    await around(async () => outcome(false, true));
    // Assess
    expect(meter.rounds.map(({ kind, calls, byService }) => ({ kind, calls, byService }))).toEqual([
      { kind: "steady", calls: 3, byService: { route53: 1, monitoring: 2 } },
      { kind: "switch", calls: 6, byService: { route53: 2, ssm: 4 } },
      { kind: "otherWrite", calls: 0, byService: {} },
    ]);
    expect(meter.rounds.every((round) => round.wallMs >= 0)).toBe(true);
  });

  it("records a failed round and passes its error on; counts nothing before it is told to", async () => {
    // Prepare
    let counting = false;
    const meter = new DeciderRoundMeter(() => counting);
    const around = meter.around("us-west-1", {});
    await around(async () => outcome(false, false));
    counting = true;
    // Act
    const failed = around(async () => {
      throw new Error("throttled");
    });
    // Assess
    await expect(failed).rejects.toThrow("throttled");
    expect(meter.rounds.map((round) => round.kind)).toEqual(["failed"]);
  });
});

describe("deciderRoundFigures", () => {
  it("gives per kind the count, mean and max calls, mean calls by service, wall median, p95 and max, and the rounds over the slot", () => {
    // Prepare: 20 steady rounds of 3 calls (10..200 ms), one switch round of 9.
    const steady = Array.from({ length: 20 }, (_, i) =>
      measured("steady", { route53: 1, monitoring: 2 }, (i + 1) * 10),
    );
    const rounds = [...steady, measured("switch", { route53: 3, ssm: 6 }, 400)];
    // Act
    const figures = deciderRoundFigures(rounds, 250);
    // Assess
    expect(figures).toEqual({
      slotWallMs: 250,
      overSlot: 1,
      steady: {
        rounds: 20,
        calls: { mean: 3, max: 3 },
        callsByService: { monitoring: 2, route53: 1 },
        wallMs: { median: 100, p95: 190, max: 200 },
      },
      switch: {
        rounds: 1,
        calls: { mean: 9, max: 9 },
        callsByService: { route53: 3, ssm: 6 },
        wallMs: { median: 400, p95: 400, max: 400 },
      },
    });
  });

  it("averages a service over every round of its kind, counting rounds without it as zero", () => {
    // Prepare
    const rounds = [measured("steady", { route53: 1 }, 5), measured("steady", { route53: 1, sns: 1 }, 5)];
    // Act
    const figures = deciderRoundFigures(rounds, 250);
    // Assess
    expect(figures.steady?.callsByService).toEqual({ route53: 1, sns: 0.5 });
    expect(figures.steady?.calls).toEqual({ mean: 1.5, max: 2 });
    expect(figures.overSlot).toBe(0);
  });
});
