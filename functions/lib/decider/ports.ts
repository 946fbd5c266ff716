import type { RegionResult } from "../aws/cloudwatch.ts";
import type { UpdatePlan, UpdateResult } from "../aws/route53.ts";
import type { DeciderDocument, SignalRead, StoreWrite } from "../dataplane/signal-store.ts";
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
  update<T>(plan: (snapshot: ZoneSnapshot) => UpdatePlan<T>): Promise<UpdateResult<T>>;
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
