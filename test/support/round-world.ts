import type { AnnounceOutcome } from "../../functions/lib/control/announcer.ts";
import type { RoundDeps } from "../../functions/lib/decider/ports.ts";
import { SignalStore } from "../../functions/lib/dataplane/signal-store.ts";
import { createLogger } from "../../functions/lib/log.ts";
import type { FailoverEvent } from "../../functions/lib/slack/failover-event.ts";
import { testConfig } from "../integration/aws-fixtures.ts";
import { MemoryParameters, MemoryVotes, MemoryZone } from "./memory-ports.ts";

/** A two-target config whose policy drains after one down round and recovers in 20 s (a round's steps show in few rounds). */
export const roundConfig = testConfig("Z1", {
  policy: {
    minVantages: 2,
    quorum: "majority",
    drainAfterRounds: 1,
    recoverAfterSeconds: 20,
    rampPercents: [50, 100],
    rampStepSeconds: 60,
    flapBudget: { maxDrains: 3, windowSeconds: 3600 },
  },
});

/** Every vantage's votes in one probe round: each sees `votes`. */
export const everyVantage = (votes: Record<string, boolean>) =>
  Object.fromEntries(roundConfig.vantages.map((vantage) => [vantage, votes]));

/**
 * A decider round's world in memory (test/support/memory-ports.ts): the
 * zone, the votes, every control region's parameter store, what was
 * announced and logged; `deps` gives one decider's round dependencies.
 */
export function roundWorld() {
  const zone = new MemoryZone({ primary: 90, failover: 10 });
  const votes = new MemoryVotes();
  const parameters = new Map(roundConfig.controlRegions.map((region) => [region, new MemoryParameters()]));
  const signals = new SignalStore(roundConfig, parameters);
  const announced: FailoverEvent[] = [];
  const lines: string[] = [];
  const deps = (controlRegion: string, options: { dryRun?: boolean } = {}): RoundDeps => ({
    config: roundConfig,
    controlRegion,
    switcher: zone,
    bus: votes,
    log: createLogger({ write: (line) => lines.push(line) }),
    dryRun: options.dryRun ?? false,
    signals,
    announce: async (event): Promise<AnnounceOutcome> => {
      announced.push(event);
      return { region: controlRegion, problems: [] };
    },
  });
  return { zone, votes, parameters, signals, announced, lines, deps };
}
