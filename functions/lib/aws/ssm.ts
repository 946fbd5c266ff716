import type { SSMClient } from "@aws-sdk/client-ssm";
import { FailoverError } from "../errors.ts";
import { clientConfig, type AwsClientOptions } from "./client-config.ts";
import { awsFailure, failureCodes } from "./failure.ts";
import { retrySettings, withRetry, type GiveUp, type RetryOptions, type RetrySettings } from "./retry.ts";
import { CallStats } from "./stats.ts";
import { requireSdk } from "./require-sdk.ts";

/** The SDK, loaded with the adapter: the decider reads the signal store every round. */
const ssm = requireSdk<typeof import("@aws-sdk/client-ssm")>("@aws-sdk/client-ssm");
const {
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
} = ssm;

/**
 * SSM Parameter Store adapter: the only module that imports
 * `@aws-sdk/client-ssm`. Holds the data-plane signal and the deciders' view
 * in each control region, the lease audit trail and the Slack webhook
 * (a SecureString) (standard parameters: no charge for storage or for
 * standard-throughput calls).
 */

export interface ParameterStoreOptions extends AwsClientOptions {
  /** Region of the parameters. */
  region: string;
  /** A ready client. @default a client from `region`/`endpoint`/`credentials` */
  client?: SSMClient;
  /** Retry budget per call. @default 3 s budget, 1.5 s per attempt */
  retry?: RetryOptions;
  /** Shared call counters. @default a new CallStats */
  stats?: CallStats;
}

export class ParameterStore {
  readonly region: string;
  readonly stats: CallStats;
  private readonly client: SSMClient;
  private readonly retry: RetrySettings;

  constructor(options: ParameterStoreOptions) {
    this.region = options.region;
    this.client = options.client ?? new ssm.SSMClient(clientConfig(options.region, options));
    this.stats = options.stats ?? new CallStats();
    this.stats.attachTo(this.client);
    this.retry = retrySettings({ budgetMs: 3000, attemptTimeoutMs: 1500, ...options.retry });
  }

  /** The parameter's value (a SecureString decrypted), or undefined when it does not exist. */
  async get(name: string, options: { decrypt?: boolean } = {}): Promise<string | undefined> {
    try {
      const output = await this.call("GetParameter", (signal) =>
        this.client.send(new GetParameterCommand({ Name: name, WithDecryption: options.decrypt === true }), {
          abortSignal: signal,
        }),
      );
      return output.Parameter?.Value;
    } catch (error) {
      if (error instanceof FailoverError && isNotFound(error.cause)) return undefined;
      throw error;
    }
  }

  /** A parameter's metadata (DescribeParameters: never its value), or undefined when it does not exist. */
  async describe(name: string): Promise<{ type: string; version: number } | undefined> {
    const output = await this.call("DescribeParameters", (signal) =>
      this.client.send(
        new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "Equals", Values: [name] }] }),
        { abortSignal: signal },
      ),
    );
    const found = output.Parameters?.find((parameter) => parameter.Name === name);
    return found === undefined ? undefined : { type: found.Type ?? "", version: found.Version ?? 0 };
  }

  /** Several parameters in one call (at most 10 names): name → value and when it was last written, a name that does not exist left out. */
  async getMany(names: readonly string[]): Promise<Map<string, { value: string; modifiedMs: number | undefined }>> {
    if (names.length > 10)
      throw new FailoverError("INVALID_INPUT", `getMany takes at most 10 names, got ${names.length}`);
    const output = await this.call("GetParameters", (signal) =>
      this.client.send(new GetParametersCommand({ Names: [...names] }), { abortSignal: signal }),
    );
    const values = new Map<string, { value: string; modifiedMs: number | undefined }>();
    for (const parameter of output.Parameters ?? [])
      if (parameter.Name !== undefined && parameter.Value !== undefined)
        values.set(parameter.Name, { value: parameter.Value, modifiedMs: parameter.LastModifiedDate?.getTime() });
    return values;
  }

  /**
   * Every parameter directly under `path` (GetParametersByPath, 10 a page): name → value. Stops after
   * `maxPages` pages. @param maxPages - @default 100
   */
  async listByPath(path: string, maxPages = 100): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    let token: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const output = await this.call("GetParametersByPath", (signal) =>
        this.client.send(
          new GetParametersByPathCommand({ Path: path, Recursive: false, MaxResults: 10, NextToken: token }),
          { abortSignal: signal },
        ),
      );
      for (const parameter of output.Parameters ?? [])
        if (parameter.Name !== undefined && parameter.Value !== undefined) values.set(parameter.Name, parameter.Value);
      token = output.NextToken;
      if (token === undefined) break;
    }
    return values;
  }

  /** Writes (overwrites) a standard parameter: String unless `secure` (SecureString, the account's aws/ssm key). */
  async put(name: string, value: string, options: { secure?: boolean } = {}): Promise<void> {
    const type = options.secure === true ? "SecureString" : "String";
    await this.call("PutParameter", (signal) =>
      this.client.send(
        new PutParameterCommand({ Name: name, Value: value, Type: type, Tier: "Standard", Overwrite: true }),
        { abortSignal: signal },
      ),
    );
  }

  /**
   * Creates a standard String parameter, never overwriting (PutParameter
   * with `Overwrite: false`): true when this call created it, false when it
   * exists already. A create whose answer was lost and was sent again also
   * answers false: read the value to tell whose it is.
   */
  async create(name: string, value: string): Promise<boolean> {
    try {
      await this.call("PutParameter", (signal) =>
        this.client.send(
          new PutParameterCommand({ Name: name, Value: value, Type: "String", Tier: "Standard", Overwrite: false }),
          { abortSignal: signal },
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof FailoverError && isAlreadyThere(error.cause)) return false;
      throw error;
    }
  }

  private call<T>(operation: string, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withRetry(send, this.retry, (giveUp) => ssmFailure(operation, this.region, giveUp));
  }
}

function isNotFound(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === "ParameterNotFound";
}

function isAlreadyThere(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === "ParameterAlreadyExists";
}

function ssmFailure(operation: string, region: string, giveUp: GiveUp): FailoverError {
  const unreachable = "SSM is unreachable or failing in this region; the other control region's signal still counts.";
  const rejected = "Check the parameter name and the IAM permissions ssm:GetParameter / ssm:PutParameter on it.";
  const failure = awsFailure(
    {
      service: "SSM",
      operation,
      where: `in ${region}`,
      codes: { ...failureCodes("SSM"), "bad-answer": "SSM_REJECTED" },
      hints: { throttled: unreachable, unavailable: unreachable, "bad-answer": rejected, rejected },
    },
    giveUp,
  );
  return new FailoverError(isNotFound(giveUp.cause) ? "SSM_NOT_FOUND" : failure.code, failure.message, failure.options);
}
