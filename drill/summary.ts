import { readFileSync } from "node:fs";
import { formatDetection, formatRate, scoreRun, type ReplaySummary } from "../offline/replay/score.ts";
import { dnsSummary, type DnsSummary } from "./dns/dns-summary.ts";
import { dnsReportSection } from "./dns/report-section.ts";
import { renderReport } from "./report.ts";
import type { PracticeRecord } from "../functions/lib/policy/practice-record.ts";
import type { DrillSession } from "./session.ts";
import type { DrillParts } from "./parts/start-parts.ts";
import { describeDnsChange } from "./timeline.ts";
import type { AwsCallCounts } from "./aws-faults.ts";
import { dnsTimeline, type DnsChange } from "./dns-answers.ts";
import type { LoadHeadroom, TooBusy } from "./load-guard.ts";
import { deciderRoundFigures, type DeciderRoundFigures } from "./round-meter.ts";

/** What `summary.json` holds: the replay's keys, plus what only a drill has. */
export interface DrillSummary extends ReplaySummary {
  slackMessages: Array<{ at: string; text: string }>;
  /** `--dns real` only: the real DNS path's versions, clients and convergence, beside the replay's model of them. */
  dns?: DnsSummary;
  wallSeconds: number;
  drill: {
    speed: number;
    interrupted: boolean;
    /** Present when the machine could not keep the compressed clock: the drill stopped early without a verdict (exit 3). */
    tooBusy?: TooBusy;
    /** How close the run came to the load guard's bounds; absent with --no-load-guard. */
    loadGuard?: LoadHeadroom;
    clientRequests: number;
    clientErrors: number;
    alarms: Array<{ at: string; region: string; alarm: string; from: string; to: string }>;
    /** Wall seconds per phase: where the time went (scenario = duration / speed). */
    wall: DrillWallSeconds;
    /** CPU seconds used by the drill process and by the emulator (undefined where /proc is not available). */
    cpu: { drillSeconds: number; emulatorSeconds: number | undefined };
    /** Stalls of the drill's own event loop (discounted from probe and client latencies). */
    eventLoop: { maxStallMs: number; totalStallMs: number };
    /** AWS API calls made to the emulator, by who made them. */
    emulatorCalls: Record<string, number>;
    /** The system's AWS calls by fate under the scenario's AWS faults (route53-api-down, cloudwatch-down, control-region-down, signal-store-down). */
    awsCalls: AwsCallCounts;
    /** Scenario seconds at which each control region's decider was invoked (none while `control-region-down` holds it). */
    deciderRounds: Record<string, number[]>;
    /** AWS calls and wall time per decider round during the scenario: steady, switch, other writes, failed; rounds over their slot. */
    roundCost: DeciderRoundFigures;
    /** Every change of what DNS answered and the path that made it (the score's weight timeline). */
    dnsChanges: Array<{
      at: string;
      path: DnsChange["path"];
      weights: Record<string, number>;
      decidedAt?: string;
      /** On-call's change (lease or audit id) this one carries out; absent when the policy made it. */
      onCall?: string;
      text: string;
    }>;
    /** The health-check stand-in: asks of the signal endpoints, and those that got no answer. */
    healthChecks: { asks: number; unanswered: number; signalRequests: number };
    problems: string[];
  };
}

export interface DrillWallSeconds {
  setupSeconds: number;
  scenarioSeconds: number;
  windDownSeconds: number;
  stopSeconds: number;
  reportSeconds: number;
}

/** What a finished run measured, taken before its parts are stopped. */
export interface DrillOutcome {
  score: ReplaySummary;
  /** What DNS answered, change by change (records and health checks together). */
  dns: DnsChange[];
  clients: { requests: number; errors: number };
  emulatorCalls: Record<string, number>;
  cpu: DrillSummary["drill"]["cpu"];
  /** The real DNS path's figures (`--dns real`). */
  realDns?: DnsSummary | undefined;
}

const POLICY = "default";

/**
 * A practice run's record (as the deciders kept it) with the moments DNS answers changed for its drain and
 * its restore, from what the drill saw DNS answer (the first change it made after each decision).
 */
function withDnsTimes(record: PracticeRecord, dns: readonly DnsChange[]): PracticeRecord {
  // The first change of the run's after the decision that moved the target's own answers (records written while
  // a drain signal still holds the target change nothing for its clients).
  const after = (decided: number | undefined) =>
    decided === undefined
      ? undefined
      : dns.find(
          (change, i) =>
            change.practice === record.id &&
            change.at >= decided * 1000 - 1 &&
            change.weights[record.target] !== dns[i - 1]?.weights[record.target],
        )?.at;
  const drained = after(record.times.drainDecided);
  const restored = after(record.times.restoreDecided);
  return {
    ...record,
    times: {
      ...record.times,
      ...(drained === undefined ? {} : { dnsChanged: drained / 1000 }),
      ...(restored === undefined ? {} : { restoreDnsChanged: restored / 1000 }),
    },
  };
}

/**
 * Scores what DNS answered (the record weights the watcher saw, less the sets
 * the health checks left out) as the replay scores its own timeline, a
 * drain counted from its decision; and counts calls and CPU.
 */
export function measureOutcome(
  session: DrillSession,
  parts: DrillParts,
  practice: readonly PracticeRecord[] = [],
): DrillOutcome {
  const { scenario, startMs } = session;
  const { watcher, buses, switchers } = parts;
  const dns = dnsTimeline(parts.targetIds, watcher.changes, parts.dataPlane.healthChanges());
  const seconds = (ms: number) => Math.max(0, Math.round((ms - startMs) / 100) / 10);
  const observed = dns.map((change) => ({
    at: seconds(change.at),
    weights: change.weights,
    ...(change.decidedAt !== undefined ? { decidedAt: seconds(change.decidedAt) } : {}),
    ...(change.onCall !== undefined ? { onCall: change.onCall } : {}),
    ...(change.practice !== undefined ? { practice: change.practice } : {}),
  }));
  if (observed[0]) observed[0] = { at: 0, weights: observed[0].weights };
  const totals = parts.clients.totals();
  const score = scoreRun({
    scenario,
    config: parts.config,
    policy: POLICY,
    weightTimeline: observed,
    clientRequests: { total: totals.requests, failed: totals.errors },
    practice: practice.map((record) => withDnsTimes(record, dns)),
  });
  // The Slack steps' expectation is the drill's own: the replay does not model people.
  const expectedSlack = scenario.expect.slackChanges;
  const slackExpectations =
    parts.slackDrill?.expectations(expectedSlack) ??
    (expectedSlack === undefined
      ? []
      : [{ name: "slackChanges", ok: false, detail: "the scenario has no Slack steps" }]);
  score.expectations.push(...slackExpectations);
  if (slackExpectations.some((expectation) => !expectation.ok)) score.ok = false;
  const emulatorCalls = {
    probes: buses.probe.stats.total().calls,
    deciders: switchers.decider.stats.total().calls + buses.decider.stats.total().calls,
    alarmEvaluator:
      buses.alarm.stats.total().calls +
      [...parts.topics.values()].reduce((sum, topic) => sum + topic.sns.stats.total().calls, 0),
    clients: switchers.client.stats.total().calls,
    recordWatcher: switchers.watcher.stats.total().calls,
    notifier: switchers.notify.stats.total().calls + buses.notify.stats.total().calls,
  };
  const cpu = {
    drillSeconds: round2((process.cpuUsage().user + process.cpuUsage().system) / 1e6 - session.cpuStart),
    emulatorSeconds: processCpuSeconds(parts.emulatorPid),
  };
  const realDns = parts.realDns ? dnsSummary(parts.realDns, scenario) : undefined;
  return { score, dns, clients: totals, emulatorCalls, cpu, realDns };
}

/** report.html: the weights, faults, switches, clients and Slack messages over the scenario, with the headline figures. */
export function drillReport(
  session: DrillSession,
  parts: DrillParts,
  outcome: DrillOutcome,
  wall: Pick<DrillWallSeconds, "setupSeconds" | "scenarioSeconds" | "windDownSeconds" | "stopSeconds">,
): string {
  const { scenario, startMs, printer } = session;
  const { targetIds, slack } = parts;
  const { score, clients: totals, dns } = outcome;
  const changes = dnsChangeTexts(dns, targetIds);
  return renderReport({
    scenario,
    startMs,
    targets: targetIds,
    vantages: parts.config.vantages,
    weights: dns.map((change) => ({ at: Math.max(startMs, change.at), weights: change.weights })),
    faults: scenario.faults,
    switches: changes.slice(1),
    clientMinutes: parts.clients.minutes(),
    slackMessages: slack.messages,
    timeline: [...printer.entries, ...changes].sort((a, b) => a.at - b.at),
    headline: `${score.failovers} failover(s), ${score.failbacks} failback(s), detection ${formatDetection(score)}, on-call changes ${score.onCallChanges}, client errors ${formatRate(score.clientErrorRate)}, ${slack.messages.length} Slack message(s)`,
    figures: {
      failovers: String(score.failovers),
      failbacks: String(score.failbacks),
      detection: formatDetection(score),
      "missed outages": String(score.missedOutages),
      "false switches": String(score.falseSwitches),
      "on-call changes (intended, not failovers)": String(score.onCallChanges),
      "client error rate": `${formatRate(score.clientErrorRate)} (${totals.errors} of ${totals.requests} requests)`,
      "final weights": targetIds.map((id) => `${id} ${score.finalWeights[id] ?? 0}`).join(", "),
      expectations: score.expectations.map((e) => `${e.ok ? "✓" : "✗"} ${e.name}: ${e.detail}`).join("; ") || "none",
      "wall time": `${round2(wall.setupSeconds + wall.scenarioSeconds + wall.windDownSeconds + wall.stopSeconds)} s at ${session.options.speed}x (set-up ${round2(wall.setupSeconds)} s, scenario ${round2(wall.scenarioSeconds)} s)`,
    },
    ok: score.ok && !session.interrupted && session.tooBusy === undefined,
    sections:
      outcome.realDns && parts.realDns
        ? dnsReportSection(outcome.realDns, parts.realDns.clients.requests, {
            startMs,
            durationSeconds: scenario.durationSeconds,
            target: targetIds[0] ?? "",
          })
        : undefined,
  });
}

/** summary.json: the replay's score plus the drill's own figures. */
export function drillSummary(
  session: DrillSession,
  parts: DrillParts,
  outcome: DrillOutcome,
  wall: DrillWallSeconds,
): DrillSummary {
  const { score, clients: totals } = outcome;
  const headroom = session.loadHeadroom();
  return {
    ...score,
    // A run the machine could not keep up with has no verdict.
    ok: score.ok && !session.interrupted && session.tooBusy === undefined,
    slackMessages: parts.slack.messages.map((message) => ({
      at: new Date(message.at).toISOString(),
      text: message.text,
    })),
    ...(outcome.realDns ? { dns: outcome.realDns } : {}),
    wallSeconds: round2((performance.now() - session.wallStart) / 1000),
    drill: {
      speed: session.options.speed,
      interrupted: session.interrupted,
      ...(session.tooBusy ? { tooBusy: session.tooBusy } : {}),
      ...(headroom ? { loadGuard: headroom } : {}),
      clientRequests: totals.requests,
      clientErrors: totals.errors,
      alarms: parts.evaluator.changes.map((change) => ({
        at: new Date(change.at).toISOString(),
        region: change.region,
        alarm: change.alarm.name,
        from: change.from,
        to: change.to,
      })),
      wall: {
        setupSeconds: round2(wall.setupSeconds),
        scenarioSeconds: round2(wall.scenarioSeconds),
        windDownSeconds: round2(wall.windDownSeconds),
        stopSeconds: round2(wall.stopSeconds),
        reportSeconds: round2(wall.reportSeconds),
      },
      cpu: outcome.cpu,
      eventLoop: { maxStallMs: Math.round(parts.lag.maxStallMs), totalStallMs: Math.round(parts.lag.totalStallMs) },
      emulatorCalls: outcome.emulatorCalls,
      awsCalls: { ...parts.aws.counts },
      deciderRounds: parts.deciderRounds,
      roundCost: deciderRoundFigures(
        parts.rounds.rounds,
        (parts.config.probe.intervalSeconds * 1000) / session.options.speed,
      ),
      dnsChanges: dnsChangeTexts(outcome.dns, parts.targetIds).map(({ text }, index) => {
        const change = outcome.dns[index] as DnsChange;
        return {
          at: new Date(change.at).toISOString(),
          path: change.path,
          weights: change.weights,
          ...(change.decidedAt !== undefined ? { decidedAt: new Date(change.decidedAt).toISOString() } : {}),
          ...(change.onCall !== undefined ? { onCall: change.onCall } : {}),
          text,
        };
      }),
      healthChecks: {
        asks: parts.dataPlane.evaluator.asks,
        unanswered: parts.dataPlane.evaluator.unanswered,
        signalRequests: parts.dataPlane.endpoints.reduce((sum, endpoint) => sum + endpoint.served, 0),
      },
      problems: session.problems,
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined elsewhere. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return round2((Number(fields[11]) + Number(fields[12])) / 100);
  } catch {
    return undefined;
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Each DNS change as a timeline line (time and text), the first one the start. */
function dnsChangeTexts(dns: readonly DnsChange[], ids: readonly string[]): Array<{ at: number; text: string }> {
  return dns.map((change, index) => ({
    at: change.at,
    text: describeDnsChange(change, dns[index - 1]?.weights ?? {}, ids),
  }));
}
