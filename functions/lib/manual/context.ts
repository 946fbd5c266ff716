import type { WebhookState } from "../slack/webhook.ts";
import { randomUUID } from "node:crypto";
import type { MetricsBus } from "../aws/cloudwatch.ts";
import type { HealthCheckAdmin } from "../aws/route53-health-checks.ts";
import type { Route53Switcher } from "../aws/route53.ts";
import type { ZoneSnapshot } from "../records/zone-snapshot.ts";
import type { Clock } from "../clock.ts";
import type { FailoverConfig } from "../config.ts";
import { describeError } from "../errors.ts";
import { leaseActive, type OverrideLease } from "../lease.ts";
import { log as defaultLog, type Logger } from "../log.ts";
import { decide, windowSeconds, type Decision } from "../policy/decide.ts";
import type { PolicyMemory } from "../policy/memory.ts";
import { votesOf, type StateDocument, type SwitchEvent } from "../state-document.ts";
import { AUDIT_UNAVAILABLE, attributionOf, type Attribution, type AuditTrail } from "../audit-trail.ts";
import type { PracticeHistory } from "../practice-history.ts";
import type { ProbeRound } from "../types.ts";
import type { VotePort } from "../decider/ports.ts";
import { unannounced, type Announce } from "../control/announcer.ts";
import { logChangeSync, waitForChangeSync, type ChangeSync } from "../control/change-sync.ts";
import type { FetchText } from "../dataplane-link/link.ts";
import type { SignalStore } from "../dataplane/signal-store.ts";
import type { LeaseView, SwitchView, TargetStatus } from "./result.ts";
import { readStateDocument } from "../control/zone-change.ts";

/**
 * Where an event came from, as far as the platform says. A plain Lambda
 * Invoke (what the CLI does) carries no caller identity into the function;
 * its request id is the `requestID` of the Invoke event in CloudTrail (a
 * Lambda data event), which holds the caller's ARN. Both are kept in the
 * change's audit entry.
 */
export interface InvocationOrigin {
  /** The invocation's `context.awsRequestId`; unset with `--direct` (the Route 53 change is then the caller's own CloudTrail event). */
  lambdaRequestId?: string;
  /** The caller's ARN, where the platform gives it (e.g. a function URL with AWS_IAM auth); unset for a plain Invoke. */
  caller?: string;
}

export interface ManualDeps {
  config: FailoverConfig;
  /** Control region whose votes table holds the probe window. */
  region: string;
  clock: Clock;
  switcher: Route53Switcher;
  bus: MetricsBus;
  /** Where the probe window is read: the votes table (../aws/vote-table.ts), as the deciders read it. */
  votes: Pick<VotePort, "readWindow">;
  /** @default the process logger (JSON lines on stdout) */
  log?: Logger;
  /** New lease ids. @default `lease-` and 8 random hex digits */
  newLeaseId?: () => string;
  /** How long a change waits for Route 53 to report it INSYNC before answering (it is applied either way; short so on-call gets an answer at once). @default 10000 */
  syncTimeoutMs?: number;
  /** Publishes each change for Slack (../control/announcer.ts); a failure is reported in the answer's `problems`, never fails the change. @default none: logged as not announced */
  announce?: Announce;
  /** Where who-and-why of each change is kept (../audit-trail.ts): public DNS holds only its id. */
  audit: AuditTrail;
  /** Where practice runs are recorded: a lease that ends one records its end (../practice-history.ts). @default none */
  practiceHistory?: PracticeHistory;
  /** Audit ids of releases (a lease's audit id is the lease id). @default `release-` and 8 random hex digits */
  newReleaseId?: () => string;
  /** Route 53 health checks of the data-plane path: `status` shows their status, `init` links them, `verify` checks them. @default none: the data-plane parts are left out */
  healthChecks?: HealthCheckAdmin;
  /** Each control region's signal endpoint URL (FAILOVER_SIGNAL_ENDPOINTS; the deploy's `signalEndpoints` output). @default none */
  signalEndpoints?: Readonly<Record<string, string>>;
  /** Reads a signal endpoint's answer. @default fetch with a 4 s timeout */
  fetchText?: FetchText;
  /** The data-plane signal stores: a lease's override is written there (a promote or pin clears the drain signal of what it gives traffic), and `status` shows every document. @default none: leases leave the signal alone */
  signals?: SignalStore;
  /** The us-east-1 topic the canary alarms announce to (../dataplane/canary-alarm.ts canaryTopicArn). @default none: init puts the canary alarms without actions and says so */
  canaryTopic?: string;
  /** The Slack webhook parameter's state in a control region (`verify`); the value never leaves it. @default none: not checked (the deployed function may not read it) */
  webhook?: (region: string) => Promise<WebhookState>;
}

/** Dependencies without a default. */
type Optional =
  | "healthChecks"
  | "signalEndpoints"
  | "fetchText"
  | "signals"
  | "webhook"
  | "canaryTopic"
  | "practiceHistory";

/** {@link ManualDeps} with every default filled in, and the target ids in config order. */
export interface ManualContext extends Required<Omit<ManualDeps, Optional>>, Pick<ManualDeps, Optional> {
  ids: string[];
}

export function manualContext(deps: ManualDeps): ManualContext {
  return {
    ...deps,
    log: deps.log ?? defaultLog,
    newLeaseId: deps.newLeaseId ?? (() => `lease-${randomUUID().slice(0, 8)}`),
    newReleaseId: deps.newReleaseId ?? (() => `release-${randomUUID().slice(0, 8)}`),
    syncTimeoutMs: deps.syncTimeoutMs ?? 10_000,
    announce: deps.announce ?? unannounced(deps.log ?? defaultLog),
    ids: deps.config.targets.map((target) => target.id),
  };
}

/** The probe window; a read failure leaves every verdict unknown and is reported, so `status` still shows the zone. */
export async function readRounds(ctx: ManualContext, now: number, problems: string[]): Promise<ProbeRound[]> {
  try {
    return await ctx.votes.readWindow(ctx.region, now, windowSeconds(ctx.config));
  } catch (error) {
    problems.push(`probe window unavailable in ${ctx.region}, health unknown: ${describeError(error)}`);
    return [];
  }
}

/** Replaces the snapshot's lease (`lease: undefined` = decide as if there were none) or the policy memory. */
export interface DecideOverride {
  lease?: OverrideLease | undefined;
  memory?: PolicyMemory | undefined;
}

/** Runs the policy on a snapshot; unreadable state or lease records are added to `problems` once each. */
export function decideOn(
  ctx: ManualContext,
  snapshot: ZoneSnapshot,
  rounds: ProbeRound[],
  now: number,
  problems: string[],
  override: DecideOverride = {},
): { doc: StateDocument | undefined; decision: Decision } {
  const { doc, problem } = readStateDocument(snapshot);
  const lease = "lease" in override ? override.lease : snapshot.lease;
  const memory = "memory" in override ? override.memory : doc?.memory;
  if (problem !== undefined && !problems.includes(problem))
    problems.push(`state record ignored, policy memory starts fresh: ${problem}`);
  if (snapshot.leaseProblem !== undefined && !problems.includes(snapshot.leaseProblem))
    problems.push(snapshot.leaseProblem);
  const decision = decide({ now, config: ctx.config, rounds, current: snapshot.weights, memory, lease });
  return { doc, decision };
}

/** One row per configured target: its weight now, its health and votes, and its policy mode. */
export function targetRows(ctx: ManualContext, snapshot: ZoneSnapshot, decision: Decision): TargetStatus[] {
  const votes = votesOf(decision.verdicts);
  return ctx.config.targets.map((target) => {
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
}

/** A lease as answers show it, with who took it and why (`attribution`, from the audit trail). */
export function leaseView(lease: OverrideLease | undefined, now: number, attribution: Attribution): LeaseView | null {
  return lease === undefined
    ? null
    : { ...lease, ...attribution, active: leaseActive(lease, now), expiresInSeconds: lease.expiresAt - now };
}

/** Who and why of audit id `id` (a lease's or a release's); an unreadable entry is a problem, never an error. */
export async function attributionFor(
  ctx: ManualContext,
  id: string | undefined,
  problems: string[],
): Promise<Attribution> {
  if (id === undefined) return attributionOf(undefined);
  const read = await ctx.audit.read(id);
  if (read.problem !== undefined) problems.push(read.problem);
  return attributionOf(read.entry);
}

/** {@link leaseView} with the attribution read from the audit trail. */
export async function leaseViewOf(
  ctx: ManualContext,
  lease: OverrideLease | undefined,
  now: number,
  problems: string[],
): Promise<LeaseView | null> {
  return lease === undefined ? null : leaseView(lease, now, await attributionFor(ctx, lease.id, problems));
}

/** Switch events with the actor of each manual one, from the audit trail. */
export async function switchViews(
  ctx: ManualContext,
  switches: readonly SwitchEvent[],
  problems: string[],
): Promise<SwitchView[]> {
  const ids = [...new Set(switches.flatMap((event) => (event.audit === undefined ? [] : [event.audit])))];
  const actors = new Map(
    await Promise.all(ids.map(async (id) => [id, (await attributionFor(ctx, id, problems)).actor] as const)),
  );
  return switches.map((event) =>
    event.audit === undefined ? { ...event } : { ...event, actor: actors.get(event.audit) ?? AUDIT_UNAVAILABLE },
  );
}

/** Waits briefly for INSYNC after a write; a slow sync or a failing GetChange is reported, never re-sent. */
export async function followSync(ctx: ManualContext, changeId: string, problems: string[]): Promise<ChangeSync | null> {
  if (changeId === "") return null;
  const followed = await waitForChangeSync(ctx.switcher, changeId, ctx.syncTimeoutMs, ctx.clock);
  logChangeSync(ctx.log, followed);
  if (followed.problem !== undefined) problems.push(followed.problem);
  return followed.sync;
}
