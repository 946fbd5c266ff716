import * as z from "zod";
import { policyMemorySchema, type PolicyMemory } from "./policy/memory.ts";
import { parseWith } from "./validate.ts";

/** How many switch events the state record keeps (newest first): enough for `status`, small enough for a TXT record. */
export const MAX_SWITCHES = 5;

const weightsSchema = z.record(z.string(), z.int().min(0).max(255));

const switchEventSchema = z.lazy(() =>
  z.strictObject({
    /** Epoch seconds. */
    at: z.int().nonnegative(),
    mode: z.enum(["automatic", "manual"]),
    from: weightsSchema,
    to: weightsSchema,
    /** The policy's reason (generated from ids, votes and times: never a person's text). */
    reason: z.string().max(1000),
    /** target -> vantage -> vote, as seen by the decision that switched. */
    votes: z.record(z.string(), z.record(z.string(), z.enum(["up", "down", "silent"]))),
    /** Manual switches: id of the audit entry (../audit-trail.ts) saying who and why; the person's text is not in DNS. */
    audit: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/)
      .optional(),
  }),
);

/** A switch event written before the audit trail moved out of DNS carried `actor`: it still parses, without it. */
const storedSwitchEventSchema = z.preprocess((input) => {
  if (typeof input !== "object" || input === null || !("actor" in input)) return input;
  const { actor: _legacy, ...rest } = input as Record<string, unknown>;
  return rest;
}, switchEventSchema);

export const stateDocumentSchema = z.lazy(() =>
  z.strictObject({
    v: z.literal(1),
    memory: policyMemorySchema,
    /** Newest first, at most {@link MAX_SWITCHES}. */
    switches: z.array(storedSwitchEventSchema).max(MAX_SWITCHES),
  }),
);

export type SwitchEvent = z.output<typeof switchEventSchema>;

/** The document held by the TXT record `_state._failover.<records[0].name>` (../records/txt.ts encodes it). */
export interface StateDocument {
  v: 1;
  memory: PolicyMemory;
  switches: SwitchEvent[];
}

/** Validates a state document read back from Route 53. Throws ValidationError naming each bad field. */
export function parseStateDocument(raw: unknown): StateDocument {
  return parseWith(stateDocumentSchema, raw, "state document");
}

/** A state document for a deployment that has never switched. */
export function emptyStateDocument(): StateDocument {
  return { v: 1, memory: { v: 1, targets: {}, drains: {} }, switches: [] };
}

/** Returns a new document with `event` first, keeping the newest {@link MAX_SWITCHES}. Pure: `doc` is not modified. */
export function recordSwitch(doc: StateDocument, event: SwitchEvent): StateDocument {
  const switches = [event, ...doc.switches].sort((a, b) => b.at - a.at).slice(0, MAX_SWITCHES);
  return { ...doc, switches };
}

/** The votes behind a decision, as a switch event stores them. */
export function votesOf(
  verdicts: Record<string, { upVotes: string[]; downVotes: string[]; silent: string[] }>,
): SwitchEvent["votes"] {
  const votes: SwitchEvent["votes"] = {};
  for (const [target, verdict] of Object.entries(verdicts)) {
    const byVantage: Record<string, "up" | "down" | "silent"> = {};
    for (const vantage of verdict.upVotes) byVantage[vantage] = "up";
    for (const vantage of verdict.downVotes) byVantage[vantage] = "down";
    for (const vantage of verdict.silent) byVantage[vantage] = "silent";
    votes[target] = byVantage;
  }
  return votes;
}

/** Name of the TXT record holding the policy's memory (drain history, ramp step), written in the same batch as the weights. */
export function stateRecordName(firstRecordName: string): string {
  return `_state._failover.${firstRecordName}`;
}
