import type { MetricsBus } from "../aws/cloudwatch.ts";
import type { RegionResult } from "../region-result.ts";
import type { VoteTable } from "../aws/vote-table.ts";
import type { VotePort } from "../decider/ports.ts";
import type { ProbeRoundReport } from "../probe/report.ts";

/**
 * The vote channel as deployed: votes go to and come from the DynamoDB
 * votes table of each control region (../aws/vote-table.ts: written once
 * per round, readable the moment the write returns); CloudWatch carries
 * only what alarms and dashboards need.
 */

/** A decider's votes in (the votes table), its decision's metrics out (CloudWatch). */
export function voteChannel(votes: Pick<VoteTable, "readWindow">, bus: Pick<MetricsBus, "publishDecision">): VotePort {
  return {
    readWindow: (region, now, windowSeconds) => votes.readWindow(region, now, windowSeconds),
    publishDecision: (metrics, regions, oneTry) => bus.publishDecision(metrics, regions, oneTry),
  };
}

/**
 * A probe's publisher: every round's votes to the votes table of each
 * control region; to CloudWatch (the vantage-silent alarm's liveness
 * series, ProbeLatency and CanarySuccess) only the first round of each
 * minute that a region takes (per vantage), since every alarm and dashboard on them
 * counts per minute: one PutMetricData per minute and region instead of one
 * per round. A region is ok when both its writes were (or CloudWatch was
 * not due).
 */
export function probePublisher(
  votes: Pick<VoteTable, "publishProbeRound">,
  bus: Pick<MetricsBus, "publishProbeRound">,
  controlRegions: readonly string[],
): (report: ProbeRoundReport, regions?: string[]) => Promise<RegionResult[]> {
  const minuteSent = new Map<string, number>();
  return async (report, regions = [...controlRegions]) => {
    const minute = Math.floor(report.at / 60);
    const key = (region: string) => `${report.vantage}>${region}`;
    const due = regions.filter((region) => minuteSent.get(key(region)) !== minute);
    const [voted, metered] = await Promise.all([
      votes.publishProbeRound(report, regions),
      due.length > 0 ? bus.publishProbeRound(report, due) : Promise.resolve([]),
    ]);
    for (const result of metered) if (result.ok) minuteSent.set(key(result.region), minute);
    return voted.map((vote): RegionResult => {
      const metric = metered.find((result) => result.region === vote.region);
      const error = vote.error ?? metric?.error;
      return {
        region: vote.region,
        ok: vote.ok && (metric?.ok ?? true),
        ...(error ? { error } : {}),
        calls: vote.calls + (metric?.calls ?? 0),
        bytes: vote.bytes + (metric?.bytes ?? 0),
      };
    });
  };
}
