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
import { votesOf, type StateDocument } from "../state.ts";
import type { ProbeRound } from "../types.ts";
import { unannounced, type Announce } from "./announcer.ts";
import { logChangeSync, waitForChangeSync, type ChangeSync } from "./change-sync.ts";
import type { FetchText } from "./link-data-plane.ts";
import type { LeaseView, TargetStatus } from "./manual-result.ts";
import { readStateDocument } from "./zone-change.ts";

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
  /** Publishes each change for Slack (./announcer.ts); a failure is reported in the answer's `problems`, never fails the change. @default none: logged as not announced */
  announce?: Announce;
  /** Route 53 health checks of the data-plane path: `status` shows their status, `init` links them, `verify` checks them. @default none: the data-plane parts are left out */
  healthChecks?: HealthCheckAdmin;
  /** Each control region's signal endpoint URL (FAILOVER_SIGNAL_ENDPOINTS; the deploy's `signalEndpoints` output). @default none */
  signalEndpoints?: Readonly<Record<string, string>>;
  /** Reads a signal endpoint's answer. @default fetch with a 4 s timeout */
  fetchText?: FetchText;
}

/** Dependencies without a default. */
type Optional = "healthChecks" | "signalEndpoints" | "fetchText";

/** {@link ManualDeps} with every default filled in, and the target ids in config order. */
export interface ManualContext extends Required<Omit<ManualDeps, Optional>>, Pick<ManualDeps, Optional> {
  ids: string[];
}

export function manualContext(deps: ManualDeps): ManualContext {
  return {
    ...deps,
    log: deps.log ?? defaultLog,
    newLeaseId: deps.newLeaseId ?? (() => `lease-${randomUUID().slice(0, 8)}`),
    syncTimeoutMs: deps.syncTimeoutMs ?? 10_000,
    announce: deps.announce ?? unannounced(deps.log ?? defaultLog),
    ids: deps.config.targets.map((target) => target.id),
  };
}

/** The probe window; a CloudWatch failure leaves every verdict unknown and is reported, so `status` still shows the zone. */
export async function readRounds(ctx: ManualContext, now: number, problems: string[]): Promise<ProbeRound[]> {
  try {
    return await ctx.bus.readWindow(ctx.region, now, windowSeconds(ctx.config));
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

export function leaseView(lease: OverrideLease | undefined, now: number): LeaseView | null {
  return lease === undefined
    ? null
    : { ...lease, active: leaseActive(lease, now), expiresInSeconds: lease.expiresAt - now };
}

/** Waits briefly for INSYNC after a write; a slow sync or a failing GetChange is reported, never re-sent. */
export async function followSync(ctx: ManualContext, changeId: string, problems: string[]): Promise<ChangeSync | null> {
  if (changeId === "") return null;
  const followed = await waitForChangeSync(ctx.switcher, changeId, ctx.syncTimeoutMs, ctx.clock);
  logChangeSync(ctx.log, followed);
  if (followed.problem !== undefined) problems.push(followed.problem);
  return followed.sync;
}
