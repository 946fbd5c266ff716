import type { ZoneChange } from "../records/change-batch.ts";
import type { ZoneSnapshot } from "../records/zone-snapshot.ts";
import { encodeTxtDocument } from "../records/txt.ts";
import { describeError, FailoverError } from "../errors.ts";
import type { OverrideLease } from "../lease.ts";
import type { Decision } from "../policy/decide.ts";
import { pickWeights } from "../policy/weights.ts";
import {
  emptyStateDocument,
  parseStateDocument,
  recordSwitch,
  votesOf,
  type StateDocument,
  type SwitchEvent,
} from "../state-document.ts";
import type { Weights } from "../types.ts";

/** Longest reason kept in a switch event: five events must fit one TXT record (4,000 characters) with the memory. */
const MAX_EVENT_REASON = 240;

/** The state document read back from Route 53; `problem` says why a present one was ignored (then the policy starts fresh). */
export interface StateRead {
  /** undefined: absent or malformed, the policy derives fresh memory from the weights. */
  doc: StateDocument | undefined;
  problem: string | undefined;
}

/** Validates the state TXT record of a snapshot; a malformed document is reported, never applied. */
export function readStateDocument(snapshot: ZoneSnapshot): StateRead {
  if (snapshot.stateProblem !== undefined) return { doc: undefined, problem: snapshot.stateProblem };
  if (snapshot.state === undefined) return { doc: undefined, problem: undefined };
  try {
    return { doc: parseStateDocument(snapshot.state), problem: undefined };
  } catch (error) {
    return { doc: undefined, problem: describeError(error) };
  }
}

export interface ChangeContext {
  /** Epoch seconds of the decision. */
  now: number;
  /** The state document the decision was made from (undefined: fresh). */
  doc: StateDocument | undefined;
  mode: SwitchEvent["mode"];
  /** Audit id of a manual switch (the lease's, or the release's): who and why are in the audit trail, not DNS. */
  audit?: string | undefined;
  /** Lease to write in the same batch (`null` deletes it); unset leaves it alone. */
  lease?: OverrideLease | null;
}

/**
 * The one compare-and-swap batch a decision needs: the new weights, the
 * state document (memory, plus a switch event when the weights move) and
 * the lease, or undefined when nothing must be written.
 */
export function zoneChangeFor(
  decision: Decision,
  snapshot: ZoneSnapshot,
  context: ChangeContext,
): ZoneChange | undefined {
  const base = context.doc ?? emptyStateDocument();
  const withMemory: StateDocument = { ...base, memory: decision.memory };
  const change: ZoneChange = {};
  if (context.lease !== undefined) change.lease = context.lease;
  if (decision.changed) {
    const event: SwitchEvent = {
      at: context.now,
      mode: context.mode,
      from: pickWeights(snapshot.weights, Object.keys(decision.weights)),
      to: decision.weights,
      reason: truncate(decision.reason, MAX_EVENT_REASON),
      votes: votesOf(decision.verdicts),
      ...(context.audit !== undefined ? { audit: context.audit } : {}),
    };
    change.weights = decision.weights;
    change.state = fitTxtRecord(recordSwitch(withMemory, event));
  } else if (decision.memoryChanged || context.doc === undefined || context.lease !== undefined) {
    change.state = fitTxtRecord(withMemory);
  }
  return Object.keys(change).length === 0 ? undefined : change;
}

/** "primary 90 → 0, failover 10 → 100": the targets whose weight differs. */
export function describeShift(from: Weights, to: Weights, ids: readonly string[]): string {
  const moved = ids.filter((id) => (from[id] ?? 0) !== (to[id] ?? 0));
  return moved.length === 0 ? "no change" : moved.map((id) => `${id} ${from[id] ?? 0} → ${to[id] ?? 0}`).join(", ");
}

/** Drops the oldest switch events until the document fits one TXT record; the memory itself always fits (< 1,500 characters). */
function fitTxtRecord(doc: StateDocument): StateDocument {
  let fitted = doc;
  for (let kept = doc.switches.length; kept >= 0; kept--) {
    fitted = { ...doc, switches: doc.switches.slice(0, kept) };
    try {
      encodeTxtDocument(fitted);
      return fitted;
    } catch (error) {
      if (!(error instanceof FailoverError) || error.code !== "TXT_TOO_LARGE") throw error;
    }
  }
  return fitted;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
