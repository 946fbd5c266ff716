import type { UpdatePlan, UpdateResult } from "../../functions/lib/records/zone-update.ts";
import type { RegionResult } from "../../functions/lib/region-result.ts";
import type { VotePort, ZonePort } from "../../functions/lib/decider/ports.ts";
import type { ParameterPort } from "../../functions/lib/dataplane/signal-store.ts";
import { FailoverError } from "../../functions/lib/errors.ts";
import type { OverrideLease } from "../../functions/lib/lease.ts";
import type { DecisionMetrics } from "../../functions/lib/metric-datums.ts";
import type { ZoneSnapshot } from "../../functions/lib/records/zone-snapshot.ts";
import type { ProbeRound, Weights } from "../../functions/lib/types.ts";

/**
 * In-memory stand-ins for the ports a decider round owns
 * (functions/lib/decider/ports.ts), for unit tests of the round with no
 * emulator. They keep what a round wrote, and can fail as AWS does.
 */

/** Route 53's managed records, lease and state, swapped in memory; `down` makes every call fail as an unreachable API does. */
export class MemoryZone implements ZonePort {
  /** Weights of every managed record, by target id. */
  weights: Weights;
  state: unknown;
  lease: OverrideLease | undefined;
  /** Every call fails with ROUTE53_UNAVAILABLE (the control plane is down). */
  down = false;
  /** Changes applied, in order. */
  readonly changes: Array<{ weights: Weights; state: unknown }> = [];
  /** Compare-and-swaps lost because the snapshot planned on was stale (each read again). */
  conflicts = 0;

  constructor(
    weights: Weights,
    private readonly recordName = "api.example.com",
  ) {
    this.weights = { ...weights };
  }

  async read(): Promise<ZoneSnapshot> {
    if (this.down) throw new FailoverError("ROUTE53_UNAVAILABLE", "the Route 53 API did not answer (stand-in)");
    return this.snapshot();
  }

  /** Plans on `first` when given; a snapshot some write has made stale is a conflict, planned again on a fresh read. */
  async update<T>(
    plan: (snapshot: ZoneSnapshot) => UpdatePlan<T>,
    options: { first?: Promise<ZoneSnapshot> } = {},
  ): Promise<UpdateResult<T>> {
    let snapshot = options.first ? await options.first : await this.read();
    for (let attempt = 1; ; attempt++) {
      const { change, decided } = plan(snapshot);
      const weights = { ...snapshot.weights, ...(change?.weights ?? {}) };
      const state = change?.state ?? snapshot.state;
      const lease = change?.lease === null ? undefined : (change?.lease ?? snapshot.lease);
      const same =
        JSON.stringify([weights, state, lease]) === JSON.stringify([snapshot.weights, snapshot.state, snapshot.lease]);
      if (change === undefined || same) return { applied: false, attempts: attempt, snapshot, decided };
      if (this.held(snapshot)) {
        this.weights = weights;
        this.state = state;
        this.lease = lease;
        this.changes.push({ weights, state });
        return { applied: true, attempts: attempt, snapshot, decided, change, changeId: `C${this.changes.length}` };
      }
      this.conflicts++;
      snapshot = await this.read();
    }
  }

  /** The zone still holds what `snapshot` read. */
  private held(snapshot: ZoneSnapshot): boolean {
    return (
      JSON.stringify([snapshot.weights, snapshot.state, snapshot.lease]) ===
      JSON.stringify([this.weights, this.state, this.lease])
    );
  }

  private snapshot(): ZoneSnapshot {
    return {
      weights: { ...this.weights },
      weightsByRecord: { [this.recordName]: { ...this.weights } },
      lease: this.lease,
      leaseProblem: undefined,
      state: this.state,
      stateProblem: undefined,
      drift: [],
      records: {},
      leaseRecord: undefined,
      stateRecord: undefined,
      calls: 1,
    };
  }
}

/** The probes' votes as the votes table would answer them, and the decision metrics published. */
export class MemoryVotes implements VotePort {
  /** Every published probe round, any order. */
  readonly rounds: ProbeRound[] = [];
  readonly published: DecisionMetrics[] = [];

  /** Adds one probe round in which each vantage saw `up[vantage][target]`. */
  add(at: number, up: Record<string, Record<string, boolean>>): void {
    this.rounds.push({ at, votes: structuredClone(up) });
  }

  async readWindow(_region: string, now: number, windowSeconds: number): Promise<ProbeRound[]> {
    return this.rounds.filter((round) => round.at > now - windowSeconds && round.at <= now).sort((a, b) => a.at - b.at);
  }

  async publishDecision(metrics: DecisionMetrics, regions: string[] = []): Promise<RegionResult[]> {
    this.published.push(metrics);
    return regions.map((region) => ({ region, ok: true, calls: 1, bytes: 0 }));
  }
}

/** One region's parameter store in memory (the signal store's port); `down` makes every call fail. */
export class MemoryParameters implements ParameterPort {
  readonly values = new Map<string, string>();
  /** Per name: the order of its last write (a counter standing in for the store's write time). */
  private readonly written = new Map<string, number>();
  private writes = 0;
  down = false;

  async getMany(names: readonly string[]): Promise<Map<string, { value: string; modifiedMs: number | undefined }>> {
    if (this.down) throw new FailoverError("SSM_UNAVAILABLE", "the parameter store did not answer (stand-in)");
    return new Map(
      names.flatMap((name) => {
        const value = this.values.get(name);
        return value === undefined ? [] : [[name, { value, modifiedMs: this.written.get(name) }] as const];
      }),
    );
  }

  async put(name: string, value: string): Promise<void> {
    if (this.down) throw new FailoverError("SSM_UNAVAILABLE", "the parameter store did not answer (stand-in)");
    this.values.set(name, value);
    this.written.set(name, ++this.writes);
  }
}
