import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  ListHealthChecksCommand,
  Route53Client,
  type Change,
  type HealthCheck,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import type { FailoverConfig } from "../config.ts";
import type { HealthCheckSpec } from "../dataplane/health-checks.ts";
import { FailoverError } from "../errors.ts";
import { clientConfig, type AwsClientOptions } from "./client-config.ts";
import { awsFailure } from "./failure.ts";
import { retrySettings, withRetry, type GiveUp, type RetryOptions, type RetrySettings } from "./retry.ts";
import type { RecordSetData } from "../records/record-set.ts";
import { CallStats } from "./stats.ts";

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
    this.client = options.client ?? new Route53Client(clientConfig("us-east-1", options));
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

  private call<T>(operation: string, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withRetry(send, this.retry, (giveUp) => healthCheckFailure(operation, giveUp));
  }
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
