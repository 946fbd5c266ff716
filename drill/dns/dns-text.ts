import { formatRate } from "../../offline/replay/score.ts";
import { CLIENT_KINDS } from "../../offline/replay/client-kinds.ts";
import type { DnsSummary } from "./dns-summary.ts";

/**
 * The real DNS path in a few printed lines: the software, queries answered,
 * then per client kind its error rate over every profile (the model's
 * beside), and after the first change that moved traffic, behind unbound's
 * defaults, when 50 and 90% of its requests had moved and its share still
 * on the old answers after one TTL.
 */
export function dnsText(dns: DnsSummary): string[] {
  const first = dns.convergence[0];
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const seconds = (value: number | null | undefined) => (value == null ? "not within the change" : `${value} s`);
  return [
    `real DNS: ${dns.authoritative} behind ${dns.resolver} (${dns.profiles.join(", ")}; ${dns.resolversPerProfile} each), TTL ${dns.ttlSeconds} s, ${dns.authoritativeQueries.total} authoritative queries (${dns.authoritativeQueries.perHour} per hour)`,
    ...CLIENT_KINDS.map((kind) => {
      const real = mean(dns.clients.filter((c) => c.kind === kind).map((c) => c.errorRate));
      const model = mean(dns.modelled.filter((m) => m.kind === kind).map((m) => m.errorRate));
      const group = first?.groups.find((g) => g.kind === kind && g.profile === "default");
      const moved = group
        ? `; after ${first?.atSecond} s: 50% moved ${seconds(group.seconds.p50)}, 90% ${seconds(group.seconds.p90)}, old share at 1x TTL ${group.oldShare.ttl1 ?? "—"}`
        : "";
      return `  ${kind}: client errors ${formatRate(real)} (model ${formatRate(model)})${moved}`;
    }),
  ];
}
