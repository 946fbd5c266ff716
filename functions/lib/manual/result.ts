import type { SignalStatus } from "../dataplane/signal-status.ts";
import { describeError, FailoverError, ValidationError, type ValidationIssue } from "../errors.ts";
import type { Attribution } from "../audit-trail.ts";
import type { OverrideLease } from "../lease.ts";
import type { Decision, WeightChange } from "../policy/decide.ts";
import type { SwitchEvent } from "../state-document.ts";
import type { Weights } from "../types.ts";
import type { ChangeSync } from "../control/change-sync.ts";
import type { DataPlaneStatus } from "../dataplane-link/status.ts";
import type { BrokenLink, LinkResult } from "../dataplane-link/link.ts";
import type { CanaryAlarmsResult } from "./canary-alarms.ts";

/** A lease as `status` and the change actions report it: who took it and why come from the audit trail. */
export interface LeaseView extends OverrideLease, Attribution {
  active: boolean;
  /** Seconds until it expires (negative: expired that long ago). */
  expiresInSeconds: number;
}

/** A switch event as `status` shows it: a manual one with its actor from the audit trail. */
export type SwitchView = SwitchEvent & { actor?: string };

/** One target as `status` and `plan` show it. */
export interface TargetStatus {
  id: string;
  region: string;
  /** Weight in Route 53 now. */
  weight: number;
  /** Weight in the config. */
  normalWeight: number;
  health: "up" | "down" | "unknown";
  /** Vantage -> its vote in the latest round. */
  votes: Record<string, "up" | "down" | "silent">;
  downRounds: number;
  upSeconds: number;
  /** Policy mode: in service, drained, ramping back, or held by a spent flap budget. */
  mode: "in-service" | "drained" | "ramp" | "held";
}

interface Common {
  /** Epoch seconds the answer was made at. */
  at: number;
  /** Things that were read but ignored or unavailable (malformed lease or state, no probe window). */
  problems: string[];
}

export interface StatusResult extends Common {
  action: "status";
  weights: Weights;
  targets: TargetStatus[];
  lease: LeaseView | null;
  /** Newest first. */
  switches: SwitchView[];
  /** What the decider would do now, in one line. */
  policy: { kind: Decision["kind"]; reason: string };
  /** Each target's health-check status and what DNS clients get; absent when health checks could not be read. */
  dataPlane?: DataPlaneStatus;
  /** Every signal document in every control region's store, its age and writer; absent without signal stores. */
  signal?: SignalStatus;
}

export interface PlanResult extends Common {
  action: "plan";
  current: Weights;
  proposed: Weights;
  changed: boolean;
  /** "primary 90 → 0, failover 10 → 100" or "no change". */
  shift: string;
  kind: Decision["kind"];
  reason: string;
  changes: WeightChange[];
  targets: TargetStatus[];
  lease: LeaseView | null;
}

export interface ChangeResult extends Common {
  action: "promote" | "drain" | "pin" | "release" | "release-hold";
  from: Weights;
  to: Weights;
  shift: string;
  /** The lease written (promote/drain/pin), or the one released (null: there was none). */
  lease: LeaseView | null;
  /** The active lease this one replaced (promote/drain/pin). */
  replaced: LeaseView | null;
  /** Targets whose flap hold was cleared. */
  releasedHolds: string[];
  /** The policy's reason for the weights now in place. */
  reason: string;
  /** Route 53 change id ("" when nothing needed writing). */
  changeId: string;
  /** `release` leaving other than the normal weights in place (no lease holds them): what that means, in words. */
  kept?: string;
  /** Reads-and-writes it took (2 or more: a decider wrote in between). */
  attempts: number;
  /** Whether Route 53 reported the change INSYNC within the function's short wait; null when nothing was written. */
  sync: ChangeSync | null;
  /** This request (same `requestId`) had already been applied by an earlier delivery: nothing was written. */
  repeated?: true;
  /** Route 53's answer to the change was lost; reading the records back showed it in place (`changeId` unknown: ""). */
  readBack?: true;
}

/** `practice-start` / `practice-cancel`: the request written into the policy memory; the next decider round acts on it. */
export interface PracticeRequestResult extends Common {
  action: "practice-start" | "practice-cancel";
  /** The request's audit id; a run it starts has it as `by`. */
  id: string;
  /** The target of the run asked for, or of the run cancelled. */
  target: string;
  changeId: string;
  attempts: number;
}

export interface InitResult extends Common {
  action: "init";
  created: string[];
  /** Sets of the managed names taken over: deleted in the batch that creates the weighted records, as read. */
  replaced: string[];
  /** Only the plan: nothing was sent (the event's `dryRun`). */
  dryRun?: true;
  /** The records existed already and were kept as they are (weights unchanged). */
  adopted: boolean;
  /** Nothing was (with dryRun: would be) changed: records and data-plane links already in place (a rerun). */
  unchanged?: true;
  /** The data-plane health checks created and tied; absent without signal endpoints. */
  dataPlane?: LinkResult;
  /** The canary alarms put in us-east-1 (with the data plane linked). */
  canaryAlarms?: CanaryAlarmsResult;
  changeId: string;
  /** As in {@link ChangeResult}. */
  sync: ChangeSync | null;
  /** As in {@link ChangeResult}: the batch creating the records lost its answer and was read back in place. */
  readBack?: true;
}

export interface VerifyResult extends Common {
  action: "verify";
  /** Every broken link (a part that exists with a link missing or wrong), with what to run to fix it; empty when sound. */
  broken: BrokenLink[];
  /** Parts of which nothing exists yet, each with the step that sets it up; empty when all are set up. */
  notSetUp: SetupStep[];
}

/** A part `verify` found not set up yet (nothing of it exists), and the step that sets it up. */
export interface SetupStep {
  /** `records`, `data plane`, `alarms`, `Slack webhook`. */
  part: string;
  message: string;
  /** What to run. */
  run: string;
}

/** What one manual action answers; the CLI renders it (./render.ts; the Slack command shows the same text). */
export type ManualResult = StatusResult | PlanResult | ChangeResult | InitResult | VerifyResult | PracticeRequestResult;

/** Why a manual action failed, as the function answers it: code, message, hint and the invalid fields. */
export interface ManualErrorBody {
  code: string;
  message: string;
  hint?: string;
  issues?: ValidationIssue[];
}

/** The manual failover function's answer: never a stack trace. */
export type ManualResponse = ({ ok: true } & ManualResult) | { ok: false; error: ManualErrorBody };

/** The answer body of a failed manual action: a FailoverError as it is, anything else as INTERNAL. */
export function manualErrorBody(error: unknown): ManualErrorBody {
  if (error instanceof ValidationError)
    return {
      code: error.code,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      issues: [...error.issues],
    };
  if (error instanceof FailoverError)
    return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  return {
    code: "INTERNAL",
    message: describeError(error),
    hint: "This is a bug in regional-failover; please report it with the logs; run `failover status` to see the records as they are now.",
  };
}
