import { describe, expect, it } from "vitest";
import { decodeVotes, encodeVotes, voteGroups } from "../../functions/lib/probe-votes.ts";

describe("voteGroups", () => {
  it("packs targets sorted by id into groups of 16, whatever the config order", () => {
    // Prepare
    const ids = Array.from({ length: 17 }, (_, i) => `t${String(i).padStart(2, "0")}`);
    // Act
    const groups = voteGroups([...ids].reverse());
    // Assess
    expect(groups.map((g) => g.targets.length)).toEqual([16, 1]);
    expect(groups[0]?.targets[0]).toBe("t00");
    expect(groups[1]?.targets).toEqual(["t16"]);
    expect(groups.map((g) => g.dimension.split("-")[0])).toEqual(["0", "1"]);
  });

  it("names a group differently when its targets change, so a probe and a decider with different configs never share bits", () => {
    // Act
    const before = voteGroups(["primary", "failover"])[0]?.dimension;
    const after = voteGroups(["primary", "failover", "backup"])[0]?.dimension;
    // Assess
    expect(before).toMatch(/^0-[0-9a-f]{8}$/);
    expect(after).not.toBe(before);
    expect(voteGroups(["failover", "primary"])[0]?.dimension).toBe(before);
  });
});

describe("encodeVotes and decodeVotes", () => {
  it("round-trips passed, failed and silent targets through one integer", () => {
    // Prepare
    const [group] = voteGroups(["a", "b", "c"]);
    const results = new Map([
      ["a", true],
      ["c", false],
    ]);
    // Act
    const value = encodeVotes(group!, results);
    const votes: Record<string, boolean> = {};
    decodeVotes(group!, value, votes);
    // Assess
    expect(value).toBe(1 + 2 * 2 ** 16);
    expect(votes).toEqual({ a: true, c: false });
  });
});
