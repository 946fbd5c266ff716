import { randomUUID } from "node:crypto";
import { readStateDocument } from "../control/zone-change.ts";
import { FailoverError } from "../errors.ts";
import { leaseActive } from "../lease.ts";
import type { PracticeMemory } from "../policy/memory.ts";
import { failedPreCheck, practiceSlot, slotTarget } from "../policy/practice.ts";
import { emptyStateDocument, type StateDocument } from "../state-document.ts";
import type { ZoneSnapshot } from "../records/zone-snapshot.ts";
import { decideOn, readRounds, type InvocationOrigin, type ManualContext } from "./context.ts";
import type { ManualEvent } from "./event.ts";
import { auditEntry } from "./lease-change.ts";
import type { PracticeRequestResult } from "./result.ts";

/** A validated `practice-start` or `practice-cancel` event. */
export type PracticeRequestEvent = ManualEvent & { action: "practice-start" | "practice-cancel"; reason: string };

/**
 * `failover practice start|cancel`: writes on-call's request (or cancel)
 * into the policy memory, in one compare-and-swap of the state record, and
 * leaves the weights alone. The deciders act on it at their next round
 * (../policy/practice.ts), so a run starts and ends once, recorded and
 * announced by the decider that applies it, exactly like a scheduled one.
 * The pre-checks this function can judge (lease, run in progress, drain,
 * probe health) refuse a start at once; the blocking alarms are judged by
 * the decider, which records a skip with its reason in the practice history.
 */
export async function requestPractice(
  ctx: ManualContext,
  event: PracticeRequestEvent,
  now: number,
  invocation: InvocationOrigin = {},
): Promise<PracticeRequestResult> {
  const problems: string[] = [];
  const id = `${event.action}-${randomUUID().slice(0, 8)}`;
  const rounds = await readRounds(ctx, now, problems);
  const plan = (snapshot: ZoneSnapshot) => planRequest(ctx, event, { id, now, rounds, problems }, snapshot);
  const first = await ctx.switcher.read();
  // Refused before the audit entry is written: a refusal changes nothing anywhere.
  plan(first);
  problems.push(...(await ctx.audit.write(auditEntry(event, id, now, invocation))));
  const result = await ctx.switcher.update((snapshot) => {
    const planned = plan(snapshot);
    return { change: { state: planned.state }, decided: planned.target };
  });
  ctx.log.warn(`manual ${event.action}: ${id}`, { id, actor: event.actor, reason: event.reason });
  return {
    action: event.action,
    at: now,
    problems,
    id,
    target: result.decided,
    changeId: result.changeId ?? "",
    attempts: result.attempts,
  };
}

interface Asked {
  id: string;
  now: number;
  rounds: Parameters<typeof decideOn>[2];
  problems: string[];
}

/** The state record with the request (or cancel) in its memory, and the run's target; throws PRACTICE_REFUSED when it cannot apply. */
function planRequest(
  ctx: ManualContext,
  event: PracticeRequestEvent,
  asked: Asked,
  snapshot: ZoneSnapshot,
): { state: StateDocument; target: string } {
  const { id, now } = asked;
  const settings = ctx.config.practice;
  if (settings === undefined) throw refused("the config has no practice block: practice runs are not configured");
  const { doc } = readStateDocument(snapshot);
  const prior: PracticeMemory = doc?.memory.practice ?? {};
  let practice: PracticeMemory;
  let target: string;
  if (event.action === "practice-cancel") {
    if (prior.run === undefined) throw refused("no practice run is in progress: nothing to cancel");
    target = prior.run.target;
    practice = { ...prior, cancel: { id, at: now } };
  } else {
    // The memory as the deciders wrote it, never one derived here: this function's view of
    // the probes, newer or older than theirs, must not move their basis.
    if (doc === undefined)
      throw refused("the state record is absent or unreadable: the deciders have not written their memory yet");
    target = event.target ?? slotTarget(settings, practiceSlot(settings, now));
    const { decision } = decideOn(ctx, snapshot, asked.rounds, now, asked.problems);
    // The blocking alarms are read by the decider at its round; every other pre-check is judged here, at once.
    const failed = failedPreCheck({
      settings: { ...settings, blockingAlarms: [] },
      view: { alarms: {} },
      memory: doc.memory,
      verdicts: decision.verdicts,
      ids: ctx.ids,
      leaseActive: leaseActive(snapshot.lease, now),
      target,
    });
    if (failed !== undefined) throw refused(`pre-check ${failed.check} failed: ${failed.reason}`);
    if (prior.request !== undefined)
      asked.problems.push(
        `replaces the earlier request ${prior.request.id} (${prior.request.target}), not yet started`,
      );
    practice = { ...prior, request: { id, target, at: now } };
  }
  // A cancel found a run, so the deciders' document exists.
  const state = doc ?? emptyStateDocument();
  return { state: { ...state, memory: { ...state.memory, practice } }, target };
}

function refused(message: string): FailoverError {
  return new FailoverError("PRACTICE_REFUSED", `${message}; nothing was changed`, {
    hint: "Run `failover status` and `failover practice history` to see the state and the runs.",
  });
}
