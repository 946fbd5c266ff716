import type { Change, HealthCheck, ResourceRecordSet, Route53Client } from "@aws-sdk/client-route-53";
import type { FailoverConfig } from "../config.ts";
import type { HealthCheckSpec } from "../dataplane/health-checks.ts";
import { FailoverError } from "../errors.ts";
import { clientConfig, type AwsClientOptions } from "./client-config.ts";
import { awsFailure } from "./failure.ts";
import { retrySettings, withRetry, type GiveUp, type RetryOptions, type RetrySettings } from "./retry.ts";
import type { RecordSetData } from "../records/record-set.ts";
import { CallStats } from "./stats.ts";
import { requireSdk } from "./require-sdk.ts";

/** The SDK, loaded with the adapter (./require-sdk.ts says why not an ES import). */
const route53 = requireSdk<typeof import("@aws-sdk/client-route-53")>("@aws-sdk/client-route-53");
const {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  DeleteHealthCheckCommand,
  GetHealthCheckStatusCommand,
  ListHealthChecksCommand,
  UpdateHealthCheckCommand,
} = route53;

/**
 * Route 53 health checks of the data-plane path (Route 53's control plane,
 * used ahead of time by `failover init` and `verify`, never in a failover):
 * creates them idempotently by caller reference, lists them, and ties
 * weighted records to them.
 */

export interface HealthCheckAdminOptions extends AwsClientOptions {
  /** A ready client. @default a client from `endpoint`/`credentials`, region us-east-1 */
  client?: Route53Client;
  /** Retry budget per call. @default 8 s budget */
  retry?: RetryOptions;
}

/** A health check as read back. */
export interface HealthCheckRead {
  id: string;
  reference: string;
  spec: HealthCheckSpec;
}

export class HealthCheckAdmin {
  readonly stats = new CallStats();
  private readonly client: Route53Client;
  private readonly retry: RetrySettings;

  constructor(
    private readonly config: FailoverConfig,
    options: HealthCheckAdminOptions = {},
  ) {
    this.client = options.client ?? new route53.Route53Client(clientConfig("us-east-1", options));
    this.stats.attachTo(this.client);
    this.retry = retrySettings(options.retry);
  }

  /** Every health check of the account (paged). */
  async list(): Promise<HealthCheckRead[]> {
    const checks: HealthCheckRead[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 100; page++) {
      const output = await this.call("ListHealthChecks", (signal) =>
        this.client.send(new ListHealthChecksCommand({ ...(marker ? { Marker: marker } : {}) }), {
          abortSignal: signal,
        }),
      );
      checks.push(...(output.HealthChecks ?? []).map(readCheck));
      if (!output.IsTruncated || !output.NextMarker) break;
      marker = output.NextMarker;
    }
    return checks;
  }

  /** The check with this caller reference, created if there is none; `existing` is a list() result to reuse. */
  async ensure(
    reference: string,
    spec: HealthCheckSpec,
    existing: readonly HealthCheckRead[],
  ): Promise<{ id: string; created: boolean }> {
    const found = existing.find((check) => check.reference === reference);
    if (found !== undefined) return { id: found.id, created: false };
    const output = await this.call("CreateHealthCheck", (signal) =>
      this.client.send(new CreateHealthCheckCommand({ CallerReference: reference, HealthCheckConfig: spec }), {
        abortSignal: signal,
      }),
    );
    const id = output.HealthCheck?.Id;
    if (!id) throw new FailoverError("ROUTE53_BAD_ANSWER", `CreateHealthCheck ${reference} returned no id`);
    return { id, created: true };
  }

  /**
   * Ties each record set to its target's check, in one batch that deletes
   * the exact current sets and creates them again with `HealthCheckId`: the
   * weights stay, there is no moment without a record, and a concurrent
   * weight change makes the batch fail whole instead of being overwritten.
   */
  async tieRecords(sets: readonly RecordSetData[], checkByTarget: Readonly<Record<string, string>>): Promise<string[]> {
    const changes: Change[] = [];
    const tied: string[] = [];
    for (const set of sets) {
      const id = set.SetIdentifier === undefined ? undefined : checkByTarget[set.SetIdentifier];
      if (id === undefined || set.HealthCheckId === id) continue;
      changes.push(
        { Action: "DELETE", ResourceRecordSet: set as ResourceRecordSet },
        { Action: "CREATE", ResourceRecordSet: { ...set, HealthCheckId: id } as ResourceRecordSet },
      );
      tied.push(`${set.Name} ${set.Type} ${set.SetIdentifier}`);
    }
    if (changes.length === 0) return [];
    await this.call("ChangeResourceRecordSets", (signal) =>
      this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: this.config.hostedZone.id,
          ChangeBatch: { Comment: `${this.config.name}: tie records to their health checks`, Changes: changes },
        }),
        { abortSignal: signal },
      ),
    );
    return tied;
  }

  /**
   * What Route 53's checkers report for an endpoint check (GetHealthCheckStatus;
   * not for CALCULATED checks, which AWS does not answer). Each observation's
   * status starts with `Success` or `Failure`: what the checker saw before any
   * inversion. A malformed answer is a ROUTE53_BAD_ANSWER naming the field.
   */
  async status(id: string): Promise<CheckerReport> {
    const output = await this.call("GetHealthCheckStatus", (signal) =>
      this.client.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }), { abortSignal: signal }),
    );
    return checkerReport(id, output.HealthCheckObservations);
  }

  /**
   * Deletes check `id` (DeleteHealthCheck). Route 53 does not refuse a check a
   * record or a calculated check still refers to (its status then becomes
   * unpredictable): the caller makes sure nothing does.
   */
  async delete(id: string): Promise<void> {
    await this.call("DeleteHealthCheck", (signal) =>
      this.client.send(new DeleteHealthCheckCommand({ HealthCheckId: id }), { abortSignal: signal }),
    );
  }

  /** Sets the fields of `changes` on check `id` (UpdateHealthCheck: every field but Type and RequestInterval). */
  async update(id: string, changes: Partial<HealthCheckSpec>): Promise<void> {
    await this.call("UpdateHealthCheck", (signal) =>
      this.client.send(
        new UpdateHealthCheckCommand({
          HealthCheckId: id,
          ...(changes.FullyQualifiedDomainName !== undefined
            ? { FullyQualifiedDomainName: changes.FullyQualifiedDomainName }
            : {}),
          ...(changes.Port !== undefined ? { Port: changes.Port } : {}),
          ...(changes.ResourcePath !== undefined ? { ResourcePath: changes.ResourcePath } : {}),
          ...(changes.SearchString !== undefined ? { SearchString: changes.SearchString } : {}),
          ...(changes.FailureThreshold !== undefined ? { FailureThreshold: changes.FailureThreshold } : {}),
          ...(changes.Inverted !== undefined ? { Inverted: changes.Inverted } : {}),
          ...(changes.EnableSNI !== undefined ? { EnableSNI: changes.EnableSNI } : {}),
          ...(changes.ChildHealthChecks !== undefined ? { ChildHealthChecks: changes.ChildHealthChecks } : {}),
          ...(changes.HealthThreshold !== undefined ? { HealthThreshold: changes.HealthThreshold } : {}),
        }),
        { abortSignal: signal },
      ),
    );
  }

  private call<T>(operation: string, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withRetry(send, this.retry, (giveUp) => healthCheckFailure(operation, giveUp));
  }
}

/** What the checkers of one endpoint check report. */
export interface CheckerReport {
  /** Checkers reporting. */
  checkers: number;
  /** Of those, how many saw success (the endpoint answered and, for a string match, the string was found). */
  succeeded: number;
  /** What each checker that did not see success reported (`Failure: …`), and where it checks from. */
  failures: Array<{ region: string; status: string }>;
}

/** Parses GetHealthCheckStatus observations; an observation without a `Success`/`Failure` status is a bad answer. */
export function checkerReport(id: string, observations: unknown): CheckerReport {
  const bad = (field: string, got: unknown) =>
    new FailoverError(
      "ROUTE53_BAD_ANSWER",
      `GetHealthCheckStatus ${id}: ${field} expected ${field.endsWith("Status") ? 'a text starting "Success" or "Failure"' : "a list"}, got ${JSON.stringify(got)?.slice(0, 80)}`,
      { hint: "Route 53 answered something this version does not understand; run it again, or report it." },
    );
  if (!Array.isArray(observations)) throw bad("HealthCheckObservations", observations);
  let succeeded = 0;
  const failures: CheckerReport["failures"] = [];
  observations.forEach((observation: unknown, index) => {
    const read = observation as { Region?: unknown; StatusReport?: { Status?: unknown } } | null;
    const status = read?.StatusReport?.Status;
    if (typeof status !== "string" || !/^(Success|Failure)/.test(status))
      throw bad(`HealthCheckObservations[${index}].StatusReport.Status`, status);
    if (status.startsWith("Success")) succeeded++;
    else failures.push({ region: typeof read?.Region === "string" ? read.Region : "unknown", status });
  });
  return { checkers: observations.length, succeeded, failures };
}

function readCheck(check: HealthCheck): HealthCheckRead {
  const c = check.HealthCheckConfig;
  const spec = Object.fromEntries(
    Object.entries({
      Type: c?.Type,
      FullyQualifiedDomainName: c?.FullyQualifiedDomainName,
      Port: c?.Port,
      ResourcePath: c?.ResourcePath,
      SearchString: c?.SearchString,
      RequestInterval: c?.RequestInterval,
      FailureThreshold: c?.FailureThreshold,
      Inverted: c?.Inverted,
      ChildHealthChecks: c?.ChildHealthChecks,
      HealthThreshold: c?.HealthThreshold,
      EnableSNI: c?.EnableSNI,
    }).filter(([, value]) => value !== undefined),
  ) as unknown as HealthCheckSpec;
  return { id: check.Id ?? "", reference: check.CallerReference ?? "", spec };
}

function healthCheckFailure(operation: string, giveUp: GiveUp): FailoverError {
  const hint = "Health checks are set up ahead of time: run it again once the Route 53 API answers.";
  const failure = awsFailure(
    {
      service: "Route 53",
      operation,
      codes: {
        throttled: "ROUTE53_UNAVAILABLE",
        unavailable: "ROUTE53_UNAVAILABLE",
        "bad-answer": "ROUTE53_REJECTED",
        rejected: "ROUTE53_REJECTED",
      },
      hints: { throttled: hint, unavailable: hint, "bad-answer": hint, rejected: hint },
    },
    giveUp,
  );
  return new FailoverError(failure.code, failure.message, failure.options);
}
