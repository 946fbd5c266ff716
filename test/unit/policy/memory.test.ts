import { describe, expect, it } from "vitest";
import { parsePolicyMemory, releaseFlapHold, type PolicyMemory } from "../../../functions/lib/policy/memory.ts";
import { T0 } from "./helpers.ts";

describe("parsePolicyMemory: the bounds of what the state record may hold", () => {
  const withRamp = (step: number) => ({ v: 1, targets: { primary: { mode: "ramp", since: T0, step } }, drains: {} });
  const withLease = (lease: string) => ({ v: 1, targets: {}, drains: {}, lease });

  it("takes ramp steps 0 to 9 and lease ids of 1 to 64 characters", () => {
    const drains = { v: 1, targets: {}, drains: { primary: [T0] } };
    for (const memory of [withRamp(0), withRamp(9), withLease("l"), withLease("l".repeat(64)), drains])
      expect(parsePolicyMemory(memory)).toEqual(memory);
  });

  it.each([
    { name: "a negative ramp step", memory: withRamp(-1), field: /targets\.primary\.step/ },
    { name: "a ramp step above 9", memory: withRamp(10), field: /targets\.primary\.step/ },
    { name: "an empty lease id", memory: withLease(""), field: /lease/ },
    { name: "a lease id over 64 characters", memory: withLease("l".repeat(65)), field: /lease/ },
  ])("refuses $name, naming the field", ({ memory, field }) => {
    expect(() => parsePolicyMemory(memory)).toThrow(field);
  });
});

describe("releaseFlapHold", () => {
  const memory: PolicyMemory = {
    v: 1,
    targets: { primary: { mode: "held", since: T0 }, failover: { mode: "drained", since: T0 } },
    drains: { primary: [T0 - 60, T0], failover: [T0] },
  };

  it("makes a held target drained with a fresh drain history, leaving the other targets as they are", () => {
    expect(releaseFlapHold(memory, "primary", T0 + 100)).toEqual({
      v: 1,
      targets: { primary: { mode: "drained", since: T0 + 100 }, failover: { mode: "drained", since: T0 } },
      drains: { failover: [T0] },
    });
  });

  it("leaves a target that is not held, or not out of service at all, as it is", () => {
    expect(releaseFlapHold(memory, "failover", T0 + 100)).toBe(memory);
    expect(releaseFlapHold(memory, "third", T0 + 100)).toBe(memory);
  });
});
