import type { AuditTrail } from "../audit-trail.ts";
import type { RegionResult } from "../region-result.ts";
import type { UpdatePlan, UpdateResult } from "../records/zone-update.ts";
import type { FailoverConfig, PracticeAlarm } from "../config.ts";
import type { AlarmState } from "../policy/practice.ts";
import type { PracticeHistory } from "../practice-history.ts";
import type { Announce } from "../control/announcer.ts";
import type { DeciderDocument, SignalRead, StoreWrite } from "../dataplane/signal-store.ts";
import type { Logger } from "../log.ts";
import type { DecisionMetrics } from "../metric-datums.ts";
import type { ZoneSnapshot } from "../records/zone-snapshot.ts";
import type { ProbeRound } from "../types.ts";

/*
 * What a decider round needs of the world, owned here and no larger: the
 * AWS adapters implement these (../aws/route53.ts Route53Switcher,
 * ../wiring/votes.ts voteChannel over ../aws/vote-table.ts VoteTable and
 * ../aws/cloudwatch.ts MetricsBus, ../dataplane/signal-store.ts
 * SignalStore over ../aws/ssm.ts), and the round's unit tests pass
 * in-memory stand-ins (test/support/memory-ports.ts). The data they carry
 * (snapshots, results) are the lower layers' types.
 */

/** Route 53's records by compare-and-swap: read the zone, plan on it, write; a conflict re-reads and re-plans. */
export interface ZonePort {
  /** The managed records, the lease and the state, read once. */
  read(): Promise<ZoneSnapshot>;
  /** `first`: a read already under way, planned on by the first attempt (a write made since is a conflict, read again). */
  update<T>(
    plan: (snapshot: ZoneSnapshot) => UpdatePlan<T>,
    options?: { first?: Promise<ZoneSnapshot> },
  ): Promise<UpdateResult<T>>;
}

/** The probes' votes in (deployed: the votes table, ../aws/vote-table.ts), the decision's metrics out (CloudWatch). */
export interface VotePort {
  /** The votes of every vantage over the rounds in (now - windowSeconds, now], oldest first. */
  readWindow(region: string, now: number, windowSeconds: number): Promise<ProbeRound[]>;
  /** Publishes the decision's metrics to `regions`; `oneTry` regions get one attempt. Never throws. */
  publishDecision(metrics: DecisionMetrics, regions?: string[], oneTry?: ReadonlySet<string>): Promise<RegionResult[]>;
}

/** Every control region's signal store, as one round uses it. */
export interface SignalPort {
  /** A copy for one round: a store whose first call failed is not asked again in it. */
  forRound(): RoundSignals;
}

/** The signal stores within one round. */
export interface RoundSignals {
  /** Every region's documents; never throws (an unreadable store has its error). */
  readAll(): Promise<SignalRead[]>;
  /** Writes this decider's document to every region's store. */
  publish(doc: DeciderDocument): Promise<StoreWrite[]>;
  /** Regions whose store failed its first call this round. */
  failedThisRound(): string[];
}

/** The practice runs' alarms (CloudWatch DescribeAlarms in each alarm's region). */
export interface AlarmPort {
  /** States by `region:name`; an alarm that could not be read is left out. Never throws. */
  practiceAlarms(alarms: readonly PracticeAlarm[]): Promise<Record<string, AlarmState>>;
}

/** What one decider round needs; every collaborator is passed in (the drill and tests pass their own). */
export interface RoundDeps {
  config: FailoverConfig;
  /** The region this decider runs in: where it reads the probe window. */
  controlRegion: string;
  switcher: ZonePort;
  bus: VotePort;
  log: Logger;
  /** Log and publish what would change, write nothing. */
  dryRun: boolean;
  /** Called as soon as this round's weight change is applied, to follow its propagation in the background (must not block). @default none: not followed */
  followChange?: (changeId: string) => void;
  /** Publishes what this round changed for Slack (../control/announcer.ts); only a round that won its compare-and-swap has anything to announce. @default none: not announced */
  announce?: Announce;
  /** Where an announced lease's who-and-why is read (../audit-trail.ts). @default none: shown as "(audit unavailable)" */
  audit?: AuditTrail;
  /** The data-plane signal stores of every control region: drains go through health checks first, and rounds go on while the Route 53 API is down. @default none: records only */
  signals?: SignalPort;
  /** Where the practice alarms are read (config `practice`). @default none: no practice run starts or ends by its alarms */
  alarms?: AlarmPort;
  /** Where the practice runs' records are kept (../practice-history.ts). @default none: not recorded */
  practiceHistory?: PracticeHistory;
}
