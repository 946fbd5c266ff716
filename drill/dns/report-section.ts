import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { CLIENT_KINDS } from "../../offline/replay/client-kinds.ts";
import type { DnsClientRequest } from "./clients.ts";
import type { DnsSummary } from "./dns-summary.ts";

/**
 * report.html's real-DNS section: per client kind, a chart of the share of
 * its requests that reached `target` (the first target) per request
 * interval, one line per resolver profile, over what DNS answered for it;
 * then the convergence table.
 */
export function dnsReportSection(
  summary: DnsSummary,
  requests: readonly DnsClientRequest[],
  options: { startMs: number; durationSeconds: number; target: string },
): string {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const windowMs = summary.requestIntervalSeconds * 1000;
  const answered = summary.answerChanges.flatMap((change, i) => {
    const end = summary.answerChanges[i + 1]?.atSecond ?? options.durationSeconds;
    const share = change.shares[options.target] ?? 0;
    return [
      { at: new Date(options.startMs + change.atSecond * 1000), share },
      { at: new Date(options.startMs + end * 1000), share },
    ];
  });
  const charts = CLIENT_KINDS.map((kind) => {
    const points = summary.profiles.flatMap((profile) => {
      const buckets = new Map<number, { all: number; on: number }>();
      for (const request of requests) {
        if (request.kind !== kind || request.profile !== profile) continue;
        const key = Math.floor((request.at - options.startMs) / windowMs);
        const bucket = buckets.get(key) ?? { all: 0, on: 0 };
        bucket.all++;
        if (request.target === options.target) bucket.on++;
        buckets.set(key, bucket);
      }
      return [...buckets].map(([key, bucket]) => ({
        at: new Date(options.startMs + key * windowMs),
        share: bucket.on / bucket.all,
        profile,
      }));
    });
    const chart = Plot.plot({
      document,
      width: 1200,
      height: 180,
      marginLeft: 50,
      x: { type: "utc", label: "time (UTC)" },
      y: {
        domain: [0, 1],
        tickFormat: (d: number) => `${Math.round(d * 100)}%`,
        label: `requests to ${options.target}`,
      },
      color: { domain: [...summary.profiles], legend: true },
      marks: [
        Plot.line(answered, { x: "at", y: "share", stroke: "#000", strokeDasharray: "4 3", curve: "step-after" }),
        Plot.line(points, { x: "at", y: "share", stroke: "profile", curve: "step-after" }),
      ],
    });
    return `<h3>${kind}</h3>${chart.outerHTML}`;
  });
  const rows = summary.convergence.flatMap((change, c) =>
    change.groups.map((group) => {
      const model = summary.modelled.find((m) => m.kind === group.kind && m.profile === group.profile)?.changes[c];
      const cell = (value: number | null | undefined, unit = "") => (value == null ? "—" : `${value}${unit}`);
      return `<tr><td>${change.atSecond} s</td><td>${group.kind}</td><td>${group.profile}</td><td>${cell(group.seconds.p50, " s")}</td><td>${cell(group.seconds.p90, " s")}</td><td>${cell(group.seconds.p100, " s")}</td><td>${cell(group.oldShare.ttl1)}</td><td>${cell(group.oldShare.ttl2)}</td><td>${cell(model?.seconds.p90, " s")}</td><td>${cell(model?.oldShare.ttl1)}</td></tr>`;
    }),
  );
  return `<h2>Real DNS: ${summary.authoritative} behind ${summary.resolver} (TTL ${summary.ttlSeconds} s)</h2>
<p class="note">Share of each client kind's requests that reached ${options.target}, per ${summary.requestIntervalSeconds} s, one line per resolver profile; dashed: ${options.target}'s share of the answers PowerDNS served.</p>
${charts.join("\n")}
<h3>Convergence per answer change (real clients; model: the replay's client model)</h3>
<table><tr><th>change at</th><th>kind</th><th>profile</th><th>50%</th><th>90%</th><th>100%</th><th>old at 1×TTL</th><th>old at 2×TTL</th><th>model 90%</th><th>model old at 1×TTL</th></tr>${rows.join("")}</table>`;
}
