import { auditTrailFor } from "../../functions/lib/audit-trail.ts";
import type { ManualResponse } from "../../functions/lib/manual/result.ts";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { MetricsBus } from "../../functions/lib/aws/cloudwatch.ts";
import { VoteTable, type RejectedVote } from "../../functions/lib/aws/vote-table.ts";
import type { RetryOptions } from "../../functions/lib/aws/retry.ts";
import { voteChannel } from "../../functions/lib/wiring/votes.ts";
import type { ProbeRoundReport } from "../../functions/lib/probe/report.ts";
import { createHostedZone } from "../../emulator/hosted-zone.ts";
import { Route53Switcher } from "../../functions/lib/aws/route53.ts";
import type { FailoverConfig, FailoverConfigInput } from "../../functions/lib/config.ts";
import { createLogger, type Logger } from "../../functions/lib/log.ts";
import { Metric } from "../../functions/lib/metrics.ts";
import type { DeciderDocument } from "../../functions/lib/dataplane/signal-store.ts";
import { emptyStateDocument } from "../../functions/lib/state-document.ts";
import { startEmulator, type Emulator } from "../../emulator/harness.ts";
import { fastRetry, testConfig } from "../integration/aws-fixtures.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** A hosted zone with the config's weighted records created, and the adapters pointed at the emulator. */
/** Retry budget for the emulator's SSM in tests: its first call in a fresh process is slow. */
export const patientRetry = { budgetMs: 15_000, attemptTimeoutMs: 10_000 };

export async function controlZone(emulatorUrl: string, overrides: Partial<FailoverConfigInput> = {}) {
  const zoneId = await createHostedZone("example.com", { endpoint: emulatorUrl });
  const config = testConfig(zoneId, overrides);
  const switcher = new Route53Switcher(config, { endpoint: emulatorUrl, retry: fastRetry });
  await switcher.init();
  const bus = new MetricsBus(config, { endpoint: emulatorUrl, retry: fastRetry });
  const votes = await emulatorVotes(emulatorUrl, config);
  // The manual function's audit trail in the emulator's SSM, read from the first control region first (patient:
  // moto's first SSM call in a fresh process takes over a second).
  const audit = auditTrailFor(config, config.controlRegions[0] ?? "us-east-2", {
    endpoint: emulatorUrl,
    retry: patientRetry,
  });
  // `channel` is a decider's vote port as deployed: votes from the votes table, metrics to CloudWatch.
  return { zoneId, config, switcher, bus, votes, channel: voteChannel(votes, bus), audit };
}

/**
 * The votes table of `config` in the emulator, created in every control
 * region. Each round's item is stamped as written `lagSeconds` after its
 * round starts, as a probe's write is, whatever time the test plays: the
 * decider counts only items written within two minutes of their round.
 */
export async function emulatorVotes(
  emulatorUrl: string,
  config: FailoverConfig,
  options: { lagSeconds?: number; rejected?: RejectedVote[]; retry?: RetryOptions } = {},
): Promise<VoteTable> {
  let writtenAt = 0;
  const votes = new VoteTable(config, {
    endpoint: emulatorUrl,
    retry: options.retry ?? fastRetry,
    now: () => writtenAt * 1000,
    onRejected: (rejected) => options.rejected?.push(rejected),
  });
  const publish = votes.publishProbeRound.bind(votes);
  votes.publishProbeRound = (report, regions) => {
    writtenAt = report.at + (options.lagSeconds ?? 1);
    return publish(report, regions);
  };
  await Promise.all(config.controlRegions.map((region) => votes.createTable(region)));
  return votes;
}

/** Every record set of the zone exactly as Route 53 answers it: to prove something changed nothing. */
export async function recordSets(emulatorUrl: string, zoneId: string): Promise<unknown[]> {
  const client = new Route53Client({ endpoint: emulatorUrl, region: "us-east-1", credentials });
  const output = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 300 }));
  return output.ResourceRecordSets ?? [];
}

/** Sum of the dimensionless Switchover metric in `region` over [from, to) epoch seconds, read back from the emulator. */
export async function switchoverSum(
  emulatorUrl: string,
  config: FailoverConfig,
  region: string,
  from: number,
  to: number,
): Promise<number> {
  const values = await metricValues(emulatorUrl, config, region, Metric.Switchover, {}, from, to);
  return values.reduce((sum, value) => sum + value, 0);
}

/** The `Sum` (or `stat`) of one series in `region` over [from, to), as one period. */
export async function metricValues(
  emulatorUrl: string,
  config: FailoverConfig,
  region: string,
  metricName: string,
  dimensions: Record<string, string>,
  from: number,
  to: number,
  stat: "Sum" | "Maximum" = "Sum",
): Promise<number[]> {
  const client = new CloudWatchClient({ endpoint: emulatorUrl, region, credentials, disableRequestCompression: true });
  const output = await client.send(
    new GetMetricDataCommand({
      StartTime: new Date(from * 1000),
      EndTime: new Date(to * 1000),
      MetricDataQueries: [
        {
          Id: "s",
          MetricStat: {
            Metric: {
              Namespace: config.metricNamespace,
              MetricName: metricName,
              Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
            },
            Period: to - from,
            Stat: stat,
          },
          ReturnData: true,
        },
      ],
    }),
  );
  return output.MetricDataResults?.[0]?.Values ?? [];
}

/** Writes one probe round in which each vantage saw `up[vantage][target]` to the votes table of `regions` (default: every control region). */
export async function publishVotes(
  votes: VoteTable,
  at: number,
  up: Record<string, Record<string, boolean>>,
  regions?: string[],
): Promise<void> {
  for (const [vantage, byTarget] of Object.entries(up)) {
    const report: ProbeRoundReport = {
      vantage,
      at,
      voting: true,
      results: Object.entries(byTarget).map(([target, ok]) => ({ target, ok, latencyMs: 5 })),
    };
    const results = await votes.publishProbeRound(report, regions);
    if (results.some((result) => !result.ok)) throw new Error(`publishing the probe round at ${at} failed`);
  }
}

/** Primary failing from us-east-1 and us-west-2, passing from eu-west-1; failover up everywhere. */
export const primaryDownFromTwo = {
  "us-east-1": { primary: false, failover: true },
  "us-west-2": { primary: false, failover: true },
  "eu-west-1": { primary: true, failover: true },
};
export const allUp = {
  "us-east-1": { primary: true, failover: true },
  "us-west-2": { primary: true, failover: true },
  "eu-west-1": { primary: true, failover: true },
};

/** A logger that keeps its JSON lines for assertions. */
export function capturedLog(): { log: Logger; entries: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  return {
    log: createLogger({ write: (line) => lines.push(line) }),
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** One emulator for the calling test file, reset before each test; its `url` and `env` are readable once `beforeAll` ran. */
export function emulatorPerFile(): Pick<Emulator, "url" | "env"> {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  beforeEach(async () => {
    await emulator?.reset();
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  const started = (): Emulator => {
    if (emulator === undefined) throw new Error("the emulator is not started yet (use it inside a test)");
    return emulator;
  };
  return {
    get url() {
      return started().url;
    },
    get env() {
      return started().env;
    },
  };
}

/** A policy that drains after two split rounds (a round that is not unanimous waits one more) and ramps back in two steps. */
export const splitDrainPolicy = {
  minVantages: 2,
  quorum: "majority" as const,
  drainAfterRounds: 1,
  recoverAfterSeconds: 20,
  rampPercents: [50, 100],
  rampStepSeconds: 60,
  flapBudget: { maxDrains: 3, windowSeconds: 3600 },
};

/** A decider's signal document draining `drain`, written at `at` (epoch seconds; default now), with an empty view. */
export function drainDocument(by: string, drain: string[], at = Math.floor(Date.now() / 1000)): DeciderDocument {
  return {
    v: 2,
    at,
    by,
    drain,
    since: Object.fromEntries(drain.map((id) => [id, at])),
    view: { at, applied: {}, records: {}, state: emptyStateDocument() },
  };
}

/** The successful answer of the manual logic; a failed one fails the test with its error. */
export function okResponse(response: ManualResponse) {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response;
}
