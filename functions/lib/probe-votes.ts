/**
 * The ProbeVotes value format (metric and dimension names: ./metrics.ts):
 * how targets map to bits (vote groups), and how one vantage's results for
 * a round become one exact integer and back. Probes encode
 * (../aws/cloudwatch.ts publishProbeRound), deciders decode (readWindow);
 * a change of format changes only this file. Pure.
 */

/** Targets per ProbeVotes datum: pass and silent masks of 16 bits each keep the value an exact integer below 2^32. */
export const targetsPerVoteGroup = 16;

/** One ProbeVotes series per vantage: its `TargetGroup` dimension value and the target ids of its bits, bit 0 first. */
export interface VoteGroup {
  dimension: string;
  targets: string[];
}

/**
 * How targets map to ProbeVotes bits: ids sorted (code-point order, so
 * reordering the config changes nothing), in groups of
 * {@link targetsPerVoteGroup}. The dimension value is the group index and a
 * fingerprint of its ids (`0-1a2b3c4d`): while a deployment rolls out, a
 * decider whose config maps bits differently from a probe's reads a series
 * that does not exist (no vote, nothing moves) instead of misreading bits.
 */
export function voteGroups(targetIds: readonly string[]): VoteGroup[] {
  const sorted = [...targetIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const groups: VoteGroup[] = [];
  for (let start = 0; start < sorted.length; start += targetsPerVoteGroup) {
    const targets = sorted.slice(start, start + targetsPerVoteGroup);
    groups.push({ dimension: `${groups.length}-${fingerprint(targets.join(","))}`, targets });
  }
  return groups;
}

/** FNV-1a, 32 bits, as 8 hex digits: short, stable, no crypto import. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
}

/** ProbeVotes value of a group: bit i of the low 16 bits = its i-th target passed; of the high 16 bits = no result for it. */
export function encodeVotes(group: VoteGroup, results: ReadonlyMap<string, boolean>): number {
  let passed = 0;
  let silent = 0;
  group.targets.forEach((id, bit) => {
    const ok = results.get(id);
    if (ok === undefined) silent += 2 ** bit;
    else if (ok) passed += 2 ** bit;
  });
  return passed + silent * 2 ** 16;
}

/** Writes a ProbeVotes value's votes into `votes` (target -> passed), leaving silent targets out. */
export function decodeVotes(group: VoteGroup, value: number, votes: Record<string, boolean>): void {
  const passed = value % 2 ** 16;
  const silent = Math.floor(value / 2 ** 16);
  group.targets.forEach((id, bit) => {
    if (Math.floor(silent / 2 ** bit) % 2 === 0) votes[id] = Math.floor(passed / 2 ** bit) % 2 === 1;
  });
}

/** Bits of the check field above the 32 vote bits: the sealed value stays an exact integer below 2^48. */
const SEAL_BITS = 16;

/**
 * The datum a probe publishes: the votes value plus, above its 32 bits, a
 * 16-bit check of (vantage, group, round, votes). A decider reads the
 * round's `Average`: one genuine datum (or its retried copies) averages to
 * itself and its check holds; any other datum for the same round (a forged
 * or conflicting one) moves the average off every value whose check holds,
 * so the conflict is evident, and a value copied from another round or
 * vantage fails its check. Not a secret: a principal allowed to publish in
 * the namespace can still compute a valid value for a silent vantage (see the
 * README's security section).
 */
export function sealVotes(value: number, vantage: string, group: VoteGroup, at: number): number {
  return value + checkOf(value, vantage, group, at) * 2 ** 32;
}

/** The votes value of a sealed datum, or undefined when its check fails (conflicting or foreign datums). */
export function unsealVotes(sealed: number, vantage: string, group: VoteGroup, at: number): number | undefined {
  if (!Number.isInteger(sealed) || sealed < 0 || sealed >= 2 ** (32 + SEAL_BITS)) return undefined;
  const value = sealed % 2 ** 32;
  return Math.floor(sealed / 2 ** 32) === checkOf(value, vantage, group, at) ? value : undefined;
}

function checkOf(value: number, vantage: string, group: VoteGroup, at: number): number {
  return Number.parseInt(fingerprint(`${vantage}|${group.dimension}|${at}|${value}`), 16) % 2 ** SEAL_BITS;
}
