import { randomUUID } from "node:crypto";
import type { MetricsBus } from "../aws/cloudwatch.ts";
import type { Route53Switcher } from "../aws/route53.ts";
import type { ZoneSnapshot } from "../records/zone-snapshot.ts";
import type { Clock } from "../clock.ts";
import type { FailoverConfig } from "../config.ts";
import { describeError, FailoverError, ValidationError, type ValidationIssue } from "../errors.ts";
import { leaseActive, type OverrideLease } from "../lease.ts";
import { log as defaultLog, type Logger } from "../log.ts";
import { decide, leaseWeights, windowSeconds, type Decision, type WeightChange } from "../policy/decide.ts";
import { releaseFlapHold, type PolicyMemory } from "../policy/memory.ts";
import { pickWeights } from "../policy/weights.ts";
import { votesOf, type SwitchEvent } from "../state.ts";
import type { ProbeRound, Weights } from "../types.ts";
import { logChangeSync, waitForChangeSync, type ChangeSync } from "./change-sync.ts";
import { parseManualEvent, type ManualAction, type ManualEvent } from "./manual-event.ts";
import { describeShift, readStateDocument, zoneChangeFor } from "./zone-change.ts";

export interface ManualDeps {
  config: FailoverConfig;
  /** Control region whose CloudWatch holds the probe window. */
  region: string;
  clock: Clock;
  switcher: Route53Switcher;
  bus: MetricsBus;
  /** @default the process logger (JSON lines on stdout) */
  log?: Logger;
  /** New lease ids. @default `lease-` and 8 random hex digits */
  newLeaseId?: () => string;
  /** How long a change waits for Route 53 to report it INSYNC before answering (it is applied either way; short so on-call gets an answer at once). @default 10000 */
  syncTimeoutMs?: number;
}

/** A lease as `status` and the change actions report it. */
export interface LeaseView extends OverrideLease {
  active: boolean;
  /** Seconds until it expires (negative: expired that long ago). */
  expiresInSeconds: number;
}

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
  switches: SwitchEvent[];
  /** What the decider would do now, in one line. */
  policy: { kind: Decision["kind"]; reason: string };
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
  /** Reads-and-writes it took (2 or more: a decider wrote in between). */
  attempts: number;
  /** Whether Route 53 reported the change INSYNC within the function's short wait; null when nothing was written. */
  sync: ChangeSync | null;
}

export interface InitResult extends Common {
  action: "init";
  created: string[];
  changeId: string;
  /** As in {@link ChangeResult}. */
  sync: ChangeSync | null;
}

export type ManualResult = StatusResult | PlanResult | ChangeResult | InitResult;

/** The manual failover function's answer: never a stack trace. */
export type ManualResponse =
  | ({ ok: true } & ManualResult)
  | { ok: false; error: { code: string; message: string; hint?: string; issues?: ValidationIssue[] } };

/**
 * The manual failover logic shared by the Lambda function and `failover
 * --direct`: validate the event (a bad one changes nothing), then read, or
 * write an override lease and its weights in one compare-and-swap batch.
 */
export function createManualFailover(deps: ManualDeps) {
  const { config, clock } = deps;
  const log = deps.log ?? defaultLog;
  const ids = config.targets.map((target) => target.id);
  const newLeaseId = deps.newLeaseId ?? (() => `lease-${randomUUID().slice(0, 8)}`);
  const syncTimeoutMs = deps.syncTimeoutMs ?? 10_000;

  /** Waits briefly for INSYNC after a write; a slow sync or a failing GetChange is reported, never re-sent. */
  const followSync = async (changeId: string, problems: string[]): Promise<ChangeSync | null> => {
    if (changeId === "") return null;
    const followed = await waitForChangeSync(deps.switcher, changeId, syncTimeoutMs, clock);
    logChangeSync(log, followed);
    if (followed.problem !== undefined) problems.push(followed.problem);
    return followed.sync;
  };

  /** The probe window; a CloudWatch failure leaves every verdict unknown and is reported, so `status` still shows the zone. */
  const readRounds = async (now: number, problems: string[]): Promise<ProbeRound[]> => {
    try {
      return await deps.bus.readWindow(deps.region, now, windowSeconds(config));
    } catch (error) {
      problems.push(`probe window unavailable in ${deps.region}, health unknown: ${describeError(error)}`);
      return [];
    }
  };

  /** Runs the policy on a snapshot; `override` replaces the snapshot's lease (`lease: undefined` = decide as if there were none) and memory. */
  const decideOn = (
    snapshot: ZoneSnapshot,
    rounds: ProbeRound[],
    now: number,
    problems: string[],
    override: { lease?: OverrideLease | undefined; memory?: PolicyMemory | undefined } = {},
  ) => {
    const { doc, problem } = readStateDocument(snapshot);
    const lease = "lease" in override ? override.lease : snapshot.lease;
    const memory = "memory" in override ? override.memory : doc?.memory;
    if (problem !== undefined && !problems.includes(problem))
      problems.push(`state record ignored, policy memory starts fresh: ${problem}`);
    if (snapshot.leaseProblem !== undefined && !problems.includes(snapshot.leaseProblem))
      problems.push(snapshot.leaseProblem);
    const decision = decide({ now, config, rounds, current: snapshot.weights, memory, lease });
    return { doc, decision };
  };

  const targetRows = (snapshot: ZoneSnapshot, decision: Decision): TargetStatus[] => {
    const votes = votesOf(decision.verdicts);
    return config.targets.map((target) => {
      const verdict = decision.verdicts[target.id];
      return {
        id: target.id,
        region: target.region,
        weight: snapshot.weights[target.id] ?? 0,
        normalWeight: target.weight,
        health: verdict?.health ?? "unknown",
        votes: votes[target.id] ?? {},
        downRounds: verdict?.downRounds ?? 0,
        upSeconds: verdict?.upSeconds ?? 0,
        mode: decision.memory.targets[target.id]?.mode ?? "in-service",
      };
    });
  };

  const leaseView = (lease: OverrideLease | undefined, now: number): LeaseView | null =>
    lease === undefined ? null : { ...lease, active: leaseActive(lease, now), expiresInSeconds: lease.expiresAt - now };

  const pick = (weights: Weights): Weights => pickWeights(weights, ids);

  async function status(now: number): Promise<StatusResult> {
    const problems: string[] = [];
    const [rounds, snapshot] = await Promise.all([readRounds(now, problems), deps.switcher.read()]);
    const { doc, decision } = decideOn(snapshot, rounds, now, problems);
    return {
      action: "status",
      at: now,
      problems,
      weights: pick(snapshot.weights),
      targets: targetRows(snapshot, decision),
      lease: leaseView(snapshot.lease, now),
      switches: doc?.switches ?? [],
      policy: { kind: decision.kind, reason: decision.reason },
    };
  }

  async function plan(now: number): Promise<PlanResult> {
    const problems: string[] = [];
    const [rounds, snapshot] = await Promise.all([readRounds(now, problems), deps.switcher.read()]);
    const { decision } = decideOn(snapshot, rounds, now, problems);
    const current = pick(snapshot.weights);
    return {
      action: "plan",
      at: now,
      problems,
      current,
      proposed: decision.weights,
      changed: decision.changed,
      shift: describeShift(current, decision.weights, ids),
      kind: decision.kind,
      reason: decision.reason,
      changes: decision.changes,
      targets: targetRows(snapshot, decision),
      lease: leaseView(snapshot.lease, now),
    };
  }

  /** promote / drain / pin: a new lease and the weights it asks for, in one CAS batch with the state document. */
  async function takeLease(
    event: ManualEvent & { action: "promote" | "drain" | "pin"; reason: string },
    now: number,
  ): Promise<ChangeResult> {
    const lease: OverrideLease = {
      id: newLeaseId(),
      action: event.action,
      ...(event.target !== undefined ? { target: event.target } : {}),
      ...(event.weights !== undefined ? { weights: pick(event.weights) } : {}),
      actor: event.actor,
      reason: event.reason,
      createdAt: now,
      expiresAt: now + (event.ttlSeconds ?? config.lease.defaultTtlSeconds),
    };
    if (leaseWeights(config, lease) === undefined) {
      // Only a drain can get here (pin weights are checked by the event schema): every other target has normal weight 0.
      throw new ValidationError("manual failover event", [
        {
          path: "target",
          message: `draining ${event.target ?? "?"} would leave no target with traffic (every other target has normal weight 0); promote another target instead`,
        },
      ]);
    }
    const problems: string[] = [];
    const rounds = await readRounds(now, problems);
    let replaced: OverrideLease | undefined;
    let decision: Decision | undefined;
    const result = await deps.switcher.update((snapshot) => {
      replaced = leaseActive(snapshot.lease, now) ? snapshot.lease : undefined;
      const decided = decideOn(snapshot, rounds, now, problems, { lease });
      decision = decided.decision;
      return zoneChangeFor(decided.decision, snapshot, {
        now,
        doc: decided.doc,
        mode: "manual",
        actor: event.actor,
        lease,
      });
    });
    return changeResult(event.action, now, problems, result, decision as Decision, {
      lease: leaseView(lease, now),
      replaced: leaseView(replaced, now),
      releasedHolds: [],
    });
  }

  /**
   * release: delete the lease, clear every flap hold, and apply at once what
   * the policy decides without the lease (the decider would within a round).
   * release-hold: clear one target's flap hold, lease untouched.
   */
  async function giveBack(
    event: ManualEvent & { action: "release" | "release-hold"; reason: string },
    now: number,
  ): Promise<ChangeResult> {
    const problems: string[] = [];
    const rounds = await readRounds(now, problems);
    let released: OverrideLease | undefined;
    let releasedHolds: string[] = [];
    let decision: Decision | undefined;
    const result = await deps.switcher.update((snapshot) => {
      const { doc } = readStateDocument(snapshot);
      const holds = event.action === "release" ? ids : [event.target ?? ""];
      let memory = doc?.memory;
      releasedHolds = holds.filter((id) => memory?.targets[id]?.mode === "held");
      for (const id of releasedHolds) memory = releaseFlapHold(memory as PolicyMemory, id, now);
      released = event.action === "release" ? snapshot.lease : undefined;
      const lease = event.action === "release" ? undefined : snapshot.lease;
      const decided = decideOn(snapshot, rounds, now, problems, { lease, memory });
      decision = decided.decision;
      return zoneChangeFor(decided.decision, snapshot, {
        now,
        doc: decided.doc,
        mode: "manual",
        actor: event.actor,
        ...(event.action === "release" ? { lease: null } : {}),
      });
    });
    if (event.action === "release-hold" && releasedHolds.length === 0)
      problems.push(`${event.target ?? "?"} was not held by its flap budget; nothing to release`);
    if (event.action === "release" && released === undefined) problems.push("no override lease was in place");
    return changeResult(event.action, now, problems, result, decision as Decision, {
      lease: leaseView(released, now),
      replaced: null,
      releasedHolds,
    });
  }

  async function changeResult(
    action: ChangeResult["action"],
    now: number,
    problems: string[],
    result: Awaited<ReturnType<Route53Switcher["update"]>>,
    decision: Decision,
    leases: Pick<ChangeResult, "lease" | "replaced" | "releasedHolds">,
  ): Promise<ChangeResult> {
    const from = pick(result.snapshot.weights);
    const to = result.applied && result.change?.weights !== undefined ? decision.weights : from;
    log.warn(`manual ${action}: ${describeShift(from, to, ids)}`, {
      action,
      from,
      to,
      reason: decision.reason,
      lease: leases.lease,
      releasedHolds: leases.releasedHolds,
      attempts: result.attempts,
      changeId: result.changeId,
    });
    const changeId = result.changeId ?? "";
    return {
      action,
      at: now,
      problems,
      from,
      to,
      shift: describeShift(from, to, ids),
      ...leases,
      reason: decision.reason,
      changeId,
      attempts: result.attempts,
      sync: await followSync(changeId, problems),
    };
  }

  async function run(event: ManualEvent, now: number): Promise<ManualResult> {
    switch (event.action) {
      case "status":
        return status(now);
      case "plan":
        return plan(now);
      case "init": {
        const created = await deps.switcher.init();
        log.warn("manual init: weighted records created", { created: created.created, actor: event.actor });
        const problems: string[] = [];
        return {
          action: "init",
          at: now,
          problems,
          created: created.created,
          changeId: created.changeId,
          sync: await followSync(created.changeId, problems),
        };
      }
      case "promote":
      case "drain":
      case "pin":
        return takeLease({ ...event, action: event.action, reason: event.reason ?? "" }, now);
      case "release":
      case "release-hold":
        return giveBack({ ...event, action: event.action, reason: event.reason ?? "" }, now);
    }
  }

  return {
    /** Validates and runs one event; every failure becomes `{ ok: false, error }` (code, message, hint, issues). */
    async handle(raw: unknown): Promise<ManualResponse> {
      const now = Math.floor(clock.now() / 1000);
      let action: ManualAction | undefined;
      try {
        const event = parseManualEvent(raw, config);
        action = event.action;
        log.info("manual failover event", {
          action: event.action,
          target: event.target,
          weights: event.weights,
          actor: event.actor,
          reason: event.reason,
          ttlSeconds: event.ttlSeconds,
        });
        return { ok: true, ...(await run(event, now)) };
      } catch (error) {
        log.error("manual failover failed", { action, error });
        return { ok: false, error: errorBody(error) };
      }
    },
  };
}

function errorBody(error: unknown): { code: string; message: string; hint?: string; issues?: ValidationIssue[] } {
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
