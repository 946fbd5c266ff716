import type { FailoverConfig } from "../../functions/lib/config.ts";
import { modelKinds, type ModelledKind } from "../../offline/replay/kind-model.ts";
import type { Fault } from "../../offline/scenario.ts";
import type { DnsSection, RealDns } from "./real-dns.ts";

/** summary.json's `dns` section: what the real clients did, and the replay's client model over the same answers. */
export interface DnsSummary extends DnsSection {
  /** The replay's model of every kind and profile (offline/replay/kind-model.ts) over the answers served. */
  modelled: ModelledKind[];
}

/** The real DNS path's figures beside the model's, over the answers the drill's PowerDNS served. */
export function dnsSummary(
  realDns: RealDns,
  scenario: { resolvedConfig: FailoverConfig; faults: readonly Fault[]; durationSeconds: number },
): DnsSummary {
  const section = realDns.section();
  const modelled = modelKinds(
    {
      config: scenario.resolvedConfig,
      faults: scenario.faults,
      // Over the seconds the real clients ran: a drill stopped early (too busy, interrupted) is compared as far as it got.
      durationSeconds: Math.max(1, Math.min(scenario.durationSeconds, section.measuredSeconds + 1)),
      answers: section.answerChanges.map((change) => ({ at: change.atSecond, shares: change.shares })),
      // A resolver counts TTLs in whole seconds and serves an entry through its last second: it holds the
      // served TTL plus half a wall second on average, which the compressed clock stretches (10 s at 20x).
      ttlSeconds: (section.servedTtlSeconds + 0.5) * (section.ttlSeconds / section.servedTtlSeconds),
      intervalSeconds: section.requestIntervalSeconds,
    },
    section.profiles,
  );
  return { ...section, modelled };
}
