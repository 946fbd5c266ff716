import { describe, expect, it } from "vitest";
import { formatWeights, sameWeights, splitWeights, type TargetShare } from "../../../functions/lib/policy/weights.ts";

const share = (id: string, normal: number, factor: number, tier: number | undefined): TargetShare => ({
  id,
  normal,
  factor,
  tier,
});

describe("splitWeights", () => {
  it("gives what a drained target gave up to the absorbing tier by largest remainder, not by size", () => {
    // 7 given over normal weights 26 and 9: exactly 5.2 and 1.8, so the spare unit goes to the second.
    const weights = splitWeights([share("a", 26, 1, 0), share("b", 9, 1, 0), share("x", 7, 0, undefined)]);
    expect(weights).toEqual({ a: 31, b: 11, x: 0 });
  });

  it("gives a spare unit to the earlier target when the remainders tie", () => {
    const weights = splitWeights([
      share("a", 0, 1, 1),
      share("b", 0, 1, 1),
      share("c", 0, 1, 1),
      share("x", 10, 0, undefined),
    ]);
    expect(weights).toEqual({ a: 4, b: 3, c: 3, x: 0 });
  });

  it("shares by normal weight within the tier, a weight-0 member getting nothing while another has weight", () => {
    expect(splitWeights([share("a", 10, 1, 0), share("b", 0, 1, 0), share("x", 90, 0, undefined)])).toEqual({
      a: 100,
      b: 0,
      x: 0,
    });
  });

  it("scales weights above 255 down together, a drained target staying at 0", () => {
    expect(splitWeights([share("a", 200, 1, 0), share("b", 100, 1, 0), share("x", 200, 0, undefined)])).toEqual({
      a: 255,
      b: 128,
      x: 0,
    });
  });

  it("returns undefined when nothing would get any weight", () => {
    expect(splitWeights([share("a", 90, 0, undefined), share("b", 10, 0, undefined)])).toBeUndefined();
  });
});

describe("sameWeights and formatWeights", () => {
  it("calls weights the same only when every listed target's weight is, a missing one 0", () => {
    expect(sameWeights({ a: 1, b: 2 }, { a: 1, b: 3 }, ["a", "b"])).toBe(false);
    expect(sameWeights({ a: 1, b: 0 }, { a: 1 }, ["a", "b"])).toBe(true);
  });

  it("writes a target missing from the weights as 0", () => {
    expect(formatWeights({ a: 90 }, ["a", "b"], { named: true })).toBe("a=90 b=0");
    expect(formatWeights({ a: 90 }, ["a", "b"])).toBe("90/0");
  });
});
