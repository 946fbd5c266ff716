import { decideOn, leaseViewOf, readRounds, type ManualContext } from "../manual/context.ts";
import type { LeaseView } from "../manual/result.ts";
import { readStateDocument } from "../control/zone-change.ts";
import { ValidationError } from "../errors.ts";
import type { OverrideLease } from "../lease.ts";
import { leaseWeights } from "../policy/decide.ts";
import { releaseFlapHold } from "../policy/memory.ts";
import { pickWeights } from "../policy/weights.ts";
import type { Weights } from "../types.ts";
import type { ChangeIntent } from "./command-text.ts";

/** What the confirmation modal shows: the weights now, what the change would make them, and the lease in place. */
export interface ChangePreview {
  current: Weights;
  proposed: Weights;
  lease: LeaseView | null;
  /** After the change only one target would have traffic: the modal asks for the target's id to be typed. */
  singleTargetLeft: boolean;
  problems: string[];
}

/**
 * Reads the zone (and, for a release, the probe window) and works out what
 * the change would do, with the policy the manual function uses; writes
 * nothing. A lease's weights need no probe window, so a drain's modal costs
 * one Route 53 read and one audit read (Slack's 3 s for `views.open`).
 */
export async function previewChange(ctx: ManualContext, intent: ChangeIntent, now: number): Promise<ChangePreview> {
  const problems: string[] = [];
  const needsRounds = intent.action === "release" || intent.action === "release-hold";
  const [snapshot, rounds] = await Promise.all([
    ctx.switcher.read(),
    needsRounds ? readRounds(ctx, now, problems) : Promise.resolve([]),
  ]);
  const current = pickWeights(snapshot.weights, ctx.ids);
  let proposed: Weights | undefined;
  if (intent.action === "release" || intent.action === "release-hold") {
    const { doc } = readStateDocument(snapshot);
    const holds = intent.action === "release" ? ctx.ids : [intent.target];
    let memory = doc?.memory;
    for (const id of holds) if (memory !== undefined) memory = releaseFlapHold(memory, id, now);
    const lease = intent.action === "release" ? undefined : snapshot.lease;
    proposed = decideOn(ctx, snapshot, rounds, now, problems, { lease, memory }).decision.weights;
  } else {
    proposed = leaseWeights(ctx.config, previewLease(intent, now, ctx.config.lease.defaultTtlSeconds));
    if (proposed === undefined)
      throw new ValidationError("Slack command", [
        {
          path: "text",
          message: `${intent.action} would leave no target with traffic; promote another target instead`,
        },
      ]);
  }
  return {
    current,
    proposed,
    lease: await leaseViewOf(ctx, snapshot.lease, now, problems),
    singleTargetLeft: Object.values(proposed).filter((weight) => weight > 0).length === 1,
    problems,
  };
}

function previewLease(
  intent: Extract<ChangeIntent, { action: "promote" | "drain" | "pin" }>,
  now: number,
  ttl: number,
): OverrideLease {
  return {
    id: "preview",
    action: intent.action,
    ...(intent.action === "pin" ? { weights: intent.weights } : { target: intent.target }),
    createdAt: now,
    expiresAt: now + ttl,
  };
}
